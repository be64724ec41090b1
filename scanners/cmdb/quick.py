"""A row's field values in one pass over its text cells, for the rows nothing is wrong with.

`transform._values` reads cell by cell and gives a reason for each bad one. Most rows of an
export have none, and most of their cells are text fields, which need only stripping: this
takes them all at once (C-level `itemgetter` and `map`) and runs the other fields' readers, the
same ones. At the first sign of trouble (a short row, a non-text cell in a text field, a
spreadsheet error, a bad value, a required field blank) it gives up with None and the cell by
cell reading decides, so every reason is still worded there alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from scanners.cmdb.values import SPREADSHEET_ERRORS, BadValue, Cell, CellReader

# (field, cell index, header, reader or None for plain text, required and not the key)
Step = tuple[str, int, str, CellReader | None, bool]


class QuickValues:
    def __init__(self, steps: Sequence[Step]) -> None:
        text = [(field, index) for field, index, _, read, _ in steps if read is None]
        self._text_fields = tuple(field for field, _ in text)
        self._pick_text = _picker(tuple(index for _, index in text))
        self._required_text = frozenset(f for f, _, _, read, req in steps if req and read is None)
        self._read = tuple((f, i, read, req) for f, i, _, read, req in steps if read is not None)
        self._reach = 1 + max((index for _, index, *_ in steps), default=-1)

    def __call__(self, cells: Sequence[Cell]) -> dict[str, Any] | None:
        """The row's non-blank field values, or None if any cell needs a closer look."""
        if len(cells) < self._reach:
            return None
        try:
            texts = tuple(map(str.strip, self._pick_text(cells)))  # type: ignore[arg-type]
        except TypeError:  # a number or date in a text column (XLSX)
            return None
        if not SPREADSHEET_ERRORS.isdisjoint(texts):
            return None
        values = {field: text for field, text in zip(self._text_fields, texts, strict=True) if text}
        if not self._required_text <= values.keys():
            return None
        for field, index, read, required in self._read:
            try:
                value = read(cells[index])
            except BadValue:
                return None
            if value is not None:
                values[field] = value
            elif required:
                return None
        return values


def _picker(indices: tuple[int, ...]) -> Callable[[Sequence[Cell]], Sequence[Cell]]:
    """The cells at `indices`, as a tuple (itemgetter gives a bare cell for one index)."""
    if len(indices) == 1:
        index = indices[0]
        return lambda cells: (cells[index],)
    if not indices:
        return lambda cells: ()
    return itemgetter(*indices)
