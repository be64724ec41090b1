"""list indexes: every documented filter and sort of the servers, devices and workloads lists
indexed, the devices' replacement rules kept one row each, and trigram indexes for `q`

- `device_reasons` (device_id, rule): each rule among a device's replacement reasons, written
  by the device refresh with the reasons; filled here from the reasons already stored.
- (column, id) indexes for the sorts and filters that had none (estate.models.base.sort_indexes);
  readings that a scan rewrites every run are left out.
- PostgreSQL only, and only where `CREATE EXTENSION pg_trgm` works: GIN trigram indexes on the
  lower-cased columns that `q` and `os` search with `lower(column) LIKE '%text%'`. SQLite has
  no such index: its searches read the table.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORTS = {
    "devices": ("asset_tag", "serial", "hostname", "device_type", "os_name", "purchased_on",
                "updated_at", "disposed_on", "windows11_ready"),
    "servers": ("hostname", "fqdn", "serial", "kind", "os_name", "rack", "cpu_cores",
                "memory_gb", "updated_at"),
    "workloads": ("name", "state", "launched_at", "updated_at"),
}  # fmt: skip
SEARCHED = {
    "devices": ("hostname", "asset_tag", "serial", "os_name", "os_version"),
    "servers": ("hostname", "fqdn", "serial", "os_name"),
    "workloads": ("name", "resource_id"),
}


def _trigram_available() -> bool:
    """Whether pg_trgm is (or can be made) installed: tried in a savepoint, so a server that
    refuses it leaves the migration's transaction usable."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        return False
    return True


def _trigram_name(table: str, column: str) -> str:
    return f"ix_{table}_{column}_trgm"


def upgrade() -> None:
    op.create_table(
        "device_reasons",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("device_id", "rule"),
    )
    op.create_index("ix_device_reasons_rule", "device_reasons", ["rule", "device_id"])
    if op.get_context().dialect.name == "postgresql":
        each = "jsonb_array_elements(d.replacement_reasons) AS r(value)"
        rule = "r.value ->> 'rule'"
        array = "jsonb_typeof(d.replacement_reasons) = 'array'"
    else:
        each = "json_each(d.replacement_reasons) AS r"
        rule = "json_extract(r.value, '$.rule')"
        array = "json_type(d.replacement_reasons) = 'array'"
    op.execute(
        f"INSERT INTO device_reasons (device_id, rule) SELECT DISTINCT d.id, {rule}"
        f" FROM devices AS d, {each} WHERE d.replacement_reasons IS NOT NULL AND {array}"
        f" AND {rule} IS NOT NULL"
    )
    for table, columns in SORTS.items():
        for column in columns:
            op.create_index(f"ix_{table}_{column}_id", table, [column, "id"])
    if _trigram_available():
        for table, columns in SEARCHED.items():
            for column in columns:
                op.execute(
                    f"CREATE INDEX {_trigram_name(table, column)} ON {table}"
                    f" USING gin (lower({column}) gin_trgm_ops)"
                )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table, columns in SEARCHED.items():
            for column in columns:
                op.execute(f"DROP INDEX IF EXISTS {_trigram_name(table, column)}")
    for table, columns in SORTS.items():
        for column in columns:
            op.drop_index(f"ix_{table}_{column}_id", table_name=table)
    op.drop_index("ix_device_reasons_rule", table_name="device_reasons")
    op.drop_table("device_reasons")
