"""Rows to records a batch at a time, column by column, for the batches nothing is wrong with.

Most exports are clean: every row as wide as the header, every cell text, every value good.
For such a batch each check and conversion runs over a whole column with C-level `map`, `zip`
and set operations (stripping, spreadsheet errors, blanks, the readers' kept values, length
bounds) and `RecordMaker.many` builds the records the same way, so the Python work per row is
little more than the duplicate-key check. At the first sign of trouble in any row the batch is
given back (None) and `transform` reads it row by row, so every problem is still worded there
alone: a batch read here gives exactly what reading it row by row gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any

from scanners.cmdb.layout import Layout
from scanners.cmdb.options import CmdbRecord
from scanners.cmdb.values import SPREADSHEET_ERRORS, Row, Unreadable

_BLANK = {"": None}  # `_BLANK.get(text, text)`: a stripped blank as None, other text as it is
# Each field's column of values, and the fields with a blank in the batch.
Fields = tuple[dict[str, Sequence[Any]], set[str]]


@dataclass(frozen=True)
class Batch:
    """A clean batch: its row numbers, keys and records, in order."""

    numbers: Sequence[int]
    keys: list[str]
    records: list[CmdbRecord]


class Columns:
    """What `Layout` knows, arranged for reading a batch a column at a time."""

    def __init__(self, layout: Layout) -> None:
        self._layout = layout
        self._key = layout.columns.key.index
        self._width = layout.width
        self._limit = layout.max_cell_chars
        self._steps = tuple(
            (field, index, read, required) for field, index, _, read, required in layout.steps
        )
        self._extra = tuple(layout.columns.extra)
        self._extra_at = tuple(column.index for column in layout.columns.extra.values())

    def __call__(self, rows: Sequence[Row | Unreadable]) -> Batch | None:
        """The batch's records, or None if any row needs reading on its own."""
        if any(map(isinstance, rows, repeat(Unreadable))):
            return None
        numbers, lines = zip(*rows, strict=True)
        text = self._text(lines)
        if text is None:
            return None
        cells = list(zip(*lines, strict=True))
        # Every spreadsheet error starts with "#": a batch without one has none to look for.
        marked = "#" in text
        keys = list(map(str.strip, cells[self._key]))
        if not all(keys) or (marked and not SPREADSHEET_ERRORS.isdisjoint(keys)):
            return None  # a blank row, a blank key or a formula error for one
        fields = self._fields(cells, keys, marked)
        if fields is None:
            return None
        layout = self._layout
        extras = self._extras(cells, len(keys))
        records = layout.make.many(keys, layout.scope, *fields, extras)
        return None if records is None else Batch(numbers, keys, records)  # type: ignore[arg-type]

    def _text(self, lines: Sequence[Sequence[Any]]) -> str | None:
        """The batch's cells run together, if every row is as wide as the header, every cell is
        text and none is longer than a cell may hold."""
        if set(map(len, lines)) != {self._width}:
            return None
        try:
            text = "".join(map("".join, lines))
        except TypeError:  # a number, date or empty cell (XLSX)
            return None
        if len(text) > self._limit and max(map(len, chain.from_iterable(lines))) > self._limit:
            return None
        return text

    def _fields(self, cells: list[tuple[str, ...]], keys: list[str], marked: bool) -> Fields | None:
        """Each field's column of values (None where blank) and the fields with a blank; None
        if a cell is bad (`marked`: some cell holds a "#", so maybe a spreadsheet error)."""
        values: dict[str, Sequence[Any]] = {}
        gaps: set[str] = set()
        for field, index, read, required in self._steps:
            if read is not None:
                column = read.column(cells[index])
                if column is None:
                    return None
                if None in column:
                    if required:
                        return None
                    gaps.add(field)
            else:
                column = keys if index == self._key else list(map(str.strip, cells[index]))
                if marked and not SPREADSHEET_ERRORS.isdisjoint(column):
                    return None
                if "" in column:
                    if required:
                        return None
                    column = list(map(_BLANK.get, column, column))
                    gaps.add(field)
            values[field] = column
        self._site(values, gaps, len(keys))
        return values, gaps

    def _site(self, values: dict[str, Sequence[Any]], gaps: set[str], count: int) -> None:
        """Site cells that name no place are no site; blank ones are the source's `site`."""
        default, not_places = self._layout.site, self._layout.not_places
        sites = values.get("site")
        if sites is None:
            if default is not None:
                values["site"] = [default] * count
            return
        placeless = not not_places.isdisjoint(map(str.lower, filter(None, sites)))
        if placeless or (default is not None and "site" in gaps):
            sites = [
                default if site is None else None if site.lower() in not_places else site
                for site in sites
            ]
            values["site"] = sites
            gaps.discard("site")
            if None in sites:
                gaps.add("site")

    def _extras(self, cells: list[tuple[str, ...]], count: int) -> list[dict[str, Any]]:
        """Each row's `extra`: the other columns' non-blank cells, stripped."""
        if not self._extra:
            return [{} for _ in range(count)]
        columns = [list(map(str.strip, cells[index])) for index in self._extra_at]
        rows = zip(*columns, strict=True)
        if any("" in column for column in columns):
            return [{k: v for k, v in zip(self._extra, row, strict=True) if v} for row in rows]
        return list(map(dict, map(zip, repeat(self._extra), rows)))
