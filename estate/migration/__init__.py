"""Migration status: derived from facts (rules), kept on every server in bulk (store).

The scan run calls `refresh_after_scan` at its end; every write calls `refresh` for the
servers it touched; a daily job calls `refresh` for all (statuses that depend on time, such as
"running for 14 days", move without any scan).
"""

from estate.migration.rules import (
    MGN_STAGES,
    Derived,
    Explanation,
    MigrationSettings,
    ServerFacts,
    derive,
)
from estate.migration.store import (
    explain,
    refresh,
    refresh_after_scan,
    refresh_statuses,
    wave_names,
)

__all__ = [
    "MGN_STAGES",
    "Derived",
    "Explanation",
    "MigrationSettings",
    "ServerFacts",
    "derive",
    "explain",
    "refresh",
    "refresh_after_scan",
    "refresh_statuses",
    "wave_names",
]
