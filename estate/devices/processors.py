"""Windows 11 readiness by processor: a CPU as sources spell it, against Microsoft's lists.

Exports spell one processor many ways ("Intel(R) Core(TM) i5-8350U CPU @ 1.70GHz", "Core
i5-8350U", "i5 8350U"; "AMD Ryzen 5 PRO 3500U w/ Radeon Vega Mobile Gfx"), so both the list's
rows and a source's value are reduced to one key: the family word and the words up to the model
number, lower case, without trademarks, clock speeds, tier words or graphics. The shipped table
(estate/data/windows11_processors.toml) says where its rows come from and as of when.

A processor on a list is supported. One the lists leave out is unsupported only where its own
generation is older than any Microsoft supports (an Intel Core of 7th generation or before, an
AMD Ryzen of the 1000 or 2000 series): a newer processor missing from the copy, a server part or
a string no rule reads stays unknown (None), never "not ready".
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SHIPPED_LISTS = Path(__file__).resolve().parent.parent / "data" / "windows11_processors.toml"

_TRADEMARKS = re.compile(r"\((?:r|tm|c)\)|[®™©]", re.IGNORECASE)
# A clock speed and all after it ("@ 1.70GHz", "2.80 GHz"), and an integrated GPU's name.
_TAIL = re.compile(r"@.*$|\b\d+(?:\.\d+)?\s*ghz\b.*$|\b(?:w/|with)\s.*$", re.IGNORECASE)
_NOT_ALNUM = re.compile(r"[^a-z0-9+]+")
_NOISE = frozenset({"cpu", "processor", "gold", "silver", "bronze", "platinum", "mobile",
                    "vpro", "series", "radeon", "graphics", "apu"})  # fmt: skip
# Families named by one word with no model number after it (Microsoft SQ1, Qualcomm QCM6490).
SINGLE = frozenset({"sq1", "sq2", "sq3", "qcm5430", "qcm6490", "qcs5430", "qcs6490"})
FAMILIES = ("core", "celeron", "pentium", "atom", "xeon", "ryzen", "athlon", "epyc", "snapdragon",
            *sorted(SINGLE))  # fmt: skip
# Snapdragon X's part number, however the name around it is written ("X1E-80-100", "X1E80100").
_SNAPDRAGON_X = re.compile(r"\bx1([ep]?)-?(\d{2})-?(\d{3})\b")
_SKU = re.compile(r"\d{3,}")
_INTEL_CORE = re.compile(r"^i([3579])$")
_INTEL_CORE_SKU = re.compile(r"^(\d{3,5})")
_RYZEN_SKU = re.compile(r"^(\d)\d{3}")
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\s+gen(?:eration)?\b")


@dataclass(frozen=True, slots=True)
class ProcessorList:
    manufacturer: str
    source: str
    as_of: date
    keys: frozenset[str]


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether Windows 11 supports a processor (None: the lists and rules cannot say), and why."""

    supported: bool | None
    detail: str
    source: str | None = None


def processor_key(text: str | None) -> str | None:
    """'11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz' -> 'core i7 1165g7'; None when no
    family or model number can be read."""
    if not text:
        return None
    cleaned = _TAIL.sub("", _ORDINAL.sub(" ", _TRADEMARKS.sub(" ", text.casefold())))
    part = _SNAPDRAGON_X.search(cleaned)
    if part is not None:
        return "snapdragon x1" + "".join(part.groups())
    words = [w for w in _NOT_ALNUM.sub(" ", cleaned).split() if w not in _NOISE]
    start = next((i for i, word in enumerate(words) if word in FAMILIES), None)
    if start is None:
        start = _bare_start(words)
        if start is None:
            return None
        family = ["core"] if _INTEL_CORE.match(words[start]) else []
        return _key(family + words[start:])
    return _key(words[start:])


def _bare_start(words: list[str]) -> int | None:
    """Where the model starts in a string naming no family: 'i5-8350U', or the vendor as the
    family of its unbranded parts ('Intel(R) N100', 'AMD 3020e')."""
    for i, word in enumerate(words):
        if _INTEL_CORE.match(word) or (word in ("intel", "amd") and i + 1 < len(words)):
            return i
    return None


def _key(words: list[str]) -> str | None:
    """The family and the words up to and including the model number (Qualcomm's 'gen N' kept)."""
    kept: list[str] = []
    for index, word in enumerate(words):
        kept.append(word)
        if index and _SKU.search(word):
            break
    else:
        if len(kept) < 2 and kept[0] not in SINGLE:
            return None
    return " ".join(kept)


@functools.lru_cache(maxsize=1)
def lists_fingerprint() -> str:
    """Changes when the shipped lists do, so a refreshed table re-evaluates every device."""
    return hashlib.sha256(SHIPPED_LISTS.read_bytes()).hexdigest()


@functools.lru_cache(maxsize=1)
def shipped_lists() -> tuple[ProcessorList, ...]:
    with SHIPPED_LISTS.open("rb") as f:
        table = tomllib.load(f)
    return tuple(
        ProcessorList(
            manufacturer=entry["manufacturer"],
            source=entry["source"],
            as_of=entry["as_of"],
            keys=frozenset(k for row in entry["models"] if (k := processor_key(row)) is not None),
        )
        for entry in table["lists"]
    )


@functools.lru_cache(maxsize=4096)
def windows11_processor(cpu: str | None) -> Verdict:
    """Whether Microsoft's lists support this processor, as the source spelt it."""
    key = processor_key(cpu)
    if key is None:
        return Verdict(None, "processor not known" if not cpu else f"processor {cpu!r} not read")
    for listed in shipped_lists():
        if key in listed.keys:
            detail = f"processor {cpu} on Microsoft's {listed.manufacturer} list ({listed.as_of})"
            return Verdict(True, detail, listed.source)
    older = _older_than_supported(key)
    if older is not None:
        source = next(p.source for p in shipped_lists() if p.manufacturer == older[0])
        return Verdict(False, f"processor {cpu} not supported: {older[1]}", source)
    return Verdict(None, f"processor {cpu} not on the shipped lists")


def _older_than_supported(key: str) -> tuple[str, str] | None:
    """(manufacturer, why) for a processor of a generation no list supports, else None."""
    words = key.split()
    if words[:2] == ["core", "2"]:
        return "Intel", "Intel Core 2"
    if words[0] == "core" and len(words) == 3 and _INTEL_CORE.match(words[1]):
        found = _INTEL_CORE_SKU.match(words[2])
        if found is not None and _intel_generation(found.group(1)) < 8:
            return "Intel", f"Intel Core {_intel_generation(found.group(1))}th generation or older"
    if words[0] == "ryzen" and len(words) >= 3:
        found = _RYZEN_SKU.match(words[-1])
        if found is not None and words[1] in ("3", "5", "7", "9") and int(found.group(1)) <= 2:
            return "AMD", f"AMD Ryzen {found.group(1)}000 series not listed"
    return None


def _intel_generation(digits: str) -> int:
    """i5-520M: 1st; i5-7300U: 7th; i5-10310U and i7-1165G7 (4 digits from 10): 10th, 11th."""
    if len(digits) == 3:
        return 1
    if len(digits) == 5 or digits[0] == "1":
        return int(digits[:2])
    return int(digits[0])
