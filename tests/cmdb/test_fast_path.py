"""The fast path (one pass over a row's text cells, records made without the model's per-row
validation) against the cell-by-cell reading and the model, over hostile rows."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scanners.cmdb.columns import ColumnMap, map_columns
from scanners.cmdb.options import CmdbOptions
from scanners.cmdb.transform import Layout, transform_rows

HEADERS = {
    "device": ("Asset Tag", "Device Type", "Purchase Date", "Cost", "Location", "CPU", "Serial"),
    "server": ("Hostname", "Type", "CPU Cores", "Memory (GB)", "Applications", "Power State"),
}
CELLS = st.one_of(
    st.sampled_from(["", " ", "#N/A", "laptop", "VM", "ipad", "Remote", "on", "a;b", "x" * 201]),
    st.sampled_from(["03/04/2021", "31/02/2021", "2021-03-04", "1,299.00", "£5", "4", "4.5"]),
    st.text(max_size=8),
)


def layouts(entity: str) -> tuple[Layout, Layout]:
    options = CmdbOptions(path="cmdb.csv", entity=entity)
    header = HEADERS[entity]
    columns = map_columns(header, options)
    assert isinstance(columns, ColumnMap)
    return (
        Layout.build(options, columns, header),
        Layout.build(options, columns, header, fast=False),
    )


@settings(max_examples=300, deadline=None)
@given(
    entity=st.sampled_from(sorted(HEADERS)),
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=6),
)
def test_the_fast_path_gives_what_the_model_gives(entity: str, rows: list[list[str]]) -> None:
    fast, model = layouts(entity)
    numbered = [(n, tuple(cells)) for n, cells in enumerate(rows, start=2)]
    quick, checked = list(transform_rows(numbered, fast)), list(transform_rows(numbered, model))
    assert quick == checked
    for a, b in zip(quick, checked, strict=True):
        assert a.__dict__ == b.__dict__
        assert a.model_fields_set == b.model_fields_set
