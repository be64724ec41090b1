"""Rows to records: pure functions from cells (as a reader gives them) to typed records.

A bad row becomes one `Problem` per bad cell, naming the row as the spreadsheet shows it and
the column as its header is written, and no record; the other rows still become records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from pydantic import ValidationError

from estate.inventory.records import Problem
from scanners.cmdb.columns import ColumnMap
from scanners.cmdb.keys import FirstRows
from scanners.cmdb.making import RecordMaker
from scanners.cmdb.options import RECORDS, REQUIRED, CmdbOptions, CmdbRecord
from scanners.cmdb.quick import QuickValues
from scanners.cmdb.values import (
    SPREADSHEET_ERRORS,
    BadValue,
    Cell,
    Parser,
    Reader,
    Recoder,
    Row,
    Unreadable,
    as_json,
    as_text,
    blank_to_none,
    cell_reader,
    read_text,
)
from scanners.cmdb.values import parsers as parsers_for


@dataclass(frozen=True)
class RowError:
    column: str | None
    reason: str


@dataclass(frozen=True)
class Layout:
    """Everything a row needs to become a record: where its values sit and how to read them."""

    scope: str
    record: type[CmdbRecord]
    columns: ColumnMap
    parsers: dict[str, Parser]
    recode: Recoder
    required: tuple[str, ...]
    site: str | None
    not_places: frozenset[str]  # site values, lower-case, that name no place
    headers: tuple[str, ...]  # the header row's cells as written
    max_cell_chars: int
    fast: bool = True  # records made by `RecordMaker`'s fast path where it can vouch for them

    @cached_property
    def make(self) -> RecordMaker:
        # The fast path relies on the readers `parsers_for` picks: values of the field's type.
        chosen = parsers_for(self.record, tuple(self.parsers))
        own = all(_func(self.parsers[f]) is _func(p) for f, p in chosen.items())
        return RecordMaker(self.record, tuple(self.columns.fields), self.fast and own)

    @cached_property
    def quick(self) -> QuickValues:
        return QuickValues(self.steps)

    @cached_property
    def steps(self) -> tuple[tuple[str, int, str, Reader | None, bool], ...]:
        """Per field: (field, cell index, header, reader, required and not the key); the
        reader is None for a plain text field."""
        key = self.columns.key.index
        return tuple(
            (field, column.index, column.header,
             cell_reader(field, self.parsers[field], self.recode),
             field in self.required and column.index != key)
            for field, column in self.columns.fields.items()
        )  # fmt: skip

    @property
    def width(self) -> int:
        """Cells in the header row."""
        return len(self.headers)

    @classmethod
    def build(
        cls,
        options: CmdbOptions,
        columns: ColumnMap,
        header: Sequence[Cell],
        epoch: datetime | None = None,
        fast: bool = True,
    ) -> Layout:
        """How to read the rows under this header; `epoch` is an XLSX workbook's day 0, for
        the date cells it stores as numbers."""
        record = RECORDS[options.entity]
        return cls(
            scope=options.path,
            record=record,
            columns=columns,
            parsers=parsers_for(record, tuple(columns.fields), epoch),
            recode=Recoder(options.values),
            required=REQUIRED[options.entity],
            site=options.site,
            not_places=frozenset(v.strip().lower() for v in options.not_places),
            headers=tuple("" if c is None else str(c).strip() for c in header),
            max_cell_chars=options.max_cell_chars,
            fast=fast,
        )


def transform_rows(
    rows: Iterable[Row | Unreadable], layout: Layout
) -> Iterator[CmdbRecord | Problem]:
    """Records for good rows, problems for bad ones; a key seen before makes a bad row."""
    first_rows = FirstRows()
    for row in rows:
        if isinstance(row, Unreadable):
            yield _problem(layout, row.number, RowError(None, row.reason))
            continue
        number, cells = row
        if is_blank(cells):
            continue
        key = _key(cells, layout)
        first = first_rows.first(key, number) if isinstance(key, str) else None
        if first is not None:
            reason = f"duplicate key {key!r}: first in row {first}"
            yield _problem(layout, number, RowError(layout.columns.key.header, reason))
            continue
        result = transform_row(cells, layout, key)
        if not isinstance(result, list):
            yield result
        else:
            yield from (_problem(layout, number, error) for error in result)


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


def _func(parser: Parser) -> Any:
    return getattr(parser, "func", parser)  # a partial's function


def _problem(layout: Layout, number: int, error: RowError) -> Problem:
    return Problem(scope=layout.scope, reason=error.reason, row=number, column=error.column)
