"""Shared by the bench scripts: result rows, bench/results/<name>.json and a printed table.

Importable as `common` from a script in bench/ (the script's directory is first on sys.path).
Running this file does nothing: `make bench` runs every bench/*.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


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
    """Write bench/results/<name>.json (a list of result objects) and print the table."""
    rows = list(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps([r.as_json() for r in rows], indent=2) + "\n")
    print(format_table(rows))
    print(f"wrote {path}")
    return path


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
