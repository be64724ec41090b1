"""Rows to records: pure functions from cells (as a reader gives them) to typed records.

A bad row becomes one `Problem` per bad cell, naming the row as the spreadsheet shows it and
the column as its header is written, and no record; the other rows still become records.
Rows are taken a batch at a time: a clean batch is read a column at a time (`batches`), the
rest row by row here, where every problem is worded.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import countOf
from typing import Any

from pydantic import ValidationError

from estate.inventory.records import Problem
from scanners.cmdb.batches import Batch, Columns
from scanners.cmdb.keys import FirstRows
from scanners.cmdb.layout import Layout
from scanners.cmdb.options import CmdbRecord
from scanners.cmdb.values import (
    SPREADSHEET_ERRORS,
    BadValue,
    Cell,
    Row,
    Unreadable,
    as_json,
    as_text,
    blank_to_none,
    read_text,
)


@dataclass(frozen=True)
class RowError:
    column: str | None
    reason: str


# Rows read a column at a time; a batch with a bad row is read in halves, down to `SMALLEST`
# rows read one by one, so a bad row costs its neighbours little. A batch's rows and records
# are some 5 objects a row that the garbage collector tracks: past ~700 alive at once every
# batch sets off a collection (at 256 rows, 1.3 us a row of collections; at 64, none).
BATCH = 64
SMALLEST = 16


def transform_rows(
    rows: Iterable[Row | Unreadable], layout: Layout
) -> Generator[CmdbRecord | Problem, None, int]:
    """Records for good rows, problems for bad ones; a key seen before makes a bad row.
    Returns how many problems it gave."""
    by_column = Columns(layout) if layout.fast and layout.make.fast else None
    first_rows = FirstRows()
    problems = 0
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        events = _batch(batch, layout, by_column, first_rows)
        del batch  # each batch's rows and records go before the next is read (see `BATCH`)
        problems += countOf(map(type, events), Problem)  # by type: pydantic's isinstance is slow
        yield from events
        del events
    return problems


def _batch(
    rows: list[Row | Unreadable],
    layout: Layout,
    by_column: Columns | None,
    first_rows: FirstRows,
) -> list[CmdbRecord | Problem]:
    """The rows' events: a column at a time (`by_column`) where the rows are clean, else row by
    row, in halves first so that the clean part of a batch is still read by column."""
    clean = by_column(rows) if by_column is not None else None
    if clean is not None:
        return _deduplicated(clean, layout, first_rows)
    if len(rows) > SMALLEST:
        half = len(rows) // 2
        return _batch(rows[:half], layout, by_column, first_rows) + _batch(
            rows[half:], layout, by_column, first_rows
        )
    events: list[CmdbRecord | Problem] = []
    for row in rows:
        events += _row(row, layout, first_rows)
    return events


def _deduplicated(
    batch: Batch, layout: Layout, first_rows: FirstRows
) -> list[CmdbRecord | Problem]:
    """The batch's records, but a problem for each whose key an earlier row had."""
    events: list[CmdbRecord | Problem] = batch.records  # type: ignore[assignment]
    for position, first in first_rows.firsts(batch.keys, batch.numbers):
        reason = f"duplicate key {batch.keys[position]!r}: first in row {first}"
        error = RowError(layout.columns.key.header, reason)
        events[position] = _problem(layout, batch.numbers[position], error)
    return events


def _row(
    row: Row | Unreadable, layout: Layout, first_rows: FirstRows
) -> list[CmdbRecord | Problem]:
    if isinstance(row, Unreadable):
        return [_problem(layout, row.number, RowError(None, row.reason))]
    number, cells = row
    if is_blank(cells):
        return []
    key = _key(cells, layout)
    first = first_rows.first(key, number) if isinstance(key, str) else None
    if first is not None:
        reason = f"duplicate key {key!r}: first in row {first}"
        return [_problem(layout, number, RowError(layout.columns.key.header, reason))]
    result = transform_row(cells, layout, key)
    if not isinstance(result, list):
        return [result]
    return [_problem(layout, number, error) for error in result]


def transform_row(
    cells: Sequence[Cell], layout: Layout, key: str | RowError | None = None
) -> CmdbRecord | list[RowError]:
    """One row's record, or every reason the row cannot be one (`key`: the row's key, where
    the caller has it already)."""
    if key is None:
        key = _key(cells, layout)
    values, errors = _values(cells, layout)
    if isinstance(key, RowError):
        errors.insert(0, key)
    if len(cells) > layout.width or _total_chars(cells) > layout.max_cell_chars:
        errors += _overflow(cells, layout) + _oversized(cells, layout)
    if errors:
        return errors
    assert isinstance(key, str)
    site = values.get("site")
    if isinstance(site, str) and site.lower() in layout.not_places:
        del values["site"]
    elif layout.site is not None and "site" not in values:
        values["site"] = layout.site
    return _record(key, values, _extra(cells, layout), layout)


def _values(cells: Sequence[Cell], layout: Layout) -> tuple[dict[str, Any], list[RowError]]:
    """The row's non-blank field values, parsed; and a reason for each cell that is bad."""
    if layout.fast and (quick := layout.quick(cells)) is not None:
        return quick, []
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    width = len(cells)
    # This loop runs for every cell of every row: the steps were worked out once per file.
    for field, index, header, read, required in layout.steps:
        try:
            cell = cells[index] if index < width else None
            if read is None and type(cell) is str:  # text, the common case, inline
                value = cell.strip() or None
                if value in SPREADSHEET_ERRORS:
                    raise BadValue(f"spreadsheet error {value!r}")
            else:
                value = (read or read_text)(cell)
        except BadValue as exc:
            errors.append(RowError(header, str(exc)))
            continue
        if value is not None:
            values[field] = value
        elif required:
            errors.append(RowError(header, f"blank, but every row needs a {field}"))
    return values, errors


def is_blank(cells: Sequence[Cell]) -> bool:
    try:
        return not "".join(cells).strip()  # type: ignore[arg-type]
    except TypeError:  # not all text (an XLSX row)
        pass
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _key(cells: Sequence[Cell], layout: Layout) -> str | RowError:
    column = layout.columns.key
    try:
        key = as_text(blank_to_none(_cell(cells, column.index)))
    except BadValue as exc:
        return RowError(column.header, str(exc))
    if key is None:
        return RowError(column.header, "blank, but it is the key: every row needs one")
    return key


def _cell(cells: Sequence[Cell], index: int) -> Cell:
    # Rows may be shorter than the header (a CSV line with trailing cells left off).
    return cells[index] if index < len(cells) else None


def _overflow(cells: Sequence[Cell], layout: Layout) -> list[RowError]:
    """Values beyond the last header usually mean an unquoted delimiter shifted the row."""
    beyond = cells[layout.width :]
    if is_blank(beyond):
        return []
    reason = (
        f"{len(cells)} cells but the header has {layout.width}"
        " (a value holding the delimiter without quotes?)"
    )
    return [RowError(None, reason)]


def _oversized(cells: Sequence[Cell], layout: Layout) -> list[RowError]:
    """Cells too long to keep, named by their column's header (or position past the header)."""
    limit = layout.max_cell_chars
    return [
        RowError(
            layout.headers[index] if index < len(layout.headers) else f"cell {index + 1}",
            f"{len(cell):,} characters: more than the {limit:,} a cell may hold"
            " (the source's max_cell_chars)",
        )
        for index, cell in enumerate(cells)
        if isinstance(cell, str) and len(cell) > limit
    ]


def _total_chars(cells: Sequence[Cell]) -> int:
    """An upper bound on any one cell's length: the sum of the text cells' lengths."""
    try:
        return sum(map(len, cells))  # type: ignore[arg-type]
    except TypeError:  # an XLSX row's numbers and dates
        return sum(len(c) for c in cells if isinstance(c, str))


def _extra(cells: Sequence[Cell], layout: Layout) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for name, column in layout.columns.extra.items():
        cell = _cell(cells, column.index)
        if isinstance(cell, str):
            cell = cell.strip() or None
        if cell is not None:
            extra[name] = as_json(cell)
    return extra


def _record(
    key: str, values: dict[str, Any], extra: dict[str, Any], layout: Layout
) -> CmdbRecord | list[RowError]:
    try:
        return layout.make(key, layout.scope, values, extra)  # type: ignore[return-value]
    except ValidationError as exc:
        return [_validation_error(error, values, layout) for error in exc.errors()]


def _validation_error(error: Any, values: dict[str, Any], layout: Layout) -> RowError:
    """A record's own check failed: name the column that fed the field, and its value."""
    field = str(error["loc"][0]) if error["loc"] else None
    column = layout.columns.fields.get(field or "")
    if field == "external_id":
        column = layout.columns.key
    header = column.header if column else field
    value = values.get(field or "", error.get("input"))
    return RowError(header, f"{error['msg']}: {value!r}")


def _problem(layout: Layout, number: int, error: RowError) -> Problem:
    return Problem(scope=layout.scope, reason=error.reason, row=number, column=error.column)
