"""Journal record ids become BIGINT: they are made in the process (random 62-bit integers,
knowledge.journal), no longer by the database.

SQLite needs nothing: its INTEGER PRIMARY KEY is already a 64-bit integer.

Revision ID: 0003
Revises: 0002
Create Date: 2026-02-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column("journal_questions", "id", type_=sa.BigInteger(), existing_nullable=False)
    op.alter_column("journal_votes", "question_id", type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    # Ids beyond INTEGER do not fit back: the rows that hold them go (their votes cascade).
    op.execute(sa.text("DELETE FROM journal_questions WHERE id > 2147483647"))
    op.alter_column("journal_votes", "question_id", type_=sa.Integer(), existing_nullable=False)
    op.alter_column("journal_questions", "id", type_=sa.Integer(), existing_nullable=False)
