"""Building a vcenter scanner for a vcsim peer, and sorting what it yields."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from estate.config import Settings, SourceConfig
from estate.inventory.records import Event, Problem, ScopeEnd, ServerRecord
from scanners.vcenter import VcenterOptions, VcenterScanner
from tests.vcenter.peer import USER, Vcsim

PASSWORD_ENV = "ESTATE_TEST_VCENTER_PASSWORD"


def vcenter_options(peer: Vcsim | None = None, **overrides: Any) -> dict[str, Any]:
    """A source's options table for the peer (or for 127.0.0.1 at `port`)."""
    options: dict[str, Any] = {"host": "127.0.0.1", "user": USER, "password_env": PASSWORD_ENV}
    if peer is not None:
        options.update(port=peer.port, protocol=peer.protocol)
    options.update(overrides)
    return options


def make_scanner(
    peer: Vcsim | None = None, config_dir: Path | None = None, **overrides: Any
) -> VcenterScanner:
    options = VcenterOptions(**vcenter_options(peer, **overrides))
    settings = Settings(config_path=config_dir / "estate.toml" if config_dir else None)
    return VcenterScanner(SourceConfig(name="vc", kind="vcenter"), options, settings)


@dataclass
class Collected:
    hosts: list[ServerRecord] = field(default_factory=list)
    vms: list[ServerRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ends: list[ScopeEnd] = field(default_factory=list)

    @classmethod
    def of(cls, events: Iterable[Event]) -> Collected:
        collected = cls()
        for event in events:
            if isinstance(event, ServerRecord):
                (collected.vms if event.kind == "virtual" else collected.hosts).append(event)
            elif isinstance(event, Problem):
                collected.problems.append(event)
            elif isinstance(event, ScopeEnd):
                collected.ends.append(event)
            else:
                raise AssertionError(f"unexpected event {event!r}")
        return collected

    @property
    def complete(self) -> bool:
        assert len(self.ends) == 1, self.ends
        return self.ends[0].complete
