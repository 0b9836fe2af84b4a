"""A posting block's three columns as packed bytes inside W3Codec's pickled block tuple.

Whoosh pickles a block as (docnum gaps, weights, values), each a tuple of Python objects:
unpickling a block of 1,024 postings makes 3,000 objects, and turning them into the arrays
scoring computes with copies them again. That was most of a broad query's time at ten
times the archive (13 of 29 ms for "los angeles river"). Here each column is one bytes
object in a small sequence class: unpickling makes three objects, and block_reader.py
views them as numpy arrays without a copy (`np.frombuffer`). The block writer packs the
blocks of terms with many postings (block_writer.PACK_FROM); a rare term's few postings
unpickle as quickly as tuples.

The classes are sequences of what Whoosh's tuples held (ints, floats, bytes), so Whoosh's
own matchers and merge read these blocks too (they index and iterate the columns); the
pickle names them by this module's path, which is therefore part of the format
(index_store's INDEX_FORMAT). Blocks written by Whoosh itself (an update's merge) keep
tuples, and the reader takes both.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Iterator, Sequence
from itertools import accumulate
from operator import index as as_index
from typing import Self, overload

import numpy as np

GAP = np.dtype("<u4")  # a docnum's difference from the one before (a block's first: the docnum)
WEIGHT = np.dtype("<f4")  # float32, as Whoosh keeps a block's weights
END = np.dtype("<u4")  # where each value ends in the joined values
_END = struct.Struct("<" + END.char)
if any(array(dtype.char).itemsize != dtype.itemsize for dtype in (GAP, WEIGHT, END)):  # C's int is 4 bytes wherever numpy runs
    raise ImportError("this platform's array types are not 4 bytes wide: the packed posting layout needs them")


class _PackedNumbers(Sequence):
    """Numbers of one little-endian type, packed; read one at a time or as an array view."""

    __slots__ = ("data",)
    DTYPE: np.dtype
    ITEM: struct.Struct  # one number, for Whoosh's matcher, which asks one at a time

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.ITEM = struct.Struct("<" + cls.DTYPE.char)

    def __init__(self, data: bytes):
        self.data = data

    @classmethod
    def of(cls, numbers: Sequence) -> Self:
        return cls(_little_endian(array(cls.DTYPE.char, numbers)))

    def __reduce__(self):
        return (type(self), (self.data,))

    def array(self) -> np.ndarray:
        return np.frombuffer(self.data, dtype=self.DTYPE)

    def __len__(self) -> int:
        return len(self.data) // self.DTYPE.itemsize

    def __iter__(self) -> Iterator:
        return iter(self.array().tolist())

    def __getitem__(self, position):
        if isinstance(position, slice):
            return self.array().tolist()[position]
        position = _within(as_index(position), len(self))
        return self.ITEM.unpack_from(self.data, position * self.DTYPE.itemsize)[0]


class PackedGaps(_PackedNumbers):
    """Docnum gaps as little-endian uint32."""

    __slots__ = ()
    DTYPE = GAP


class PackedWeights(_PackedNumbers):
    """Each posting's weight as a little-endian float32 (Whoosh's `array("f")` values)."""

    __slots__ = ()
    DTYPE = WEIGHT


class PackedValues(Sequence[bytes]):
    """Each posting's value (its packed positions), joined, with where each one ends."""

    __slots__ = ("data", "ends")

    def __init__(self, data: bytes, ends: bytes):
        self.data = data
        self.ends = ends  # little-endian uint32 per value

    @classmethod
    def of(cls, values: Sequence[bytes]) -> "PackedValues":
        ends = array(END.char, accumulate(map(len, values)))  # OverflowError past 4 GiB
        return cls(b"".join(values), _little_endian(ends))

    @classmethod
    def joined(cls, parts: Sequence["PackedValues"]) -> "PackedValues":
        """One term's values from its blocks' values (at least one), in order."""
        if len(parts) == 1:
            return parts[0]
        ends, base = [], 0
        for part in parts:
            part_ends = part.end_array().astype(np.int64)
            ends.append(part_ends + base)
            base += len(part.data)
        return cls(b"".join(part.data for part in parts), _packed_ends(np.concatenate(ends)))

    def take(self, which: np.ndarray) -> "PackedValues":
        """The values at positions `which` (ascending or not), still packed: a bytes
        object per posting would cost more than the positions' arrays made from them."""
        sizes = self.sizes()
        sizes, starts = sizes[which], (self.end_array() - sizes)[which]
        new_ends = np.cumsum(sizes)
        # Byte k of the i-th value taken is byte starts[i] + k of the data.
        offsets = np.repeat(starts - (new_ends - sizes), sizes) + np.arange(int(new_ends[-1]) if len(new_ends) else 0)
        return type(self)(np.frombuffer(self.data, dtype=np.uint8)[offsets].tobytes(), _packed_ends(new_ends))

    def __reduce__(self):
        return (type(self), (self.data, self.ends))

    def end_array(self) -> np.ndarray:
        return np.frombuffer(self.ends, dtype=END)

    def sizes(self) -> np.ndarray:
        """Each value's length in bytes (int64)."""
        ends = self.end_array().astype(np.int64)
        ends[1:] -= ends[:-1].copy()
        return ends

    def __len__(self) -> int:
        return len(self.ends) // END.itemsize

    def __iter__(self) -> Iterator[bytes]:
        data, start = self.data, 0
        for end in self.end_array().tolist():
            yield data[start:end]
            start = end

    @overload
    def __getitem__(self, position: int) -> bytes: ...
    @overload
    def __getitem__(self, position: slice) -> list[bytes]: ...
    def __getitem__(self, position):
        if isinstance(position, slice):
            return list(self)[position]
        position = _within(as_index(position), len(self))
        start = _END.unpack_from(self.ends, (position - 1) * END.itemsize)[0] if position else 0
        return self.data[start : _END.unpack_from(self.ends, position * END.itemsize)[0]]


def take(values: Sequence, which: np.ndarray) -> Sequence:
    """`values` at positions `which`: packed ones stay packed, others become a list."""
    if isinstance(values, PackedValues):
        return values.take(which)
    return [values[i] for i in which.tolist()]


def _little_endian(numbers: array) -> bytes:
    """An array's bytes in the packed order (little-endian) whatever the machine's."""
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tobytes()


def _packed_ends(ends: np.ndarray) -> bytes:
    """Where each value ends, as END; values of a block (1,024 postings) never reach 4 GiB."""
    if len(ends) and int(ends[-1]) > np.iinfo(END).max:
        raise ValueError("a term's values are too large to pack")
    return ends.astype(END).tobytes()


def _within(position: int, length: int) -> int:
    """A sequence index made non-negative, as a tuple takes it; IndexError past either end."""
    if position < 0:
        position += length
    if not 0 <= position < length:
        raise IndexError("posting index out of range")
    return position
