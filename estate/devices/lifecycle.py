"""Operating system end of support: the shipped table of dated facts (estate/data/
os_lifecycle.toml) and how a device's OS name, version and model find their fact.

Sources report Windows differently (Intune: "Windows" + "10.0.22631.4460"; Active Directory:
"Windows 11 Enterprise" + "10.0 (22631)"; an asset register: "Windows 10 Pro" + "22H2"), so the
build number is the key where there is one and the release name ("22H2") otherwise.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from estate.config import LifecycleFact, WindowsEdition

EDITION_LABELS: dict[str, str] = {
    "enterprise": "Enterprise/Education",
    "consumer": "Home/Pro",
    "ltsc": "Enterprise LTSC",
    "iot-ltsc": "IoT Enterprise LTSC",
}
FIRST_WINDOWS_11_BUILD = 22000
SHIPPED_TABLE = Path(__file__).resolve().parent.parent / "data" / "os_lifecycle.toml"


@dataclass(frozen=True, slots=True)
class SupportEnd:
    """What the table says about one device's OS: a label for people and the fact's date."""

    label: str
    ends_on: date
    source: str
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class WindowsOs:
    product: Literal["10", "11"] | None
    build: int | None
    release: str | None
    edition: WindowsEdition | None


_BUILD_AFTER_10_0 = re.compile(r"^\s*10\.0[\s.]*\(?\s*(\d{5})\b")
_BARE_BUILD = re.compile(r"^\s*(\d{5})(?:\.\d+)?\s*$")
_RELEASE = re.compile(r"\b(\d{2}H[12])\b", re.IGNORECASE)
_MAC_VERSION = re.compile(r"^\s*(\d+)(?:\.(\d+))?")


@functools.lru_cache(maxsize=4096)
def parse_windows(os_name: str | None, os_version: str | None) -> WindowsOs | None:
    """The Windows product, build, release name and edition the two strings show, or None."""
    name = (os_name or "").casefold()
    if "windows" not in name:
        return None
    version = os_version or ""
    found = _BUILD_AFTER_10_0.match(version) or _BARE_BUILD.match(version)
    build = int(found.group(1)) if found else None
    named = _RELEASE.search(version) or _RELEASE.search(name)
    release = named.group(1).upper() if named else None
    product: Literal["10", "11"] | None = None
    if build is not None:
        product = "11" if build >= FIRST_WINDOWS_11_BUILD else "10"
    elif "windows 11" in name:
        product = "11"
    elif "windows 10" in name:
        product = "10"
    return WindowsOs(product, build, release, _edition(name))


def _edition(name: str) -> WindowsEdition | None:
    if "ltsc" in name or "ltsb" in name:
        return "iot-ltsc" if "iot" in name else "ltsc"
    if "pro education" in name:
        return "consumer"
    if "enterprise" in name or "education" in name:
        return "enterprise"
    if "pro" in name or "home" in name:
        return "consumer"
    return None


def macos_release(os_name: str | None, os_version: str | None) -> str | None:
    """macOS's major version as the table keys it: "10.15" before Big Sur, "11" onwards."""
    name = (os_name or "").casefold()
    if not ("mac" in name or "os x" in name) or not os_version:
        return None
    found = _MAC_VERSION.match(os_version)
    if not found:
        return None
    major, minor = found.group(1), found.group(2)
    return f"10.{minor}" if major == "10" and minor else major


class LifecycleTable:
    """The facts indexed for lookup by Windows build, Windows release, macOS version, model."""

    def __init__(self, facts: Iterable[LifecycleFact]) -> None:
        self.facts = list(facts)
        # A fleet repeats a few dozen OS strings many thousand times: each is parsed once.
        self._cache: dict[tuple[str | None, ...], SupportEnd | None] = {}
        self._by_build: dict[tuple[int, str | None], LifecycleFact] = {}
        self._by_key: dict[tuple[str, str | None, str | None, str | None], LifecycleFact] = {}
        for fact in self.facts:
            self._by_key[fact.key] = fact
            if fact.os == "windows" and fact.build is not None:
                self._by_build[(fact.build, fact.edition)] = fact

    def end_of_support(
        self,
        os_name: str | None,
        os_version: str | None,
        model: str | None = None,
        default_edition: WindowsEdition = "enterprise",
    ) -> SupportEnd | None:
        """The end of support of the OS a device runs; None where the table cannot tell."""
        key = (os_name, os_version, model, default_edition)
        if key not in self._cache:
            self._cache[key] = self._lookup(os_name, os_version, model, default_edition)
        return self._cache[key]

    def _lookup(
        self,
        os_name: str | None,
        os_version: str | None,
        model: str | None,
        default_edition: WindowsEdition,
    ) -> SupportEnd | None:
        windows = parse_windows(os_name, os_version)
        if windows is not None:
            return self._windows(windows, windows.edition or default_edition)
        release = macos_release(os_name, os_version)
        if release is not None:
            fact = self._by_key.get(("macos", release, None, None))
            return _support(fact, f"macOS {release}") if fact else None
        if "chrome" in (os_name or "").casefold() and model:
            fact = self._by_key.get(("chromeos", None, None, model.strip().casefold()))
            return _support(fact, f"ChromeOS on {fact.model}") if fact else None
        return None

    def _windows(self, windows: WindowsOs, edition: WindowsEdition) -> SupportEnd | None:
        fact = None
        if windows.build is not None:
            fact = self._by_build.get((windows.build, edition))
        elif windows.product and windows.release:
            release = f"{windows.product} {windows.release}"
            fact = self._by_key.get(("windows", release, edition, None))
        if fact is not None:
            return _support(fact, f"Windows {fact.release} {EDITION_LABELS[edition]}")
        if windows.product == "10" and edition in ("enterprise", "consumer"):
            return self._windows_10_product_end(edition)
        return None

    def _windows_10_product_end(self, edition: WindowsEdition) -> SupportEnd | None:
        # A Windows 10 build the table does not list can at best be updated to the last
        # release, so it is supported no later than the last release's end.
        last = [
            f
            for f in self.facts
            if f.os == "windows" and f.edition == edition and (f.release or "").startswith("10 ")
        ]
        if not last:
            return None
        fact = max(last, key=lambda f: f.ends_on)
        return _support(fact, f"Windows 10 (release unknown) {EDITION_LABELS[edition]}")


def _support(fact: LifecycleFact, label: str) -> SupportEnd:
    return SupportEnd(
        label=label, ends_on=fact.ends_on, source=fact.source, estimated=fact.estimated
    )


def shipped_facts() -> list[LifecycleFact]:
    text = SHIPPED_TABLE.read_text("utf-8")
    return [LifecycleFact(**raw) for raw in tomllib.loads(text)["facts"]]


def load_lifecycle(extra: Iterable[LifecycleFact] = ()) -> LifecycleTable:
    """The shipped table, with facts from the config added or replacing those with their key."""
    merged = {fact.key: fact for fact in shipped_facts()}
    merged.update((fact.key, fact) for fact in extra)
    return LifecycleTable(merged.values())
