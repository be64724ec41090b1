"""The scanner kit: the Scanner protocol, how a `[[sources]]` block becomes a scanner, and the
cleaning every kind's transform shares (blank text, junk serials, a bad item in a payload).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from estate.config import ConfigError, Settings, SourceConfig
from estate.config.loading import describe_validation_error
from estate.inventory.records import Event, Problem, Record, is_junk_serial

Item = TypeVar("Item")
Out = TypeVar("Out", bound=Record)

# What a pure transform raises when one item's payload is not shaped as it expects: a key or
# list entry missing, a value of the wrong type or unparseable, a record's own check failing
# (pydantic's ValidationError is a ValueError).
BAD_PAYLOAD: tuple[type[Exception], ...] = (
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
)


class ScannerOptions(BaseModel):
    """Base for each kind's options and the tables nested in them: an unknown key is an error,
    not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class Scanner(Protocol):
    kind: ClassVar[str]
    # Each kind's own subclass of ScannerOptions.
    Options: ClassVar[type[Any]]

    def __init__(self, source: SourceConfig, options: Any, settings: Settings) -> None: ...

    def collect(self) -> Iterator[Event]:
        """Yield records, problems and scope ends; raise only when nothing more can be read."""
        ...


OptionsT = TypeVar("OptionsT", bound=ScannerOptions)


class SourceScanner(Generic[OptionsT]):
    """What every kind's scanner is given: its `[[sources]]` block, its parsed options and the
    settings. A kind sets `kind` and `Options`, and extends `__init__` only for what it derives
    from its options."""

    kind: ClassVar[str]
    Options: ClassVar[type[ScannerOptions]]

    def __init__(self, source: SourceConfig, options: OptionsT, settings: Settings) -> None:
        self.source = source
        self.options = options
        self.settings = settings


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


def clean_text(value: object) -> str | None:
    """A value as text, stripped; blank is None. Bytes (LDAP's raw attributes) are UTF-8.

    NULs are dropped: agents pad fixed-width strings with them, and PostgreSQL cannot store them.
    """
    if value is None:
        return None
    text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    return text.replace("\x00", "").strip() or None


def clean_serial(value: object) -> str | None:
    """A serial as the source gave it, stripped; blank or a placeholder ("To Be Filled By
    O.E.M.", "0", "N/A": estate's JUNK_SERIALS) is None."""
    text = clean_text(value)
    return None if text is None or is_junk_serial(text) else text


@dataclass(frozen=True)
class Tally:
    """How many items a `transform_each` recorded and how many it could not."""

    recorded: int = 0
    failed: int = 0

    @property
    def complete(self) -> bool:
        return self.failed == 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.recorded + other.recorded, self.failed + other.failed)


def transform_each(
    items: Iterable[Item],
    transform: Callable[[Item], Out],
    scope: str,
    describe: Callable[[Item], tuple[str, str | None]],
) -> Generator[Out | Problem, None, Tally]:
    """Each item's record; an item whose payload is bad becomes a Problem and the rest go on.

    `describe(item)` gives what the item is ("computer", "VM 'web01'") and the Problem's target.
    Returns the tally, so a caller can leave its scope incomplete: marking a bad item's earlier
    observation missing would say it had gone.
    """
    recorded = failed = 0
    for item in items:
        try:
            record = transform(item)
        except BAD_PAYLOAD as exc:
            failed += 1
            what, target = describe(item)
            reason = f"{what} not recorded: {type(exc).__name__}: {exc}"
            yield Problem(scope=scope, reason=reason, target=target)
            continue
        recorded += 1
        yield record
    return Tally(recorded, failed)


def events_as_completed(futures: Sequence[Future[list[Event]]]) -> Iterator[Event]:
    """Each scope's events as its future finishes, yielded on the caller's thread; whatever has
    not started when the caller stops (or a scope raises) is cancelled."""
    try:
        for future in as_completed(futures):
            yield from future.result()
    finally:
        for future in futures:
            future.cancel()
