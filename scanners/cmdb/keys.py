"""The first row of each key, for reporting duplicates, in flat arrays rather than a dict.

A dict of a million key strings costs ~125 MB; this table keeps a 64-bit hash and a 32-bit
row number per key in open-addressed arrays kept at most half full: 24 to 48 bytes a key.
Two different keys with the same 64-bit hash would be reported as duplicates: about one
chance in 3 x 10^7 for a file of a million rows, and the problem names both rows to check.
"""

from __future__ import annotations

from array import array

_EMPTY = 0
_MASK64 = (1 << 64) - 1


class FirstRows:
    def __init__(self, capacity: int = 1024) -> None:
        size = 1 << max(capacity - 1, 1).bit_length()
        self._hashes = array("Q", bytes(8 * size))
        self._rows = array("I", bytes(4 * size))
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def first(self, key: str, row: int) -> int | None:
        """The row `key` was first seen in; None, recording `row` as its first, if new."""
        digest = (hash(key) & _MASK64) or 1  # 0 marks an empty slot
        slot = self._find(digest)
        if self._hashes[slot] == digest:
            return self._rows[slot]
        self._hashes[slot], self._rows[slot] = digest, row
        self._count += 1
        if self._count * 2 > len(self._hashes):
            self._grow()
        return None

    def _find(self, digest: int) -> int:
        """The slot holding `digest`, or the empty one where it belongs (linear probing)."""
        hashes, mask = self._hashes, len(self._hashes) - 1
        slot = digest & mask
        while hashes[slot] != _EMPTY and hashes[slot] != digest:
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        old = zip(self._hashes, self._rows, strict=True)
        size = 2 * len(self._hashes)
        self._hashes = array("Q", bytes(8 * size))
        self._rows = array("I", bytes(4 * size))
        for digest, row in old:
            if digest != _EMPTY:
                slot = self._find(digest)
                self._hashes[slot], self._rows[slot] = digest, row
