"""device refresh on change: re-evaluate only the devices whose inputs changed

`devices.replacement_pending` is true for a device whose replacement inputs (or forecast bucket
columns) changed since refresh_replacement last evaluated it: new rows default to true, and a
trigger sets it on any UPDATE that changes one of those columns, whoever writes it (ingest, a
person's override, a disposal, a script). `replacement_seen_at` keeps the last_seen_at a stale
reason was worked out from, so a device seen again (or one that has just gone stale) is found
by one scan of the table, not by evaluating every row; `replacement_policy_state` keeps the fingerprint of the
policy the dates were worked out with. Every existing device starts pending, so the first
refresh after the upgrade evaluates them all once.

A table rebuild (batch mode on SQLite, for a dropped or altered column) drops the SQLite
trigger: a later migration that rebuilds `devices` must create it again
(tests/devices/test_replacement_store.py checks that a plain UPDATE marks a device pending).

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-02 05:21:50
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import estate.models.base

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the policy reads (estate.devices.policy.DeviceFacts, less last_seen_at, a reading the
# refresh compares with replacement_seen_at) and what the forecast's buckets group and sum.
WATCHED = (
    "device_type", "purchased_on", "enrolled_at", "warranty_expires_on", "os_name",
    "os_version", "model", "memory_gb", "storage_gb", "tpm_version",
    "replacement_override_on", "disposed_on", "department", "site_id", "status",
    "purchase_cost",
)  # fmt: skip
TRIGGER = "devices_replacement_pending"


def _create_trigger() -> None:
    columns = ", ".join(WATCHED)
    if op.get_context().dialect.name == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED)
        op.execute(
            f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN NEW.replacement_pending := true; RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF {columns} ON devices FOR EACH ROW"
            f" WHEN ({changed}) EXECUTE FUNCTION {TRIGGER}()"
        )
        return
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
    op.execute(
        f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF {columns} ON devices FOR EACH ROW"
        f" WHEN NOT NEW.replacement_pending AND ({changed})"
        f" BEGIN UPDATE devices SET replacement_pending = 1 WHERE id = NEW.id; END"
    )


def upgrade() -> None:
    op.create_table(
        "replacement_policy_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("replacement_pending", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "replacement_seen_at", estate.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
    _create_trigger()


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON devices")
        op.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("replacement_seen_at")
        batch_op.drop_column("replacement_pending")
    op.drop_table("replacement_policy_state")
