"""The journal: questions asked (user ids only as salted hashes) and 👍/👎 votes.

Also stores a random salt for those hashes in `meta` (key `journal_salt`), used unless the
JOURNAL_SALT setting provides one.

Revision ID: 0002
Revises: 0001
Create Date: 2026-02-10
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "journal_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("fact_ids", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_journal_questions"),
        # Ids are never reused (callback data refers to them), even after pruning.
        sqlite_autoincrement=True,
    )
    op.create_index("ix_journal_questions_asked_at", "journal_questions", ["asked_at"])
    op.create_table(
        "journal_votes",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("user_hash", sa.String(length=64), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("voted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["journal_questions.id"],
            name="fk_journal_votes_question_id_journal_questions",
            ondelete="CASCADE",
        ),
        # One vote per user and answer; also the index for the cascade.
        sa.PrimaryKeyConstraint("question_id", "user_hash", name="pk_journal_votes"),
    )
    op.create_index("ix_journal_votes_voted_at", "journal_votes", ["voted_at"])
    meta = sa.table("meta", sa.column("key", sa.String()), sa.column("value", sa.Text()))
    op.bulk_insert(meta, [{"key": "journal_salt", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM meta WHERE key = 'journal_salt'"))
    op.drop_index("ix_journal_votes_voted_at", table_name="journal_votes")
    op.drop_table("journal_votes")
    op.drop_index("ix_journal_questions_asked_at", table_name="journal_questions")
    op.drop_table("journal_questions")
