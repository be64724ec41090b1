"""The Scanner protocol and how a `[[sources]]` block becomes a scanner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from estate.records import Event
from estate.settings import ConfigError, Settings, SourceConfig, describe_validation_error


class ScannerOptions(BaseModel):
    """Base for each kind's options: an unknown key is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class Scanner(Protocol):
    kind: ClassVar[str]
    # Each kind's own subclass of ScannerOptions.
    Options: ClassVar[type[Any]]

    def __init__(self, source: SourceConfig, options: Any, settings: Settings) -> None: ...

    def collect(self) -> Iterator[Event]:
        """Yield records, problems and scope ends; raise only when nothing more can be read."""
        ...


def build_scanner(
    registry: dict[str, type[Scanner]], source: SourceConfig, settings: Settings
) -> Scanner:
    where = str(settings.config_path or "built-in defaults")
    cls = registry.get(source.kind)
    if cls is None:
        expected = ", ".join(sorted(registry))
        raise ConfigError(
            f"{where}: sources({source.name}).kind: unknown kind {source.kind!r};"
            f" expected one of: {expected}"
        )
    try:
        options = cls.Options(**source.options)
    except ValidationError as exc:
        detail = describe_validation_error(exc, source.options)
        raise ConfigError(f"{where}: sources({source.name}).options: {detail}") from None
    return cls(source, options, settings)
