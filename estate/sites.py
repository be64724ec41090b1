"""Sites declared in the configuration."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from estate.bulk import dialect_insert
from estate.models import Site
from estate.models.base import table_of
from estate.settings import Settings


def apply_site_config(session: Session, settings: Settings) -> None:
    """Create or update each `[[sites]]` entry by name; sites only scans named stay as they are."""
    rows = [site.model_dump() for site in settings.sites]
    if not rows:
        return
    table = table_of(Site)
    stmt: Any = dialect_insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"], set_={"kind": stmt.excluded.kind, "address": stmt.excluded.address}
    )
    session.execute(stmt, rows)
