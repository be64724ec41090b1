"""The shipped OS lifecycle table and how OS strings from each source find their facts."""

from __future__ import annotations

from datetime import date

import pytest

from estate.config import LifecycleFact
from estate.devices.lifecycle import load_lifecycle, macos_release, parse_windows, shipped_facts


def test_every_shipped_fact_names_a_public_source() -> None:
    facts = shipped_facts()

    assert len({fact.key for fact in facts}) == len(facts)
    assert all(fact.source.startswith("https://") for fact in facts)
    assert all(fact.build for fact in facts if fact.os == "windows")


def test_windows_10_ended_on_14_october_2025() -> None:
    table = load_lifecycle()

    for edition in ("enterprise", "consumer"):
        end = table.end_of_support("Windows", "10.0.19045.1", default_edition=edition)
        assert end is not None and end.ends_on == date(2025, 10, 14)


@pytest.mark.parametrize(
    ("name", "version", "expected"),
    [
        ("Windows", "10.0.22631.4460", ("11", 22631, None, None)),
        ("Windows 11 Enterprise", "10.0 (22631)", ("11", 22631, None, "enterprise")),
        ("Windows 10 Pro", "22H2", ("10", None, "22H2", "consumer")),
        ("Windows 10 Enterprise LTSC", "10.0.17763", ("10", 17763, None, "ltsc")),
        ("Windows 10 IoT Enterprise LTSC", "19044", ("10", 19044, None, "iot-ltsc")),
        ("Windows 11 Pro Education", "10.0.26100.1", ("11", 26100, None, "consumer")),
        ("Windows", None, (None, None, None, None)),
    ],
)
def test_parse_windows(name: str, version: str | None, expected: tuple[object, ...]) -> None:
    parsed = parse_windows(name, version)

    assert parsed is not None
    assert (parsed.product, parsed.build, parsed.release, parsed.edition) == expected


@pytest.mark.parametrize(
    ("name", "version", "expected"),
    [
        ("macOS", "14.5", "14"),
        ("Mac OS X", "10.15.7", "10.15"),
        ("macOS", None, None),
        ("iOS", "18.1", None),
    ],
)
def test_macos_release(name: str, version: str | None, expected: str | None) -> None:
    assert macos_release(name, version) == expected


def test_a_windows_fact_needs_its_edition() -> None:
    with pytest.raises(ValueError, match="edition"):
        LifecycleFact.model_validate(
            {"os": "windows", "release": "11 24H2", "ends_on": "2027-10-12", "source": "https://x"}
        )
