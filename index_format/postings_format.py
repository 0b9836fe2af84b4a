"""How a text field stores word positions in each posting: packed integers, not pickles.

Whoosh's `Positions` format pickles a list of position gaps for every posting: about 2 us
per posting to write and as much to read back for each phrase query, a fifth of a
rebuild. `PackedPositions` stores the count and the positions as little-endian 32-bit
integers, packed and unpacked with one cached `struct` call. Indexes written with the
pickled layout cannot be read with this one: the store refuses generations of an older
`INDEX_FORMAT`.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np

from .memo import Memo
from .packed_columns import PackedValues
from .whoosh_compat import formats

COUNT = struct.Struct("<I")  # a posting's first integer: how many positions follow
LAYOUTS = 4096  # distinct position counts whose Struct is kept


def _new_layout(count: int) -> struct.Struct:
    """The count and `count` positions, little-endian unsigned 32-bit."""
    return struct.Struct(f"<{count + 1}I")


_layout = Memo(_new_layout, LAYOUTS).__getitem__  # one Struct per count, made once


class PackedPositions(formats.Positions):
    """`formats.Positions` with packed 32-bit integers instead of pickled gaps."""

    def encode(self, positions: list[int]) -> bytes:
        return _layout(len(positions)).pack(len(positions), *positions)

    def encode_terms(self, positions: dict[str, list[int]]) -> list[tuple[str, float, bytes]]:
        """(term, weight, value) for each term of one document: what a posting stores.

        The value is `encode`'s, written out: a method call per term costs a tenth more.
        """
        boost = self.field_boost
        return [(term, len(p) * boost, _layout(len(p)).pack(len(p), *p)) for term, p in positions.items()]

    def decode_frequency(self, value: bytes) -> int:
        return COUNT.unpack_from(value)[0]

    def decode_weight(self, value: bytes) -> float:
        return self.decode_frequency(value) * self.field_boost

    def decode_positions(self, value: bytes) -> list[int]:
        return list(_layout(self.decode_frequency(value)).unpack_from(value)[1:])

    def decode_all(self, values: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """(which of `values` each position is of, the positions) for many postings at once,
        as arrays in order: a phrase over hundreds of documents in one pass, not one
        `decode_positions` a document."""
        if isinstance(values, PackedValues):  # a term's whole postings, as blocks hold them: no joining
            sizes = values.sizes() // COUNT.size  # count + positions
            packed = np.frombuffer(values.data, dtype="<u4")
        else:
            sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // COUNT.size  # count + positions
            packed = np.frombuffer(b"".join(values), dtype="<u4")
        positions = np.ones(len(packed), dtype=bool)
        positions[np.cumsum(sizes) - sizes] = False  # each posting's count
        return np.repeat(np.arange(len(values)), sizes - 1), packed[positions].astype(np.int64)
