"""The demo estate's CMDB exports import cleanly with the example config as written."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine

from estate.config import Settings
from estate.config.loading import load_settings
from estate.inventory.records import Problem, ScopeEnd
from estate.status import RunStatus
from scanners.registry import scanner_for
from scanners.runner import run_source

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "estate.example.toml"
DEMO_SOURCES = {
    "cmdb-servers": ("ServerRecord", 300),
    "infra-servers": ("ServerRecord", 258),
    "applications": ("ApplicationRecord", 25),
    "asset-register": ("DeviceRecord", 4000),
}

pytestmark = pytest.mark.skipif(
    not (EXAMPLE.parent / "demo" / "asset-register.xlsx").exists(),
    reason="examples/demo/ not generated",
)


@pytest.mark.parametrize("name", sorted(DEMO_SOURCES))
def test_each_demo_export_transforms_with_no_problems(name: str) -> None:
    settings = load_settings(EXAMPLE)

    events = list(scanner_for(settings.source(name), settings).collect())

    kind, count = DEMO_SOURCES[name]
    path = settings.source(name).options["path"]
    assert [e for e in events if isinstance(e, Problem)] == []
    assert Counter(type(e).__name__ for e in events) == {kind: count, "ScopeEnd": 1}
    assert events[-1] == ScopeEnd(scope=path, complete=True)


def test_the_demo_sources_run_into_the_database(engine: Engine, settings: Settings) -> None:
    demo = load_settings(EXAMPLE).model_copy(update={"database": settings.database})

    runs = {name: run_source(engine, demo, name) for name in sorted(DEMO_SOURCES)}

    assert {n: (r.status, r.added, r.errors) for n, r in runs.items()} == {
        name: (RunStatus.OK, count, []) for name, (_, count) in DEMO_SOURCES.items()
    }
