from __future__ import annotations

from scanners.cmdb.keys import FirstRows


def test_first_rows_names_the_first_row_of_a_key_seen_again() -> None:
    seen = FirstRows()

    assert seen.first("AT-1", 2) is None
    assert seen.first("AT-2", 3) is None
    assert seen.first("AT-1", 4) == 2
    assert seen.first("AT-1", 5) == 2
    assert seen.first("at-1", 6) is None
    assert len(seen) == 3


def test_first_rows_keeps_every_key_as_it_grows() -> None:
    seen = FirstRows(capacity=4)
    keys = [f"NBC-{n:06d}" for n in range(5000)]

    news = [seen.first(key, row) for row, key in enumerate(keys, start=2)]
    again = [seen.first(key, 9999) for key in keys]

    assert news == [None] * 5000
    assert again == list(range(2, 5002))
    assert len(seen) == 5000
