"""The `cmdb` scanner: one CSV or XLSX export of servers, devices or applications per source.

One file is one scope, named by the `path` option as configured. Bad rows are reported and
skipped, which leaves the scope incomplete (nothing is marked missing); a file that cannot be
read, or lacks a required column, yields no records at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from estate.config import Settings, SourceConfig
from estate.inventory.records import Event, Problem, ScopeEnd
from scanners.base import ScannerOptions, SourceScanner
from scanners.cmdb.columns import MissingColumns, map_columns
from scanners.cmdb.layout import Layout
from scanners.cmdb.options import CmdbOptions
from scanners.cmdb.reading import ReadError, Rows, fetch_rows
from scanners.cmdb.transform import is_blank, transform_rows
from scanners.cmdb.values import Unreadable


class CmdbScanner(SourceScanner[CmdbOptions]):
    kind: ClassVar[str] = "cmdb"
    Options: ClassVar[type[ScannerOptions]] = CmdbOptions

    def __init__(self, source: SourceConfig, options: CmdbOptions, settings: Settings) -> None:
        super().__init__(source, options, settings)
        self.file = settings.config_dir / Path(options.path).expanduser()

    def collect(self) -> Iterator[Event]:
        scope = self.options.path
        rows: Rows | None = None
        failed = False
        try:
            rows = fetch_rows(
                self.file,
                sheet=self.options.sheet,
                delimiter=self.options.delimiter,
                encoding=self.options.encoding,
            )
            layout = self._layout(rows)
            if isinstance(layout, Problem):
                yield layout
                failed = True
            else:
                failed = (yield from transform_rows(rows, layout)) > 0
        except ReadError as exc:
            yield Problem(scope=scope, reason=str(exc), target=str(self.file))
            failed = True
        finally:
            if rows is not None:
                rows.close()
        yield ScopeEnd(scope=scope, complete=not failed)

    def _layout(self, rows: Rows) -> Layout | Problem:
        """Read up to the header (the first row with anything in it) and map its columns."""
        scope, target = self.options.path, str(self.file)
        header = next((r for r in rows if isinstance(r, Unreadable) or not is_blank(r[1])), None)
        if header is None:
            return Problem(scope=scope, reason="the file has no header row", target=target)
        if isinstance(header, Unreadable):
            reason = f"the header row is unreadable: {header.reason}"
            return Problem(scope=scope, reason=reason, row=header.number, target=target)
        number, cells = header
        columns = map_columns(cells, self.options)
        if isinstance(columns, MissingColumns):
            names = ", ".join(columns.names)
            return Problem(scope=scope, reason=columns.reason, row=number, column=names)
        return Layout.build(self.options, columns, cells, rows.epoch)
