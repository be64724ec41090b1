"""as-at indexes: each inventory table's `created_at`, so a list as at a day counts the rows
made by then from an index (estate.history.as_at), as the live list counts from one, not by
reading every row of the table.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 03:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("servers", "devices", "network_devices", "workloads")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_created_at", table, ["created_at"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_created_at", table_name=table)
