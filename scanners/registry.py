"""Every scanner kind by its name in `[[sources]] kind = ...`."""

from __future__ import annotations

from estate.settings import Settings, SourceConfig
from scanners.base import Scanner, build_scanner
from scanners.cmdb import CmdbScanner

SCANNERS: dict[str, type[Scanner]] = {
    CmdbScanner.kind: CmdbScanner,
}


def scanner_for(source: SourceConfig, settings: Settings) -> Scanner:
    return build_scanner(SCANNERS, source, settings)


def check_sources(settings: Settings) -> None:
    """Fail at start, naming the file and key, if any source's kind or options are wrong."""
    for source in settings.sources:
        scanner_for(source, settings)
