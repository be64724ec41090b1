"""Where a file's values sit and how to read them: worked out once per file, from its header."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from scanners.cmdb.columns import ColumnMap
from scanners.cmdb.making import RecordMaker
from scanners.cmdb.options import RECORDS, REQUIRED, CmdbOptions, CmdbRecord
from scanners.cmdb.quick import QuickValues
from scanners.cmdb.values import Cell, CellReader, Parser, Recoder, cell_reader
from scanners.cmdb.values import parsers as parsers_for


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
    def steps(self) -> tuple[tuple[str, int, str, CellReader | None, bool], ...]:
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


def _func(parser: Parser) -> Any:
    return getattr(parser, "func", parser)  # a partial's function
