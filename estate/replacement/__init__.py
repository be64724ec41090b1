"""When each device falls due for replacement, why, and what the replacements will cost.

`policy` (settings and the pure `evaluate`), `lifecycle` (OS end-of-support facts), `store`
(bulk refresh of the devices table) and `forecast` (per UK financial year, in SQL).
"""

from estate.replacement.forecast import (
    DeviceFilter,
    Forecast,
    ForecastRow,
    YearTotal,
    device_filter_clauses,
    financial_quarter,
    financial_year_label,
    forecast,
)
from estate.replacement.lifecycle import LifecycleFact, LifecycleTable, load_lifecycle
from estate.replacement.policy import (
    Decision,
    DeviceFacts,
    Policy,
    Reason,
    ReplacementSettings,
    add_years,
    evaluate,
)
from estate.replacement.store import (
    clear_disposed_assignees,
    dispose_devices,
    refresh_replacement,
    set_override,
)

__all__ = [
    "Decision",
    "DeviceFacts",
    "DeviceFilter",
    "Forecast",
    "ForecastRow",
    "LifecycleFact",
    "LifecycleTable",
    "Policy",
    "Reason",
    "ReplacementSettings",
    "YearTotal",
    "add_years",
    "clear_disposed_assignees",
    "device_filter_clauses",
    "dispose_devices",
    "evaluate",
    "financial_quarter",
    "financial_year_label",
    "forecast",
    "load_lifecycle",
    "refresh_replacement",
    "set_override",
]
