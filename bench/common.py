"""Shared by the bench scripts: result rows, bench/results/<name>.json and a printed table.

Importable as `common` from a script in bench/ (the script's directory is first on sys.path).
Running this file does nothing: `make bench` runs every bench/*.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

RESULTS = Path(__file__).resolve().parent / "results"
PG_ADMIN_URL = os.environ.get("ESTATE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASES = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Result:
    """One figure beside the baseline measured in the same run; `met` is printed, not written."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: str | None = None
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return round(self.value / self.baseline, 3)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "target": self.target,
        }


def write_results(name: str, rows: Iterable[Result]) -> Path:
    """Write bench/results/<name>.json (a list of result objects) and print the table, the host's
    load beside the figures: on a shared host the same run can be three times slower."""
    rows = [*rows, *host_load()]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps([r.as_json() for r in rows], indent=2) + "\n")
    print(format_table(rows))
    print(f"wrote {path}")
    return path


def alternated(
    rounds: int, before: Callable[[], float], after: Callable[[], float], names: tuple[str, str]
) -> tuple[float, float]:
    """The medians of `before` and `after`, each measured `rounds` times, alternately: one run
    of either swings with the host's load (a first run here can be 2.5x the next)."""
    befores, afters = [], []
    for n in range(rounds):
        befores.append(before())
        afters.append(after())
        print(f"round {n + 1}: {names[0]} {befores[-1]:.1f} s, {names[1]} {afters[-1]:.1f} s")
    return statistics.median(befores), statistics.median(afters)


def within_ratio(name: str, value: float, baseline: float, target_ratio: float) -> Result:
    """A time in seconds beside its baseline, met when no more than target_ratio of it."""
    return Result(
        name, round(value, 1), "s", round(baseline, 1), f"<= {target_ratio}x",
        value <= target_ratio * baseline,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def host_load() -> list[Result]:
    """The host's load averages as the figures are written, and how many CPUs it has."""
    one, five, fifteen = os.getloadavg()
    return [
        Result("host load average, last 1 min", round(one, 2), "load"),
        Result("host load average, last 5 min", round(five, 2), "load"),
        Result("host load average, last 15 min", round(fifteen, 2), "load"),
        Result("host CPUs", float(os.cpu_count() or 0), "cpus"),
    ]


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def format_table(rows: Iterable[Result]) -> str:
    header = ("name", "value", "unit", "baseline", "ratio", "target", "met")
    lines = [
        (
            r.name,
            _figure(r.value),
            r.unit,
            _figure(r.baseline),
            _figure(r.ratio),
            r.target or "-",
            {True: "yes", False: "NO", None: "-"}[r.met],
        )
        for r in rows
    ]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]
    numeric = {1, 3, 4}

    def render(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([render(header), rule, *(render(line) for line in lines)])


@contextmanager
def fresh_database(kind: str, workdir: str) -> Iterator[str]:
    """An empty database of the kind, dropped (or left in workdir, deleted with it) after."""
    name = f"estate_bench_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        yield f"sqlite:///{os.path.join(workdir, name)}.db"
        return
    admin = create_engine(
        make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_reachable() -> bool:
    try:
        admin = create_engine(make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg"))
        with admin.connect():
            pass
        admin.dispose()
        return True
    except Exception as exc:
        print(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
        return False


def database_parser(doc: str | None) -> argparse.ArgumentParser:
    """A script's options: described by its docstring's first line, with --db (repeatable;
    every database when not given)."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--db", choices=DATABASES, action="append")
    return parser


def main_on_databases(
    name: str,
    doc: str | None,
    option: str,
    default: int,
    bench: Callable[[str, str, int], list[Result]],
) -> None:
    """The main of a script measuring bench(database, workdir, n), n given by `option`."""
    parser = database_parser(doc)
    parser.add_argument(option, type=int, default=default)
    args = parser.parse_args()
    n = getattr(args, option.lstrip("-").replace("-", "_"))
    run_on_databases(name, args.db, lambda db, workdir: bench(db, workdir, n))


def run_on_databases(
    name: str,
    databases: Iterable[str] | None,
    bench: Callable[[str, str], list[Result]],
    first: Iterable[Result] = (),
) -> None:
    """bench(database, workdir) on each database (PostgreSQL is skipped when unreachable,
    except under CI=true), then bench/results/<name>.json, after any `first` rows measured
    apart from the databases, and the targets missed."""
    rows: list[Result] = list(first)
    workdir = tempfile.mkdtemp(prefix=f"estate-bench-{name}-")
    try:
        for db in databases or DATABASES:
            if db == "postgresql" and not postgres_reachable():
                if os.environ.get("CI") == "true":
                    raise SystemExit("PostgreSQL is required under CI=true")
                print("== postgresql SKIPPED")
                continue
            rows += bench(db, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    write_results(name, rows)
    missed = [r.name for r in rows if r.met is False]
    print("targets missed: " + ", ".join(missed) if missed else "all targets met")


def against_health(
    label: str,
    paths: Iterable[tuple[str, str]],
    figures: dict[str, tuple[float, float]],
    ratio_target: float,
    p99_target_ms: float,
) -> list[Result]:
    """Each endpoint's throughput and p99 beside /health's (figures["health"]), measured in
    the same run."""
    health_rps, health_p99 = figures["health"]
    rows: list[Result] = []
    for name, path in paths:
        rps, p99 = figures[name]
        rows += [
            Result(
                f"{label}: GET {path} throughput (req/s)",
                round(rps, 1),
                "req/s",
                round(health_rps, 1),
                f">= {ratio_target}x /health",
                rps >= ratio_target * health_rps,
            ),
            Result(
                f"{label}: GET {path} p99 (ms)",
                round(p99, 2),
                "ms",
                round(health_p99, 2),
                f"<= {p99_target_ms:g} ms",
                p99 <= p99_target_ms,
            ),
        ]
    return rows
