"""The scanner kit's cleaning rules and its records-or-problems loop: pure, no I/O."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from estate.inventory.reconcile import serial_key
from estate.inventory.records import DeviceRecord, Event, Problem, is_junk_serial
from scanners.base import Tally, clean_serial, clean_text, transform_each

# What each scanner and reconciliation dropped as no serial before the kit held one rule.
EARLIER_PLACEHOLDERS = (
    # Intune
    *("", "0", "unknown", "none", "default string", "system serial number"),
    "to be filled by o.e.m.",
    # vCenter
    *("n/a", "na", "not specified", "not available", "0123456789", "no asset tag"),
    # Redfish
    "null",
    # reconciliation
    *("00000000", "CHASSISSERIALNUMBER", "123456789"),
)


@pytest.mark.parametrize("placeholder", EARLIER_PLACEHOLDERS)
def test_every_placeholder_dropped_before_is_still_no_serial(placeholder: str) -> None:
    padded = f"  {placeholder.title()} "

    assert (clean_serial(padded), serial_key(padded), is_junk_serial(padded)) == (None, None, True)


def test_a_serial_keeps_its_own_spelling_and_keys_without_spaces() -> None:
    assert (clean_serial(" abc 123 "), serial_key("abc 123")) == ("abc 123", "ABC123")


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, None), ("", None), ("  \t", None), (" PC-01 ", "PC-01"), (4096, "4096")],
)
def test_clean_text_strips_and_blank_is_none(value: object, text: str | None) -> None:
    assert clean_text(value) == text


def test_clean_text_reads_ldap_bytes_and_drops_snmp_padding() -> None:
    assert (clean_text(b" LT-0003 "), clean_text("FOC2233X0AB\x00\x00")) == (
        "LT-0003",
        "FOC2233X0AB",
    )


def device(raw: dict[str, str]) -> DeviceRecord:
    return DeviceRecord(external_id=raw["id"], scope="s", hostname=raw.get("name"))


def test_transform_each_reports_a_bad_item_and_goes_on() -> None:
    items = [{"id": "a"}, {"name": "no id"}, {"id": "c"}]

    events, tally = drain(
        transform_each(items, device, "s", lambda raw: ("thing", raw.get("name")))
    )

    assert events == [
        device({"id": "a"}),
        Problem(scope="s", reason="thing not recorded: KeyError: 'id'", target="no id"),
        device({"id": "c"}),
    ]
    assert (tally, tally.complete) == (Tally(recorded=2, failed=1), False)


def drain(events: Generator[Event, None, Tally]) -> tuple[list[Event], Tally]:
    """Every event of a transform_each, and the tally it returns at the end."""
    seen = []
    while True:
        try:
            seen.append(next(events))
        except StopIteration as done:
            return seen, done.value
