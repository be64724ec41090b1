"""Applications as the readers see them: with their server counts and wave name."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from estate import migration
from estate.models import Application, Server, ServerApplication
from estate.models.application import ApplicationPublic
from estate.progress import MIGRATED


def public_rows(session: Session, apps: list[Application]) -> list[ApplicationPublic]:
    """Each application with how many servers it has, how many are migrated (or further on),
    and its wave's name: one grouped query for the page, not one per application."""
    ids = [a.id for a in apps if a.id is not None]
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        migrated = case((col(Server.migration_status).in_(sorted(MIGRATED)), 1), else_=0)
        query = (
            select(col(ServerApplication.application_id), func.count(), func.sum(migrated))
            .join(Server, col(Server.id) == col(ServerApplication.server_id))
            .where(col(ServerApplication.application_id).in_(ids))
            .group_by(col(ServerApplication.application_id))
        )
        counts = {a: (n, int(m or 0)) for a, n, m in session.execute(query)}
    waves = migration.wave_names(session)
    return [
        ApplicationPublic.model_validate(
            a,
            update={
                "server_count": counts.get(a.id or 0, (0, 0))[0],
                "servers_migrated": counts.get(a.id or 0, (0, 0))[1],
                "wave": waves.get(a.wave_id) if a.wave_id else None,
            },
        )
        for a in apps
    ]
