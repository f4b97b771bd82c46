"""A dataset no one here generated, with a composite reference whose names say nothing: crunch finds the
composite FK from values and its orphans, ``polish --path postprocess`` drops them, and a second crunch is clean."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
pytestmark = [pytest.mark.skipif(shutil.which(tool, path=PATH) is None, reason=f"the {tool} CLI is not installed")
              for tool in ("datacruncher", "datapolisher")]


def _run(*args: str, cwd: Path, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(args, cwd=cwd, env={**os.environ, "PATH": PATH}, capture_output=True, text=True, check=False)
    assert proc.returncode in ok, f"{args[:2]} → exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return proc


def test_composite_orphans_found_and_dropped(tmp_path: Path) -> None:
    rng = random.Random(3)
    data = tmp_path / "depots"
    data.mkdir()
    depots = [f"D{i:03d}" for i in range(30)]
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=d) for d in range(100)]
    pairs = sorted(rng.sample([(d, day) for d in depots for day in days], 600))  # a fifth of the combinations
    pq.write_table(pa.table({"depot": [d for d, _ in pairs], "day": [d for _, d in pairs]}), data / "runs.parquet")
    sent = [rng.choice(pairs) for _ in range(2000)] + [("X999", days[i]) for i in range(40)]
    pq.write_table(pa.table({"parcel_id": list(range(len(sent))), "hub": [h for h, _ in sent],
                             "sent_on": [d for _, d in sent]}), data / "parcels.parquet")

    _run("datacruncher", "crunch", "depots", "-o", "report.json", "--personas", "Data Engineer", cwd=tmp_path, ok=(0, 1))
    report = json.loads((tmp_path / "report.json").read_text())
    (issue,) = [i for i in report["issues"] if i["rule_id"] == "composite_fk_orphans"]
    assert issue["measure"]["failed_row_count"] == 40 and issue["severity"] == "critical"

    _run("datapolisher", "polish", "report.json", "--path", "postprocess", "-o", "polished", cwd=tmp_path)
    assert pq.read_table(tmp_path / "polished" / "parcels.parquet").num_rows == 2000
    _run("datacruncher", "crunch", "polished", "-o", "again.json", "--personas", "Data Engineer", cwd=tmp_path,
         ok=(0, 1))
    again = json.loads((tmp_path / "again.json").read_text())
    fks = [f for f in again["model"]["foreign_keys"] if f["from_columns"]]
    assert [(f["from_columns"], f["to_columns"], f["coverage"]) for f in fks] == [
        (["hub", "sent_on"], ["depot", "day"], 1.0)]
    assert not [i for i in again["issues"] if i["rule_id"] == "composite_fk_orphans"]
