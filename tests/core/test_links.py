"""Linking does not depend on hash order: two workloads naming one server two ways (its host
name, its FQDN) both link to it, the same way under every PYTHONHASHSEED, and an unchanged
rescan writes nothing (its counts and its change rows agree)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import fresh_database

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (0, 1, 2, 7, 42, 31337)


def run_with_seed(url: str, seed: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.core.link_scenario", url],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": str(seed)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_a_server_named_two_ways_links_both_workloads_under_every_hash_seed(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    results = []
    for seed in SEEDS:
        with fresh_database(tmp_path_factory) as url:
            results.append(run_with_seed(url, seed))

    assert results == [{"links": {"i-a": 1, "i-b": 1}, "changed": 0, "change_rows": 0}] * len(SEEDS)
