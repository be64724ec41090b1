"""as at: indexes that keep reads of the change log as at a day fast as it grows

Rebuilding a kind of entity as at a day reads that kind's changes after the day, field by
field (`ix_changes_kind_field_at`); one entity's timeline and its latest scanned change read
its changes in time order (`ix_changes_entity_at`, which also serves what the old
`ix_changes_entity` did, so that one goes).

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_changes_kind_field_at", "changes", ["entity_kind", "field", "at"])
    op.create_index("ix_changes_entity_at", "changes", ["entity_kind", "entity_id", "at"])
    op.drop_index("ix_changes_entity", table_name="changes")


def downgrade() -> None:
    op.create_index("ix_changes_entity", "changes", ["entity_kind", "entity_id"])
    op.drop_index("ix_changes_entity_at", table_name="changes")
    op.drop_index("ix_changes_kind_field_at", table_name="changes")
