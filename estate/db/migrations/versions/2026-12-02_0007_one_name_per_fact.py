"""one name per fact: a workload's origin is `migrated_from_server` from record to response

The record field `source_server` and its column `source_server_ref` become
`migrated_from_server` and `migrated_from_server_ref`, as the link (`migrated_from_server_id`),
the change history and the API already called it. Workload observations keep their attributes
under the new key. (Their digests, made over the old key, differ once: the next scan of each
counts it changed and writes no change row, as nothing about the workload changed.)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 03:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rename_attribute(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"UPDATE observations SET attributes = (attributes - '{old}')"
            f" || jsonb_build_object('{new}', attributes -> '{old}')"
            f" WHERE entity_kind = 'workload' AND attributes ? '{old}'"
        )
    else:
        op.execute(
            f"UPDATE observations SET attributes = json_set(json_remove(attributes, '$.{old}'),"
            f" '$.{new}', json_extract(attributes, '$.{old}'))"
            f" WHERE entity_kind = 'workload' AND json_type(attributes, '$.{old}') IS NOT NULL"
        )


def upgrade() -> None:
    with op.batch_alter_table("workloads", schema=None) as batch_op:
        batch_op.alter_column("source_server_ref", new_column_name="migrated_from_server_ref")
    _rename_attribute("source_server", "migrated_from_server")


def downgrade() -> None:
    _rename_attribute("migrated_from_server", "source_server")
    with op.batch_alter_table("workloads", schema=None) as batch_op:
        batch_op.alter_column("migrated_from_server_ref", new_column_name="source_server_ref")
