"""The schema: Alembic's migrations (estate/db/migrations), applied and checked."""

from __future__ import annotations

import re
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
# SQLite's FTS5 search tables (migration 0023, estate.db.search) and the tables FTS5 keeps
# behind each: likewise made only where SQLite has trigrams.
SEARCH_TABLE = re.compile(r"\w+_search(_data|_idx|_docsize|_config)?")


def in_models(item: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    """Alembic's include_object: all but the trigram indexes and SQLite's search tables (with
    FTS5's own tables behind them)."""
    if not reflected:
        return True
    if type_ == "index":
        return not (name or "").endswith(TRIGRAM_SUFFIX)
    return not (type_ == "table" and SEARCH_TABLE.fullmatch(name or ""))


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
