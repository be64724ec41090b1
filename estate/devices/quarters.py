"""UK financial years (April to March) and their quarters, as the replacement forecast counts
them: a quarter as one number, start year * 4 + quarter - 1, in Python and in SQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, extract


def financial_year_label(start_year: int) -> str:
    """The UK financial year starting in April of `start_year`: 2026 -> "2026/27"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_quarter(on: date) -> tuple[str, str]:
    """The financial year and quarter a date falls in: 2027-01-15 -> ("2026/27", "Q4")."""
    start = on.year if on.month >= 4 else on.year - 1
    return financial_year_label(start), f"Q{(on.month - 4) % 12 // 3 + 1}"


def due_period(due: Any) -> ColumnElement[Any]:
    """A due date's financial-year quarter as one number (start year * 4 + quarter - 1)."""
    month = extract("month", due)
    start_year = extract("year", due) - case((month < 4, 1), else_=0)
    quarter_index = case((month < 4, 3), (month < 7, 0), (month < 10, 1), else_=2)
    return start_year * 4 + quarter_index


def period_of(on: date) -> int:
    start = on.year if on.month >= 4 else on.year - 1
    return start * 4 + (on.month - 4) % 12 // 3


__all__ = ["due_period", "financial_quarter", "financial_year_label", "period_of"]
