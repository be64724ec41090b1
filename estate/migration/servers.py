"""One server as the API shows it: what the inventory knows of it, and how its migration status
was derived, worked out now from the facts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from estate.config import MigrationSettings
from estate.inventory.servers import ServerInventory, server_inventory
from estate.migration.rules import Explanation
from estate.migration.statuses import explain


class ServerDetail(ServerInventory):
    # Why the server has its migration status, derived now from the facts.
    migration: Explanation | None = None


def server_detail(
    session: Session,
    rules: MigrationSettings,
    server_id: int,
    explained: Explanation | None = None,
) -> ServerDetail | None:
    """`explained`: the server's derivation as a write just made it (else worked out now)."""
    found = server_inventory(session, server_id)
    if found is None:
        return None
    migration = explained or explain(session, rules, server_id)
    return ServerDetail.model_validate(found.model_dump() | {"migration": migration})
