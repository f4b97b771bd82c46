"""Arrow arrays built from buffers: same values as ``pa.array``, and a generate run never imports pandas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

from datagen_core.arrays import from_numpy, indices, strings, text, to_numpy


def test_from_numpy_matches_pa_array() -> None:
    rng = np.random.default_rng(3)
    mask = rng.random(100) < 0.2
    for values, typ in [(rng.integers(-5, 5, 100), pa.int64()), (rng.random(100), pa.float64()),
                        (rng.random(100) < 0.5, pa.bool_()), (rng.integers(0, 9, 100).astype(np.int32), pa.date32()),
                        (rng.integers(0, 10**12, 100), pa.timestamp("us"))]:
        assert from_numpy(values, typ, mask).equals(pa.array(values, type=typ, mask=mask))
        assert from_numpy(values, typ).equals(pa.array(values, type=typ))
    assert indices(np.array([2, 0])).type == pa.int64()


def test_strings_and_back() -> None:
    assert strings(["a", None, "été", ""]).equals(pa.array(["a", None, "été", ""], type=pa.string()))
    assert text("@").as_py() == "@"
    arr = from_numpy(np.arange(10, dtype=np.int64)).slice(3, 4)
    assert to_numpy(arr).tolist() == [3, 4, 5, 6]
    assert to_numpy(from_numpy(np.array([True, False, True])).slice(1)).tolist() == [False, True]


def test_generate_does_not_import_pandas(tmp_path: Path) -> None:
    schema = {"version": "1.0", "metadata": {"name": "u"}, "constraints": {},
              "timeframe": {"start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"},
              "nodes": [{"id": "users", "rows": 2000, "pk": "user_id", "columns": [
                  {"name": "user_id", "type": "int", "generator": {"sequence": {}}},
                  {"name": "name", "type": "string", "generator": {"faker": {"method": "name"}}},
                  {"name": "email", "type": "string", "generator": {"faker": {"method": "email"}}},
                  {"name": "country", "type": "string", "generator": {"choice": {"choices": ["US", "DE"]}}},
                  {"name": "age", "type": "int", "nullable": True, "null_rate": 0.1,
                   "generator": {"distribution": {"type": "normal", "params": {"mean": 38, "std": 11}}}},
                  {"name": "signup", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]},
                  {"id": "orders", "kind": "fact", "parents": ["users"], "pk": "order_id",
                   "fanout": {"distribution": "poisson", "lambda": 2}, "columns": [
                       {"name": "order_id", "type": "int", "generator": {"sequence": {}}},
                       {"name": "user_id", "type": "int", "generator": {"lookup": {"from": "users.user_id"}}},
                       {"name": "at", "type": "datetime", "generator": {"datetime_series": {"within": "timeframe"}}}]}]}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(schema))
    code = ("import sys; from datagen_core import generate; "
            f"generate({str(path)!r}, {str(tmp_path / 'out')!r}, seed=1); print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_to_numpy_matches_pyarrow_and_never_imports_pandas() -> None:
    code = """
import sys, numpy as np, pyarrow as pa
from datagen_core.arrays import from_numpy, strings, to_numpy
m = np.array([0, 1, 0, 0, 1, 0, 0, 0, 1], dtype=bool)
cases = [strings(["a", "b", None, "a"]), strings(["x", "y", "z"]).slice(1, 2), from_numpy(np.arange(9), mask=m).slice(2),
         from_numpy(np.arange(9.0), mask=m), from_numpy(np.arange(9) % 2 == 0, mask=m),
         from_numpy(np.arange(9), pa.timestamp("us"), mask=m), from_numpy(np.arange(9, dtype=np.int32), pa.date32()),
         from_numpy(np.arange(9)), strings([])]
mine = [to_numpy(c) for c in cases]
print("pandas" in sys.modules)
for c, got in zip(cases, mine):
    want = c.to_numpy(zero_copy_only=False)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert [str(x) for x in got.tolist()] == [str(x) for x in want.tolist()], (got, want)
print("same")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "same"]
