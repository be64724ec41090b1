"""Cell values to typed field values: text, numbers, UK or ISO dates, enums, lists.

Every parser takes one cell as the reader gives it (a string from CSV; a string, number, date
or datetime from XLSX) with blanks already turned into None, and raises `BadValue` saying why
a value cannot be used.
"""

from __future__ import annotations

import contextlib
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, partial
from typing import Any, Literal, Union, get_args, get_origin

from openpyxl.utils.datetime import from_excel
from pydantic import AwareDatetime

from estate.inventory.records import Record

Cell = str | int | float | bool | date | datetime | time | None
Parser = Callable[[Cell], Any]
Row = tuple[int, Sequence[Cell]]  # (row number as the spreadsheet shows it, cells)


@dataclass(frozen=True)
class Unreadable:
    """A row the reader could not make cells of, and why; the rows after it still come."""

    number: int
    reason: str


# Distinct texts a column's reader keeps the outcome of: a column of a few dozen values (types,
# models, departments, dates) is parsed once per value; one of unique values soon stops growing.
READER_MEMORY = 4096
# What spreadsheets put in a cell whose formula failed: never a value.
SPREADSHEET_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#GETTING_DATA"}
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
# Day first, always: a council's exports are UK; 03/25/2021 is an error, never 25 March.
_UK_DATE = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?")
_UK_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?")
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[-+]?\.\d+")
_CURRENCY = re.compile(r"^([-+]?)[£$€]")
_LIST_SEPARATORS = re.compile(r"[;|\r\n]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# Per enum field, what exports call each of our values (compared squashed: "Powered On" ->
# "poweredon"); our own values always match.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "kind": {
        "physical": ("hardware", "bare metal", "baremetal", "physical server"),
        "virtual": ("vm", "virtual machine", "virtual server"),
    },
    "device_type": {
        "laptop": ("notebook",),
        "desktop": ("desktop pc", "workstation", "pc"),
        "thin-client": ("thin client",),
        "tablet": ("ipad",),
        "phone": ("mobile phone", "mobile", "smartphone"),
    },
    "power_state": {
        "on": ("powered on", "running"),
        "off": ("powered off", "stopped"),
        "suspended": ("paused",),
    },
}


class BadValue(ValueError):
    """A cell's value cannot be used; the message names the value and what was expected."""


def squash(value: str) -> str:
    return _NOT_ALNUM.sub("", value.lower())


def blank_to_none(cell: Cell) -> Cell:
    """Strip strings; whitespace-only cells are None; formula errors are bad values."""
    if isinstance(cell, str):
        cell = cell.strip()
        if cell in SPREADSHEET_ERRORS:
            raise BadValue(f"spreadsheet error {cell!r}")
        return cell or None
    return cell


def as_text(cell: Cell) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        # XLSX stores 10023 typed into a cell as 10023.0 in some exports.
        return str(int(cell))
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell)


def as_number(cell: Cell) -> float | None:
    if cell is None:
        return None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(cell)
    if not isinstance(cell, str):
        raise BadValue(f"not a number: {as_text(cell)!r}")
    text = _CURRENCY.sub(r"\1", cell.replace(" ", ""))
    if not _NUMBER.fullmatch(text):
        raise BadValue(f"not a number: {cell!r}")
    return float(text.replace(",", ""))


def as_int(cell: Cell) -> int | None:
    number = as_number(cell)
    if number is None:
        return None
    if not number.is_integer():
        raise BadValue(f"not a whole number: {as_text(cell)!r}")
    return int(number)


def as_date(cell: Cell, epoch: datetime | None = None) -> date | None:
    """A day: an XLSX date cell, an XLSX number counted from the workbook's `epoch` (Excel keeps
    a date cell without a date format as its serial number), or text in ISO or UK order (never
    US: 03/04 is the 3rd of April)."""
    if cell is None:
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if epoch is not None and _is_serial(cell):
        return _from_excel(cell, epoch).date()
    if isinstance(cell, str):
        if match := _ISO_DATE.fullmatch(cell):
            year, month, day = match.group(1, 2, 3)
        elif match := _UK_DATE.fullmatch(cell):
            day, month, year = match.group(1, 3, 4)
        else:
            raise BadValue(f"not a date (expected YYYY-MM-DD or DD/MM/YYYY): {cell!r}")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise BadValue(f"not a real date (day first, DD/MM/YYYY): {cell!r}") from None
    raise BadValue(f"not a date (expected YYYY-MM-DD or DD/MM/YYYY): {as_text(cell)!r}")


def as_datetime(cell: Cell, epoch: datetime | None = None) -> datetime | None:
    """A moment; one without a zone is taken as UTC. An XLSX number counts days (and parts of
    days) from the workbook's `epoch`."""
    if cell is None:
        return None
    if epoch is not None and _is_serial(cell):
        moment = _from_excel(cell, epoch)
    else:
        moment = cell if isinstance(cell, datetime) else _moment(cell)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# Excel's serials from day 1 to 31 December 9999.
_LAST_SERIAL = 2_958_465


def _is_serial(cell: Cell) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


def _from_excel(cell: Cell, epoch: datetime) -> datetime:
    assert isinstance(cell, int | float)
    if not 0 < cell <= _LAST_SERIAL:
        raise BadValue(f"not a date: {cell!r} is outside Excel's days 1 to {_LAST_SERIAL}")
    moment: datetime = from_excel(cell, epoch)
    return moment


def _moment(cell: Cell) -> datetime:
    if isinstance(cell, str):
        if match := _UK_DATETIME.fullmatch(cell):
            day, month, year, hour, minute, second = (int(g or 0) for g in match.groups())
            try:
                return datetime(year, month, day, hour, minute, second)
            except ValueError:
                raise BadValue(f"not a real date and time: {cell!r}") from None
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(cell)
    day_only = as_date(cell)
    assert day_only is not None
    return datetime.combine(day_only, time())


def as_enum(cell: Cell, *, field: str, allowed: tuple[str, ...]) -> str | None:
    text = as_text(cell)
    if text is None:
        return None
    value = _enum_words(field, allowed).get(squash(text))
    if value is None:
        raise BadValue(f"unknown {field} {text!r}; expected one of: {', '.join(allowed)}")
    return value


@cache
def _enum_words(field: str, allowed: tuple[str, ...]) -> dict[str, str]:
    """Every squashed word that means one of `allowed`: the values themselves and synonyms."""
    synonyms = SYNONYMS.get(field, {})
    words = {squash(s): v for v in allowed for s in synonyms.get(v, ())}
    return words | {squash(v): v for v in allowed}


def as_list(cell: Cell) -> tuple[str, ...] | None:
    text = as_text(cell)
    if text is None:
        return None
    items = tuple(p.strip() for p in _LIST_SEPARATORS.split(text) if p.strip())
    return items or None


def as_json(cell: Cell) -> str | int | float | bool | None:
    """A cell as a JSON-able value for `extra`: dates and times as ISO text."""
    if isinstance(cell, date | time):
        return cell.isoformat()
    return cell


def parser_for(field: str, annotation: Any, epoch: datetime | None = None) -> Parser:
    """The parser for a record field, chosen by its type; dates and times read an XLSX
    workbook's numbers from its `epoch`."""
    kind = without_none(annotation)
    if get_origin(kind) is Literal:
        return partial(as_enum, field=field, allowed=tuple(v for v in get_args(kind) if v))
    if get_origin(kind) is tuple:
        return as_list
    parsers: dict[Any, Parser] = {
        int: as_int,
        float: as_number,
        date: partial(as_date, epoch=epoch),
        datetime: partial(as_datetime, epoch=epoch),
        AwareDatetime: partial(as_datetime, epoch=epoch),
    }
    return parsers.get(kind, as_text)


def parsers(
    record: type[Record], fields: tuple[str, ...], epoch: datetime | None = None
) -> dict[str, Parser]:
    return {f: parser_for(f, record.model_fields[f].annotation, epoch) for f in fields}


def without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


class Recoder:
    """The `values` option: per field, a source's own words for our values, any case."""

    def __init__(self, values: Mapping[str, Mapping[str, str]]) -> None:
        self.values = {
            field: {source.strip().casefold(): ours for source, ours in mapping.items()}
            for field, mapping in values.items()
        }

    def __call__(self, field: str, cell: Cell) -> Cell:
        mapping = self.values.get(field)
        text = None if mapping is None else as_text(cell)
        if mapping is None or text is None:
            return cell
        return mapping.get(text.casefold(), cell)


def cell_reader(field: str, parse: Parser, recode: Recoder) -> CellReader | None:
    """The field's `CellReader`; None for a text field without recoding: `read_text`, which
    the callers inline for text cells."""
    if parse is as_text and field not in recode.values:
        return None
    return CellReader(field, parse, recode)


class CellReader:
    """`blank_to_none`, the `values` recoding and the field's parser as one function of a raw
    cell. A text cell's outcome (its value, or why it is bad) is kept for the next cell alike:
    the same pure functions, run once per distinct text."""

    def __init__(self, field: str, parse: Parser, recode: Recoder) -> None:
        self._field, self._parse, self._recode = field, parse, recode
        self._mapped = field in recode.values
        self._good: dict[str, Any] = {}
        self._bad: dict[str, str] = {}

    def __call__(self, cell: Cell) -> Any:
        if type(cell) is not str:  # 1, 1.0 and True are one dict key, but not one value
            return self._read(cell)
        try:
            return self._good[cell]
        except KeyError:
            pass
        if cell in self._bad:
            raise BadValue(self._bad[cell])
        keep = len(self._good) + len(self._bad) < READER_MEMORY
        try:
            value = self._read(cell)
        except BadValue as exc:
            if keep:
                self._bad[cell] = str(exc)
            raise
        if keep:
            self._good[cell] = value
        return value

    def column(self, cells: Sequence[str]) -> list[Any] | None:
        """Each text cell's value, or None if any is bad: the kept values looked up all at once
        (C-level `map`), the texts not kept yet read one by one."""
        try:
            return list(map(self._good.__getitem__, cells))
        except KeyError:
            pass
        try:
            return list(map(self, cells))
        except BadValue:
            return None

    def _read(self, cell: Cell) -> Any:
        cell = blank_to_none(cell)
        if cell is not None and self._mapped:
            cell = blank_to_none(self._recode(self._field, cell))
        return None if cell is None else self._parse(cell)


def read_text(cell: Cell) -> str | None:
    return as_text(blank_to_none(cell))
