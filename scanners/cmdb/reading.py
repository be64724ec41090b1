"""Streaming rows out of a CSV or XLSX export, one at a time, numbered as a spreadsheet shows.

Nothing here holds more than one row: a CSV is read through `csv.reader`, an XLSX through
openpyxl's read-only mode, so a file of a million rows reads in flat memory. A row the reader
cannot take is handed on as `Unreadable` (the transform reports it) and reading goes on: one bad
row never costs the rows after it.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Generator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from estate.files import csv_rows
from scanners.cmdb.options import DELIMITERS
from scanners.cmdb.values import Row, Unreadable

# Enough of a file to see its delimiter.
SAMPLE_CHARS = 64 * 1024

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls


class ReadError(Exception):
    """The file cannot be opened or read; the message says why, in the user's terms."""


class Rows:
    """An export's rows as they are read (iterate once, then `close`), and the day an XLSX
    workbook counts its date numbers from (1900 or 1904 system; None for a CSV)."""

    def __init__(
        self, rows: Generator[Row | Unreadable, None, None], epoch: datetime | None = None
    ) -> None:
        self._rows = rows
        self.epoch = epoch

    def __iter__(self) -> Iterator[Row | Unreadable]:
        return self._rows

    def close(self) -> None:
        self._rows.close()


def fetch_rows(
    path: Path, *, sheet: str | None = None, delimiter: str | None = None, encoding: str = "utf-8"
) -> Rows:
    """Every row of the file, blank ones included, as (row number, cells); header is row 1."""
    magic = _magic(path)
    if magic.startswith(_OLE):
        raise ReadError(f"{path.name} is an Excel 97-2003 workbook: save it as .xlsx or CSV")
    if magic.startswith(_ZIP) or path.suffix.lower() in (".xlsx", ".xlsm"):
        workbook = _open_workbook(path)
        return Rows(_xlsx_rows(path, workbook, sheet), workbook.epoch)
    return Rows(_csv_rows(path, delimiter, encoding))


def sniff_delimiter(sample: str) -> str:
    """The candidate that splits the sample's rows most consistently into most columns."""
    lines = sample.splitlines(keepends=True)
    if len(sample) >= SAMPLE_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last line was cut where the sample ends
    best, best_score = ",", (0.0, 0)
    for candidate in DELIMITERS:
        try:
            rows = [r for r in csv_rows(lines, delimiter=candidate) if any(c.strip() for c in r)]
        except csv.Error:
            continue  # a cell past csv's limit in the sample: judge by the other candidates
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(len(r) == width for r in rows) / len(rows), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _magic(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(4)
    except FileNotFoundError:
        raise ReadError(f"file not found: {path}") from None
    except OSError as exc:
        raise ReadError(f"cannot open {path}: {exc.strerror}") from None


def _csv_rows(
    path: Path, delimiter: str | None, encoding: str
) -> Generator[Row | Unreadable, None, None]:
    try:
        with path.open(encoding=encoding, newline="") as handle:
            if delimiter is None:
                delimiter = sniff_delimiter(handle.read(SAMPLE_CHARS))
                handle.seek(0)
            yield from numbered(csv_rows(handle, delimiter=delimiter))
    except UnicodeDecodeError as exc:
        # The text layer decodes ahead in chunks, so find the line again for the message.
        line = _first_undecodable_line(path, encoding)
        raise ReadError(
            f"not {encoding} text: line {line} has byte {exc.object[exc.start : exc.end]!r};"
            " set the source's `encoding` option, e.g. 'cp1252'"
        ) from None
    except OSError as exc:
        raise ReadError(f"cannot read {path}: {exc.strerror or exc}") from None


def numbered(reader: Iterator[list[str]]) -> Generator[Row | Unreadable, None, None]:
    """The reader's records numbered from 1; one it cannot parse is reported and skipped (the
    csv reader goes on from the next line)."""
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Unreadable(number, f"not valid CSV: {exc}")
            continue
        yield number, cells


def _first_undecodable_line(path: Path, encoding: str) -> int | None:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as handle:
        for line, raw in enumerate(handle, start=1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError:
                return line
    return None


def _open_workbook(path: Path) -> Any:
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike: the file is not usable
        raise ReadError(f"{path.name} is not a valid XLSX workbook: {exc}") from None


def _xlsx_rows(
    path: Path, workbook: Any, sheet: str | None
) -> Generator[Row | Unreadable, None, None]:
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            raise ReadError(f"{path.name} has no sheet {sheet!r} (sheets: {names})")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        # Exporters often write a wrong <dimension>; without this openpyxl trusts it and
        # stops early. Rows then come unpadded, which the transform allows for.
        worksheet.reset_dimensions()
        number = 0
        try:
            for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield number, cells
        except Exception as exc:  # a corrupt sheet part surfaces only while reading
            raise ReadError(f"{path.name}: cannot read row {number + 1}: {exc}") from None
    finally:
        workbook.close()
