"""status transitions, webhook subscriptions and the outbox

Alerts (issue 14): each write that changes a (government, country) pair's status
records a transition in ``status_transitions``; webhook ``subscriptions`` receive
them through the ``outbox``, written in the same transaction and sent by
``python -m service deliver``, which logs each try in ``outbox_attempts``. The
outbox is generic over what it sends (``kind``), and ``deliverer_leases`` holds the
lease of SQLite's single deliverer. New tables only: the downgrade drops them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliverer_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_deliverer_leases")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=100), nullable=True),
        sa.Column("target", sa.String(length=2048), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "delivered",
                "held",
                "cancelled",
                name="outbox_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_attempts_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_outbox_kind_target_id", ["kind", "target", "id"], unique=False)
        batch_op.create_index("ix_outbox_stream_id", ["stream", "id"], unique=False)

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("government_id", sa.String(length=64), nullable=True),
        sa.Column("countries", sa.JSON(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=True),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "active", "paused", name="subscription_state", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(url) >= 8", name=op.f("ck_subscriptions_url_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriptions_government_id"), ["government_id"], unique=False)

    op.create_table(
        "outbox_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("response_bytes", sa.Integer(), nullable=False),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("deliverer", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["outbox.id"], name=op.f("fk_outbox_attempts_message_id_outbox"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempts")),
    )
    with op.batch_alter_table("outbox_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_attempts_message_number", ["message_id", "number"], unique=False)

    op.create_table(
        "status_transitions",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("change_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("government_id", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column(
            "to_category",
            sa.Enum(
                "recognized",
                "ambassadors_exchanged",
                "limited_relations",
                "none",
                name="transition_to_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "length(country) = 2 AND upper(country) = country", name=op.f("ck_status_transitions_country_code")
        ),
        sa.ForeignKeyConstraint(
            ["change_seq"], ["changes.seq"], name=op.f("fk_status_transitions_change_seq_changes"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_status_transitions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("status_transitions", schema=None) as batch_op:
        batch_op.create_index("ix_status_transitions_country_seq", ["country", "seq"], unique=False)
        batch_op.create_index("ix_status_transitions_government_seq", ["government_id", "seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("status_transitions", schema=None) as batch_op:
        batch_op.drop_index("ix_status_transitions_government_seq")
        batch_op.drop_index("ix_status_transitions_country_seq")

    op.drop_table("status_transitions")
    with op.batch_alter_table("outbox_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_attempts_message_number")

    op.drop_table("outbox_attempts")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriptions_government_id"))

    op.drop_table("subscriptions")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_stream_id")
        batch_op.drop_index("ix_outbox_kind_target_id")
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox")
    op.drop_table("deliverer_leases")
