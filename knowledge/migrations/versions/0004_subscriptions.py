"""Subscriptions to topics and the outbox of messages to send (issue 17).

- `subscriptions`: one row per chat and topic. The chat id is the Telegram id itself (a
  message cannot be sent to a hash), a BIGINT like the journal's record ids (0003).
- `outbox`: what is still to send, one row per chat and generation (a reload), so a
  generation is announced to a chat at most once whoever enqueues it; `sent_at` is set in
  the same transaction that held the row while it was sent.
- `announced_facts`: fingerprints of the facts subscribers have already been told about (the
  facts of the generation in `meta.announced_generation`), to find what a reload added.
- `outbox_pace`: one row, the earliest moment the next message may go (all replicas share
  it: Telegram's ~30 messages a second are per bot, not per process).

Revision ID: 0004
Revises: 0003
Create Date: 2026-03-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ChatId = sa.BigInteger()
_OutboxId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("chat_id", _ChatId, nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "topic", name="pk_subscriptions"),
    )
    op.create_index("ix_subscriptions_topic", "subscriptions", ["topic"])
    op.create_table(
        "outbox",
        sa.Column("id", _OutboxId, autoincrement=True, nullable=False),
        sa.Column("chat_id", _ChatId, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("failed", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("generation", "chat_id", name="uq_outbox_generation_chat_id"),
    )
    op.create_index("ix_outbox_chat_id_sent_at", "outbox", ["chat_id", "sent_at"])
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])
    op.create_table(
        "announced_facts",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_announced_facts"),
    )
    op.create_table(
        "outbox_pace",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_pace"),
    )
    pace = sa.table("outbox_pace", sa.column("id", sa.Integer()), sa.column("next_at", sa.Float()))
    op.bulk_insert(pace, [{"id": 1, "next_at": 0.0}])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM meta WHERE key = 'announced_generation'"))
    op.drop_table("outbox_pace")
    op.drop_table("announced_facts")
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_index("ix_outbox_chat_id_sent_at", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_subscriptions_topic", table_name="subscriptions")
    op.drop_table("subscriptions")
