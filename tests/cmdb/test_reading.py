from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from scanners.cmdb.reading import SAMPLE_CHARS, ReadError, fetch_rows, sniff_delimiter

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\r\n1;2;3\r\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        # Commas inside values do not win over the semicolons that split every row.
        ("Name;Cost;Note\nLaptop;1,299.00;a, b, c\nPC;499,00;x\n", ";"),
        ('Name,Note\n"Pat","a;b;c;d"\n"Sam","e;f"\n', ","),
        ("just one column\nvalue\n", ","),
        ("", ","),
    ],
)
def test_sniff_delimiter(sample: str, expected: str) -> None:
    assert sniff_delimiter(sample) == expected


def test_sniff_delimiter_ignores_the_line_cut_at_the_end_of_the_sample() -> None:
    line = "a;b;c\n"
    sample = (line * (SAMPLE_CHARS // len(line) + 1))[: SAMPLE_CHARS - 2] + "x,y,z,w,v"

    assert sniff_delimiter(sample[:SAMPLE_CHARS]) == ";"


def test_a_csv_with_a_bom_and_semicolons_reads_row_by_row() -> None:
    rows = list(fetch_rows(DATA / "servers-bom-semicolon.csv", encoding="utf-8-sig"))

    assert [number for number, _ in rows] == [1, 2, 3]
    assert rows[0][1][:3] == ["CI ID", "Server Name", "Serial No"]
    assert rows[1][1][10] == "Payroll; HR|Intranet"
    assert rows[2][1][13] == "Holds; a semicolon"


def test_a_tab_separated_csv_is_sniffed() -> None:
    rows = list(fetch_rows(DATA / "devices-tab.csv"))

    assert rows[1] == (
        2,
        [
            "NBC-001",
            "SN1",
            "NBC-LT-001",
            "Notebook",
            "HP",
            "ann.lee@northbridge.gov.uk",
            "04/03/2021",
            "£1,299",
            "2025-03-04",
        ],
    )


def test_a_configured_delimiter_is_used_as_given(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("a,b|c\n1,2|3\n", encoding="utf-8")

    assert list(fetch_rows(path, delimiter="|")) == [(1, ["a,b", "c"]), (2, ["1,2", "3"])]


def test_a_cell_over_several_lines_is_one_spreadsheet_row(tmp_path: Path) -> None:
    path = tmp_path / "apps.csv"
    path.write_text('Name,Servers\nPayroll,"app01\napp02"\nHR,app03\n', encoding="utf-8")

    assert [n for n, _ in fetch_rows(path)] == [1, 2, 3]


def test_xlsx_rows_come_from_the_named_sheet_with_blank_rows_counted() -> None:
    rows = list(fetch_rows(DATA / "devices-mixed.xlsx", sheet="Devices"))

    assert [number for number, _ in rows] == [1, 2, 3, 4, 5]
    assert rows[1][1][4] == datetime(2021, 3, 4)
    assert rows[2][1][:5] == (10023, 12345, None, "tablet", "04/03/2022")
    assert tuple(rows[3][1]) == ()


def test_xlsx_without_a_sheet_reads_the_first() -> None:
    assert list(fetch_rows(DATA / "devices-mixed.xlsx")) == [(1, ("Exported", "2026-11-25"))]


@pytest.mark.parametrize(
    ("name", "options", "reason"),
    [
        ("absent.csv", {}, "file not found: {path}"),
        (
            "not-a-workbook.xlsx",
            {},
            "not-a-workbook.xlsx is not a valid XLSX workbook: File is not a zip file",
        ),
        (
            "devices-mixed.xlsx",
            {"sheet": "Laptops"},
            "devices-mixed.xlsx has no sheet 'Laptops' (sheets: Summary, Devices)",
        ),
        (
            "applications-cp1252.csv",
            {"encoding": "utf-8-sig"},
            "not utf-8-sig text: line 2 has byte b'\\xe9'; set the source's `encoding`"
            " option, e.g. 'cp1252'",
        ),
    ],
)
def test_a_file_that_cannot_be_read_says_why(
    name: str, options: dict[str, str], reason: str
) -> None:
    path = DATA / name

    with pytest.raises(ReadError) as caught:
        list(fetch_rows(path, **options))

    assert str(caught.value) == reason.format(path=path)


def test_the_encoding_option_reads_a_windows_export() -> None:
    rows = list(fetch_rows(DATA / "applications-cp1252.csv", encoding="cp1252"))

    assert rows[1] == (2, ["Café Booking", "Leisure £ Team", "Low"])


def test_an_old_xls_workbook_is_refused_by_its_signature(tmp_path: Path) -> None:
    path = tmp_path / "register.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))

    with pytest.raises(ReadError, match=r"^register.xls is an Excel 97-2003 workbook"):
        list(fetch_rows(path))
