"""Batches read a column at a time (`scanners.cmdb.batches`) against rows read one by one
through the model: mostly clean rows, so the column path runs, with blanks, places that are
none, recoded values, duplicate keys and the odd bad cell that sends a batch back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field

from estate.inventory.records import DeviceRecord, Problem, Record
from scanners.cmdb.batches import Columns
from scanners.cmdb.columns import ColumnMap, map_columns
from scanners.cmdb.making import RecordMaker
from scanners.cmdb.options import CmdbOptions
from scanners.cmdb.transform import SMALLEST, Layout, transform_rows

HEADER = ("Asset Tag", "Device Type", "Purchase Date", "Cost", "Location", "CPU", "Notes")
OPTIONS: dict[str, Any] = {
    "site": "Civic Centre",
    "values": {"device_type": {"Lappy": "laptop"}},
}
GOOD = (
    st.sampled_from([" NBC-1", "NBC-2 ", "NBC-3", "NBC-4", "NBC-5", "NBC-6", "NBC-7", "NBC-8"]),
    st.sampled_from(["Laptop", "iPad", "Lappy", "desktop pc", ""]),
    st.sampled_from(["03/04/2021", "2021-03-04", "1/2/2020", " "]),
    st.sampled_from(["1,299.00", "£5", "4", ""]),
    st.sampled_from(["Town Hall", "Remote", "home", "", "Depot "]),
    st.sampled_from(["Intel Core i5-8350U", "", "x" * 200]),
    st.sampled_from(["", "spare", " kept ", "Room #3"]),
)
BAD = st.sampled_from(["#N/A", "31/02/2021", "tractor", "x" * 201, "  "])


def layouts(**options: Any) -> tuple[Layout, Layout]:
    settings_ = CmdbOptions(path="cmdb.csv", entity="device", **options)
    columns = map_columns(HEADER, settings_)
    assert isinstance(columns, ColumnMap)
    return (
        Layout.build(settings_, columns, HEADER),
        Layout.build(settings_, columns, HEADER, fast=False),
    )


@st.composite
def rows(draw: st.DrawFn) -> list[tuple[int, list[str]]]:
    """Full-width rows of good cells; now and then one bad cell, a short row or a blank one."""
    count = draw(st.integers(min_value=1, max_value=3 * SMALLEST))
    made = []
    for number in range(2, count + 2):
        cells = [draw(cell) for cell in GOOD]
        trouble = draw(st.integers(min_value=0, max_value=40))
        if trouble == 0:
            cells[draw(st.integers(min_value=0, max_value=len(cells) - 1))] = draw(BAD)
        elif trouble == 1:
            cells = cells[:-1]
        elif trouble == 2:
            cells = [""] * len(cells)
        made.append((number, cells))
    return made


@settings(max_examples=200, deadline=None)
@given(rows=rows(), site=st.sampled_from([None, "Civic Centre"]))
def test_batches_give_what_the_model_gives_row_by_row(
    rows: list[tuple[int, list[str]]], site: str | None
) -> None:
    fast, model = layouts(**(OPTIONS | {"site": site}))

    quick, checked = list(transform_rows(rows, fast)), list(transform_rows(rows, model))

    assert quick == checked
    for a, b in zip(quick, checked, strict=True):
        assert a.__dict__ == b.__dict__
        if not isinstance(a, Problem):
            assert a.model_fields_set == b.model_fields_set


def test_a_clean_batch_is_read_by_column_and_a_bad_cell_sends_it_back() -> None:
    fast, _ = layouts(**OPTIONS)
    clean = [
        (2, [" NBC-1 ", "Lappy", "03/04/2021", "£5", "Remote", "", " kept "]),
        (3, ["NBC-2", "iPad", "2021-03-04", "", "", "Intel Core i5-8350U", ""]),
    ]
    by_column = Columns(fast)

    batch = by_column(clean)
    bad = by_column([*clean, (4, ["NBC-3", "iPad", "31/02/2021", "", "", "", ""])])

    assert batch is not None
    assert batch.keys == ["NBC-1", "NBC-2"]
    first, second = batch.records
    assert isinstance(first, DeviceRecord) and isinstance(second, DeviceRecord)
    assert (first.device_type, first.site, first.purchase_cost, first.extra) == (
        "laptop",
        None,
        5.0,
        {"notes": "kept"},
    )
    assert (second.site, second.cpu_model, second.extra) == (
        "Civic Centre",
        "Intel Core i5-8350U",
        {},
    )
    assert first.model_fields_set == {
        "external_id", "scope", "extra", "asset_tag", "device_type", "purchased_on",
        "purchase_cost",
    }  # fmt: skip
    assert bad is None


def test_a_key_seen_in_an_earlier_batch_is_a_duplicate() -> None:
    fast, model = layouts()
    rows = [(n, [f"NBC-{n % 40}", "iPad", "", "", "", "", ""]) for n in range(2, 100)]

    quick, checked = list(transform_rows(rows, fast)), list(transform_rows(rows, model))

    assert quick == checked
    problems = [e for e in quick if isinstance(e, Problem)]
    assert [(p.row, p.reason) for p in problems[:2]] == [
        (42, "duplicate key 'NBC-2': first in row 2"),
        (43, "duplicate key 'NBC-3': first in row 3"),
    ]
    assert len(problems) == 98 - 40


def test_servers_and_applications_read_by_column_are_the_models_records() -> None:
    cases = {
        "server": (
            ("Hostname", "Type", "CPU Cores", "Memory (GB)", "Applications", "Readings Unread"),
            [["web01", "VM", "4", "16", "Payroll; HR", "cpu"], ["db01", "", "", "", "", ""]],
        ),
        "application": (
            ("Name", "Owner", "Criticality", "Notes"),
            [["Payroll", "Finance", "High", ""], ["HR", "", "", "kept"], [" ", "x", "", ""]],
        ),
    }
    for entity, (header, cells) in cases.items():
        options = CmdbOptions(path="cmdb.csv", entity=entity)
        columns = map_columns(header, options)
        assert isinstance(columns, ColumnMap)
        fast = Layout.build(options, columns, header)
        model = Layout.build(options, columns, header, fast=False)
        rows = [(n, list(row)) for n, row in enumerate(cells * 30, start=2)]

        quick, checked = list(transform_rows(rows, fast)), list(transform_rows(rows, model))

        assert Columns(fast)(rows[:2]) is not None
        assert quick == checked
        for a, b in zip(quick, checked, strict=True):
            assert a.__dict__ == b.__dict__
            if not isinstance(a, Problem):
                assert a.model_fields_set == b.model_fields_set


class Toy(Record):
    entity: ClassVar[str] = "toy"

    names: tuple[str, ...] = Field(default_factory=tuple)
    note: str | None = None


def test_many_gives_blanks_the_fields_defaults_as_the_model_does() -> None:
    make = RecordMaker(Toy, ("names", "note"))
    values: dict[str, Sequence[Any]] = {"names": [("x",), None], "note": [None, "n"]}

    made = make.many(["a", "b"], "s", values, {"names", "note"}, [{}, {"k": "v"}])

    expected = [
        Toy(external_id="a", scope="s", extra={}, names=("x",)),
        Toy(external_id="b", scope="s", extra={"k": "v"}, note="n"),
    ]
    assert made == expected
    assert made is not None
    assert [m.model_fields_set for m in made] == [e.model_fields_set for e in expected]


def test_transform_rows_returns_how_many_problems_it_gave() -> None:
    fast, _ = layouts()
    rows = [(n, [f"NBC-{n % 70}", "iPad", "", "", "", "", ""]) for n in range(2, 102)]
    rows[5] = (7, ["NBC-X", "tractor", "", "", "", "", ""])
    events = transform_rows(rows, fast)

    made = []
    while True:
        try:
            made.append(next(events))
        except StopIteration as stop:
            given = stop.value
            break

    # 30 keys again, but row 77 repeats the key of row 7, which is bad: 29 duplicates and row 7.
    assert given == sum(isinstance(e, Problem) for e in made) == 29 + 1
