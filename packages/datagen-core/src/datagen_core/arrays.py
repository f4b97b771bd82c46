"""Arrow arrays straight from numpy buffers and Python strings.

``pa.array(...)`` asks pyarrow's pandas shim whether its argument is a pandas object, and that first question
imports pandas (~0.2 s of start-up) even when nothing uses it. The engine builds its arrays here instead, from the
buffers themselves (zero-copy for numbers), so a run that never touches pandas never imports it.

>>> from_numpy(np.array([1, 2, 3]), mask=np.array([False, True, False])).to_pylist()
[1, None, 3]
>>> strings(["a", None, "été"]).to_pylist()
['a', None, 'été']
>>> from_numpy(np.array([True, False, True])).to_pylist()
[True, False, True]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_NUMPY_TYPES: dict[np.dtype[Any], pa.DataType] = {np.dtype(np.int64): pa.int64(), np.dtype(np.int32): pa.int32(), np.dtype(np.float64): pa.float64(),
                np.dtype(np.bool_): pa.bool_(), np.dtype(np.uint8): pa.uint8(), np.dtype(np.int8): pa.int8(),
                np.dtype(np.int16): pa.int16(), np.dtype(np.uint32): pa.uint32(), np.dtype(np.uint64): pa.uint64(),
                np.dtype(np.float32): pa.float32()}
#: arrow types stored as a numpy dtype of the same width
_STORAGE: dict[pa.DataType, np.dtype[Any]] = {pa.date32(): np.dtype(np.int32), pa.timestamp("us"): np.dtype(np.int64)}


def _bitmap(flags: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.packbits(flags, bitorder="little"))


def from_numpy(values: np.ndarray, type: pa.DataType | None = None, mask: np.ndarray | None = None) -> pa.Array:
    """A fixed-width arrow array over a numpy array (bool, ints, floats, date32 days, timestamp[us]); ``mask``
    marks nulls. Other dtypes (strings, objects) go through ``pa.array``."""
    v = np.asarray(values)
    if type is None:
        type = _NUMPY_TYPES.get(v.dtype)
    storage = _STORAGE.get(type) if type is not None else None
    if storage is None and type is not None:
        storage = next((d for d, t in _NUMPY_TYPES.items() if t == type), None)
    if type is None or storage is None or v.ndim != 1:
        return pa.array(v, type=type, mask=mask)
    n = len(v)
    has_nulls = mask is not None and bool(np.any(mask))
    validity = _bitmap(~np.asarray(mask, dtype=bool)) if has_nulls else None
    nulls = int(np.count_nonzero(np.asarray(mask))) if has_nulls else 0
    if storage == np.bool_:
        data = _bitmap(v.astype(bool, copy=False))
    else:
        data = pa.py_buffer(np.ascontiguousarray(v, dtype=storage))
    return pa.Array.from_buffers(type, n, [validity, data], null_count=nulls)


def indices(idx: np.ndarray) -> pa.Array:
    """Row numbers for ``take`` (int64)."""
    return from_numpy(np.asarray(idx, dtype=np.int64))


def strings(values: Sequence[str | None]) -> pa.Array:
    """A string array from Python strings (None → null)."""
    encoded = [b"" if v is None else str(v).encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    nulls = [v is None for v in values]
    validity = _bitmap(~np.array(nulls, dtype=bool)) if any(nulls) else None
    small = offsets[-1] < 2**31
    arr = pa.Array.from_buffers(pa.string() if small else pa.large_string(), len(encoded),
                                [validity, pa.py_buffer(offsets.astype(np.int32) if small else offsets),
                                 pa.py_buffer(b"".join(encoded))], null_count=sum(nulls))
    return arr if small else arr.cast(pa.string())


def fixed_width(codes: np.ndarray) -> pa.Array:
    """A string array whose row i is the UTF-8 bytes of row i of a 2-d uint8 matrix (every row the same byte
    width): the matrix is the data buffer as it is, the offsets a multiple of the width — no per-row Python, no
    ``pa.array``.

    >>> fixed_width(np.frombuffer(b"ab-1cd-2", dtype=np.uint8).reshape(2, 4)).to_pylist()
    ['ab-1', 'cd-2']
    """
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    n, width = codes.shape
    offsets = np.arange(n + 1, dtype=np.int64) * width
    small = n * width < 2**31
    arr = pa.Array.from_buffers(pa.string() if small else pa.large_string(), n,
                                [None, pa.py_buffer(offsets.astype(np.int32) if small else offsets),
                                 pa.py_buffer(codes)])
    return arr if small else arr.cast(pa.string())


def text(value: str) -> pa.Scalar:
    """A string scalar (a separator for ``binary_join_element_wise``), built without ``pa.scalar``."""
    return strings([value])[0]


def to_numpy(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """What ``values.to_numpy(zero_copy_only=False)`` gives — a read-only view for numbers/bools without nulls,
    float NaN for null numbers, ``None`` for null bools and strings, NaT for null times, ``object`` arrays of
    ``str`` for strings — read from the buffers, so pyarrow never imports pandas to convert (it does for strings,
    nulls and times). Strings go through a dictionary: one Python string per distinct value, not per row.

    >>> to_numpy(from_numpy(np.array([1.5, 2.5]))).tolist(), to_numpy(from_numpy(np.array([True, False]))).tolist()
    ([1.5, 2.5], [True, False])
    >>> to_numpy(strings(["b", None, "b"])).tolist(), to_numpy(from_numpy(np.array([7, 8]), mask=np.array([0, 1]))).tolist()
    (['b', None, 'b'], [7.0, nan])
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    t = values.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        enc = pc.dictionary_encode(values)
        words = np.array([*enc.dictionary.to_pylist(), None], dtype=object)
        codes = to_numpy(enc.indices)  # float with NaN where null (pc.fill_null's scalar would import pandas)
        return words[np.nan_to_num(codes, nan=len(words) - 1).astype(np.int64) if enc.indices.null_count else codes]
    if t == pa.timestamp("us") or t == pa.date32():
        storage = to_numpy(values.view(pa.int64() if t == pa.timestamp("us") else pa.int32()))
        unit = "datetime64[us]" if t == pa.timestamp("us") else "datetime64[D]"
        return storage.astype(np.int64).view(unit) if values.null_count == 0 else np.where(
            np.isnan(storage), np.datetime64("NaT"), np.nan_to_num(storage).astype(np.int64).view(unit))
    dtype = next((d for d, typ in _NUMPY_TYPES.items() if typ == t), None)
    if dtype is None:
        return values.to_numpy(zero_copy_only=False)
    a, b = values.offset, values.offset + len(values)
    if dtype == np.bool_:
        data = np.unpackbits(np.frombuffer(values.buffers()[1], np.uint8), bitorder="little")[a:b].astype(bool)
    else:
        data = np.frombuffer(values.buffers()[1], dtype=dtype)[a:b]
    if values.null_count == 0:
        return data
    valid = np.unpackbits(np.frombuffer(values.buffers()[0], np.uint8), bitorder="little")[a:b].astype(bool)
    if dtype == np.bool_:
        out = data.astype(object)
        out[~valid] = None
        return out
    return np.where(valid, data.astype(np.float64), np.nan)
