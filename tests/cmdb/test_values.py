from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from scanners.cmdb.values import (
    BadValue,
    Cell,
    Recoder,
    as_date,
    as_datetime,
    as_enum,
    as_int,
    as_json,
    as_list,
    as_number,
    as_text,
    blank_to_none,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("  web01 ", "web01"), ("   ", None), ("", None), (None, None), (16, 16)],
)
def test_blank_to_none_strips_and_blanks(cell: str | int | None, expected: object) -> None:
    assert blank_to_none(cell) == expected


def test_a_spreadsheet_formula_error_is_a_bad_value() -> None:
    with pytest.raises(BadValue, match=r"spreadsheet error '#N/A'"):
        blank_to_none(" #N/A ")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("web01", "web01"),
        (10023, "10023"),
        (10023.0, "10023"),
        (2.5, "2.5"),
        (date(2021, 3, 4), "2021-03-04"),
        (None, None),
    ],
)
def test_as_text(cell: Cell, expected: str | None) -> None:
    assert as_text(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,299.00", 1299.0),
        ("£1,299", 1299.0),
        ("-£5.50", -5.5),
        ("16", 16.0),
        ("0.5", 0.5),
        (".5", 0.5),
        ("1,234,567", 1234567.0),
        (16, 16.0),
        (16.5, 16.5),
    ],
)
def test_as_number_accepts_uk_formats(cell: str | float, expected: float) -> None:
    assert as_number(cell) == expected


@pytest.mark.parametrize("cell", ["1,5", "sixteen", "16 GB", "1.2.3", "nan", "£"])
def test_as_number_refuses_what_is_not_a_number(cell: str) -> None:
    with pytest.raises(BadValue, match=rf"^not a number: {cell!r}$"):
        as_number(cell)


def test_as_int_takes_whole_floats_and_refuses_fractions() -> None:
    assert (as_int("16.0"), as_int(16.0), as_int("1,024"), as_int(None)) == (16, 16, 1024, None)
    with pytest.raises(BadValue, match=r"^not a whole number: '4.5'$"):
        as_int("4.5")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2021-03-04", date(2021, 3, 4)),
        ("2021-03-04 00:00:00", date(2021, 3, 4)),
        ("2021-03-04T10:30", date(2021, 3, 4)),
        ("04/03/2021", date(2021, 3, 4)),
        ("4/3/2021", date(2021, 3, 4)),
        ("04-03-2021", date(2021, 3, 4)),
        ("31/12/2026 00:00", date(2026, 12, 31)),
        (datetime(2021, 3, 4, 9, 15), date(2021, 3, 4)),
        (date(2021, 3, 4), date(2021, 3, 4)),
        (None, None),
    ],
)
def test_as_date_reads_iso_and_uk_day_first(cell: Cell, expected: date | None) -> None:
    assert as_date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("03/25/2021", "not a real date (day first, DD/MM/YYYY): '03/25/2021'"),
        ("31/02/2021", "not a real date (day first, DD/MM/YYYY): '31/02/2021'"),
        ("March 2021", "not a date (expected YYYY-MM-DD or DD/MM/YYYY): 'March 2021'"),
        ("04/03-2021", "not a date (expected YYYY-MM-DD or DD/MM/YYYY): '04/03-2021'"),
        ("21/3/4", "not a date (expected YYYY-MM-DD or DD/MM/YYYY): '21/3/4'"),
        (44256, "not a date (expected YYYY-MM-DD or DD/MM/YYYY): '44256'"),
    ],
)
def test_as_date_never_reads_us_order_or_guesses(cell: Cell, reason: str) -> None:
    with pytest.raises(BadValue) as caught:
        as_date(cell)
    assert str(caught.value) == reason


def test_as_datetime_takes_zoneless_moments_as_utc() -> None:
    plus_one = timezone(timedelta(hours=1))
    assert as_datetime("2026-05-01T09:30:00+01:00") == datetime(2026, 5, 1, 9, 30, tzinfo=plus_one)
    assert as_datetime("2026-05-01 09:30") == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    assert as_datetime("01/05/2026 09:30") == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    assert as_datetime("01/05/2026") == datetime(2026, 5, 1, tzinfo=UTC)
    assert as_datetime(datetime(2026, 5, 1, 9, 30)) == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "cell", "expected"),
    [
        ("kind", "Physical", "physical"),
        ("kind", "Hardware", "physical"),
        ("kind", "Bare metal", "physical"),
        ("kind", "VM", "virtual"),
        ("kind", "Virtual Machine", "virtual"),
        ("device_type", "Notebook", "laptop"),
        ("device_type", "Desktop PC", "desktop"),
        ("device_type", "Workstation", "desktop"),
        ("device_type", "Thin Client", "thin-client"),
        ("device_type", "THIN-CLIENT", "thin-client"),
        ("device_type", "iPad", "tablet"),
        ("device_type", "Mobile Phone", "phone"),
        ("device_type", "Smartphone", "phone"),
        ("power_state", "Powered On", "on"),
        ("power_state", "poweredOn", "on"),
        ("power_state", "Running", "on"),
        ("power_state", "poweredOff", "off"),
        ("power_state", "Stopped", "off"),
        ("power_state", "Suspended", "suspended"),
    ],
)
def test_as_enum_knows_what_exports_call_our_values(field: str, cell: str, expected: str) -> None:
    allowed = {
        "kind": ("physical", "virtual"),
        "device_type": ("laptop", "desktop", "thin-client", "tablet", "phone"),
        "power_state": ("on", "off", "suspended", "unknown"),
    }[field]
    assert as_enum(cell, field=field, allowed=allowed) == expected


def test_an_unknown_enum_value_names_the_value_and_the_expected_ones() -> None:
    with pytest.raises(BadValue) as caught:
        as_enum("Kiosk", field="device_type", allowed=("laptop", "desktop"))
    assert str(caught.value) == "unknown device_type 'Kiosk'; expected one of: laptop, desktop"


def test_as_list_splits_on_semicolons_bars_and_new_lines() -> None:
    assert as_list("Payroll; HR|Intranet\n\n Backup ;") == ("Payroll", "HR", "Intranet", "Backup")
    assert as_list("Payroll") == ("Payroll",)
    assert as_list(" ; | ") is None
    assert as_list(None) is None


def test_as_json_writes_dates_as_iso_text() -> None:
    assert as_json(datetime(2021, 3, 4, 9, 15)) == "2021-03-04T09:15:00"
    assert as_json(date(2021, 3, 4)) == "2021-03-04"
    assert as_json(16) == 16


def test_recoder_maps_source_values_in_any_case_and_leaves_others() -> None:
    recode = Recoder({"device_type": {"Kiosk": "desktop", " Chromebook ": "laptop"}})

    assert recode("device_type", "KIOSK") == "desktop"
    assert recode("device_type", "chromebook") == "laptop"
    assert recode("device_type", "Tablet") == "Tablet"
    assert recode("site", "Kiosk") == "Kiosk"
    assert recode("device_type", None) is None
