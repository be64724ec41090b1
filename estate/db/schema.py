"""The schema: Alembic's migrations (estate/db/migrations), applied and checked."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


# PostgreSQL's trigram indexes for text search (migration 0022): made only where pg_trgm can be
# installed, so not part of the models; comparisons of the schema with the models skip them.
TRIGRAM_SUFFIX = "_trgm"


def in_models(item: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    """Alembic's include_object: all but the trigram indexes."""
    return not (type_ == "index" and reflected and (name or "").endswith(TRIGRAM_SUFFIX))


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def at_head(engine: Engine) -> bool:
    """Whether the database carries every migration this code knows."""
    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(script.get_heads())
