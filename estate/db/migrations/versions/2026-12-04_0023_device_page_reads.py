"""device page reads: Windows 11 readiness kept in the forecast's buckets, and the due date
indexed with the id

- `device_replacement_buckets` gains `windows11_ready` and `windows11_counted`, so the devices
  page and the forecast count readiness from the buckets rather than grouping every device on
  each request. The buckets are recounted here from the devices, as
  estate.devices.store.rebuild_buckets counts them (written out again: a migration must not
  change when that code does).
- `devices.replacement_due_on`'s index becomes (replacement_due_on, id): the devices due, longest
  overdue first, are the index's first rows, where the due date alone left every due device to
  be sorted by id for a page of them.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEVICES = sa.table(
    "devices",
    *(
        sa.column(name)
        for name in (
            "replacement_due_on", "department", "device_type", "site_id",
            "replacement_explicit", "status", "disposed_on", "purchase_cost", "windows11_ready",
            "os_name",
        )
    ),  # fmt: skip
)
BUCKET_COLUMNS = (
    "period", "department", "device_type", "site_id", "explicit", "gone", "disposed",
    "windows11_ready", "windows11_counted", "devices", "purchase_cost", "costed",
)  # fmt: skip


def _recount() -> None:
    d = DEVICES.c
    month = sa.extract("month", d.replacement_due_on)
    start_year = sa.extract("year", d.replacement_due_on) - sa.case((month < 4, 1), else_=0)
    quarter = sa.case((month < 4, 3), (month < 7, 0), (month < 10, 1), else_=2)
    counted = sa.or_(
        d.windows11_ready.is_not(None),
        d.os_name.is_(None),
        sa.func.lower(d.os_name).like("%windows%"),
    )
    grouped = sa.select(
        (start_year * 4 + quarter).label("period"),
        d.department,
        d.device_type,
        d.site_id,
        d.replacement_explicit,
        (d.status == "gone").label("gone"),
        d.disposed_on.is_not(None).label("disposed"),
        d.windows11_ready,
        counted.label("counted"),
        sa.func.count(),
        sa.func.sum(d.purchase_cost),
        sa.func.count(d.purchase_cost),
    ).group_by(
        sa.text("period"),
        d.department,
        d.device_type,
        d.site_id,
        d.replacement_explicit,
        sa.text("gone"),
        sa.text("disposed"),
        d.windows11_ready,
        sa.text("counted"),
    )
    buckets = sa.table("device_replacement_buckets", *map(sa.column, BUCKET_COLUMNS))
    op.execute(sa.delete(buckets))
    op.execute(sa.insert(buckets).from_select(list(BUCKET_COLUMNS), grouped))


def upgrade() -> None:
    buckets = "device_replacement_buckets"
    op.add_column(buckets, sa.Column("windows11_ready", sa.Boolean(), nullable=True))
    op.add_column(
        buckets,
        sa.Column("windows11_counted", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    _recount()
    # Plain index statements: a batch would rebuild devices on SQLite and drop its trigger.
    op.drop_index("ix_devices_replacement_due_on", table_name="devices")
    op.create_index("ix_devices_replacement_due_on_id", "devices", ["replacement_due_on", "id"])


def downgrade() -> None:
    op.drop_index("ix_devices_replacement_due_on_id", table_name="devices")
    op.create_index("ix_devices_replacement_due_on", "devices", ["replacement_due_on"])
    with op.batch_alter_table("device_replacement_buckets", schema=None) as batch_op:
        batch_op.drop_column("windows11_counted")
        batch_op.drop_column("windows11_ready")
