"""ListAccounts answers: `State` is the current field, `Status` the deprecated one."""

from typing import Any

ACCOUNTS: list[dict[str, Any]] = [
    {"Id": "111122223333", "Name": "management", "Status": "ACTIVE", "State": "ACTIVE"},
    {"Id": "444455556666", "Name": "digital", "Status": "ACTIVE", "State": "ACTIVE"},
    {"Id": "777788889999", "Name": "closed", "Status": "SUSPENDED", "State": "SUSPENDED"},
    {"Id": "222233334444", "Name": "closing", "Status": "ACTIVE", "State": "PENDING_CLOSURE"},
    # An older answer without State.
    {"Id": "555566667777", "Name": "legacy", "Status": "ACTIVE"},
]
