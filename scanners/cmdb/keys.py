"""The first row of each key, for reporting duplicates, in flat arrays rather than a dict.

A dict of a million key strings costs ~125 MB; this table keeps a 64-bit hash and a 32-bit
row number per key in open-addressed arrays kept at most half full: 24 to 48 bytes a key
(up to 96 while the table is under 12 MB, where it grows fourfold).
Two different keys with the same 64-bit hash would be reported as duplicates: about one
chance in 3 x 10^7 for a file of a million rows, and the problem names both rows to check.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import compress

_EMPTY = 0
# Below this many slots (12 MB) the table grows fourfold: fewer of the early rehashes, each a
# Python loop over every key so far.
_QUICK_GROWTH = 1 << 20


class FirstRows:
    def __init__(self, capacity: int = 1024) -> None:
        size = 1 << max(capacity - 1, 1).bit_length()
        self._hashes = array("q", bytes(8 * size))
        self._rows = array("I", bytes(4 * size))
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def first(self, key: str, row: int) -> int | None:
        """The row `key` was first seen in; None, recording `row` as its first, if new."""
        seen = self.firsts((key,), (row,))
        return seen[0][1] if seen else None

    def firsts(self, keys: Sequence[str], rows: Sequence[int]) -> list[tuple[int, int]]:
        """(position in `keys`, first row) for each key seen before, in order; each new key
        is recorded as first seen in its row. This loop runs for every key of the file: the
        hashes are taken by C-level `map`, the table's arrays looked up once per batch."""
        while (self._count + len(keys)) * 2 > len(self._hashes):
            self._grow()
        hashes, firsts, mask = self._hashes, self._rows, len(self._hashes) - 1
        digests = list(map(hash, keys))
        if _EMPTY in digests:
            digests = [digest or 1 for digest in digests]  # 0 marks an empty slot
        seen: list[tuple[int, int]] = []
        for position, digest in enumerate(digests):
            slot = digest & mask
            held = hashes[slot]
            while held != digest:
                if held == _EMPTY:
                    hashes[slot] = digest
                    firsts[slot] = rows[position]
                    break
                slot = (slot + 1) & mask
                held = hashes[slot]
            else:
                seen.append((position, firsts[slot]))
        self._count += len(digests) - len(seen)
        return seen

    def _grow(self) -> None:
        old_hashes, old_rows = self._hashes, self._rows
        size = len(old_hashes) * (4 if len(old_hashes) < _QUICK_GROWTH else 2)
        hashes, rows, mask = array("q", bytes(8 * size)), array("I", bytes(4 * size)), size - 1
        held = compress(old_hashes, old_hashes), compress(old_rows, old_hashes)
        for digest, row in zip(*held, strict=True):
            slot = digest & mask
            while hashes[slot] != _EMPTY:  # linear probing; every digest is distinct
                slot = (slot + 1) & mask
            hashes[slot], rows[slot] = digest, row
        self._hashes, self._rows = hashes, rows
