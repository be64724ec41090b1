"""windows 11 readiness by processor: devices.cpu_model and the derived devices.windows11_ready

`cpu_model` is a fact sources give (a CMDB or asset-register column), read by the replacement
policy, so the trigger of migration 0017 that marks a device pending when a policy input
changes is made again with it among the watched columns. `windows11_ready` is worked out with
the replacement decision; estate.devices.policy.RULES_VERSION moved with this change, so the
first refresh after the upgrade evaluates every device once and fills it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Migration 0017's watched columns, and the processor.
BEFORE = (
    "device_type", "purchased_on", "enrolled_at", "warranty_expires_on", "os_name",
    "os_version", "model", "memory_gb", "storage_gb", "tpm_version",
    "replacement_override_on", "disposed_on", "department", "site_id", "status",
    "purchase_cost",
)  # fmt: skip
AFTER = (*BEFORE, "cpu_model")
TRIGGER = "devices_replacement_pending"


def _drop_trigger() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON devices")
        op.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


def _create_trigger(watched: Sequence[str]) -> None:
    """As migration 0017 makes it, over `watched`."""
    columns = ", ".join(watched)
    if op.get_context().dialect.name == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in watched)
        op.execute(
            f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN NEW.replacement_pending := true; RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF {columns} ON devices FOR EACH ROW"
            f" WHEN ({changed}) EXECUTE FUNCTION {TRIGGER}()"
        )
        return
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched)
    op.execute(
        f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF {columns} ON devices FOR EACH ROW"
        f" WHEN NOT NEW.replacement_pending AND ({changed})"
        f" BEGIN UPDATE devices SET replacement_pending = 1 WHERE id = NEW.id; END"
    )


def upgrade() -> None:
    _drop_trigger()
    # Plain ADD COLUMNs: SQLite keeps the table (and would drop its trigger on a rebuild).
    op.add_column(
        "devices",
        sa.Column("cpu_model", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    )
    op.add_column("devices", sa.Column("windows11_ready", sa.Boolean(), nullable=True))
    _create_trigger(AFTER)


def downgrade() -> None:
    _drop_trigger()
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("windows11_ready")
        batch_op.drop_column("cpu_model")
    _create_trigger(BEFORE)
