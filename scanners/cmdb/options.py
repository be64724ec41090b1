"""What a `kind = "cmdb"` source's `options` may say, checked when the config is loaded."""

from __future__ import annotations

import codecs
from typing import Literal

from pydantic import Field, model_validator

from estate.inventory.records import ApplicationRecord, DeviceRecord, ServerRecord
from scanners.base import ScannerOptions

Entity = Literal["server", "device", "application"]

CmdbRecord = ServerRecord | DeviceRecord | ApplicationRecord
RECORDS: dict[str, type[CmdbRecord]] = {
    "server": ServerRecord,
    "device": DeviceRecord,
    "application": ApplicationRecord,
}
# Record fields a file never fills: identity, bookkeeping and the catch-all.
NOT_COLUMNS = frozenset({"external_id", "scope", "match_only", "extra"})
# The field whose column is the key when `key` is not set.
DEFAULT_KEY = {"server": "hostname", "device": "asset_tag", "application": "name"}
# Fields each entity cannot do without: their columns must exist and their cells be filled.
REQUIRED = {"server": ("hostname",), "device": (), "application": ("name",)}
DELIMITERS = (",", ";", "\t", "|")


def record_fields(entity: str) -> tuple[str, ...]:
    """The fields of an entity's record that a column can fill, in declaration order."""
    return tuple(f for f in RECORDS[entity].model_fields if f not in NOT_COLUMNS)


class CmdbOptions(ScannerOptions):
    """One CSV or XLSX export of servers, devices or applications."""

    # Relative to the directory of estate.toml; also the scope of every record read from it.
    path: str = Field(min_length=1)
    entity: Entity
    # The header whose cells are the records' external_id; default: the entity's natural key.
    key: str | None = None
    # Record field -> header in the file, overriding the automatic matching.
    columns: dict[str, str] = Field(default_factory=dict)
    # Per field, source value -> our value (applied before enum matching).
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    # XLSX: the sheet to read; default the first.
    sheet: str | None = None
    # CSV: default sniffed among , ; tab and |.
    delimiter: str | None = None
    encoding: str = "utf-8-sig"
    # The site of rows that do not name one.
    site: str | None = None
    # Site cells that are not places (matched without regard to case): such a row names no
    # site (nor `site` above), so "Remote" never becomes a site with a hosting page.
    not_places: list[str] = Field(default_factory=lambda: ["Remote", "Home", "Unknown"])
    # A cell longer than this makes its row a problem (reported, not imported): a notes
    # column may be long, but a cell of megabytes is a broken export, not a fact.
    max_cell_chars: int = Field(default=1_000_000, ge=1_000, le=100_000_000)

    @model_validator(mode="after")
    def _known_fields(self) -> CmdbOptions:
        fields = record_fields(self.entity)
        for option in ("columns", "values"):
            unknown = sorted(set(getattr(self, option)) - set(fields))
            if unknown:
                raise ValueError(
                    f"{option}: {', '.join(unknown)} is not a field of a {self.entity}"
                    f" record; expected one of: {', '.join(fields)}"
                )
        if self.site is not None and "site" not in fields:
            raise ValueError(f"site: {self.entity} records have no site")
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ValueError("delimiter: expected one character such as ';' or '\\t'")
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ValueError(f"encoding: unknown encoding {self.encoding!r}") from None
        return self
