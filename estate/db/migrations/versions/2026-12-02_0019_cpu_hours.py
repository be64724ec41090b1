"""cpu hours: how many hourly CPU figures a workload's p95 is of, a reading beside it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('workloads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cpu_hours', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('workloads', schema=None) as batch_op:
        batch_op.drop_column('cpu_hours')
