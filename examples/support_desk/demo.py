"""The same agent tools over simulated and "production" data.

1. generate a scenario of ``schema.json`` with the ``datagen`` CLI (``python -m datagen_core generate``);
2. check the scenario's expectations with ``datacruncher crunch`` (they are in the output's ``.metadata.json``);
3. open the toolset of ``workflow_definitions.yaml`` over the simulation and print the daily briefing;
4. export the data the way a production system would hold it — a DuckDB database file and a parquet warehouse
   written by DuckDB (other table names, tickets partitioned by category, no ``.metadata.json``) — and run the
   *same* agent code over both: every tool returns the same rows.

Run it from anywhere (needs datagen-core and datacruncher installed)::

    python examples/support_desk/demo.py --scenario crisis --out /tmp/support_demo
    python examples/support_desk/demo.py --scenario growth_stall --set business_stage=mature
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from datacruncher.views.toolset import Toolset

HERE = Path(__file__).resolve().parent
SCHEMA = HERE / "schema.json"
WORKFLOWS = HERE / "workflow_definitions.yaml"
#: how the production side names the tables (the workflow file's roles find them)
PRODUCTION_NAMES = {"customer": "customers", "subscription": "subscriptions", "order": "orders",
                    "ticket": "support_tickets", "ticket_message": "ticket_messages"}


def agent_session(tools: Toolset) -> dict[str, object]:
    """What the agent does, written once: the briefing, a deep dive, the crisis view. Returns every result."""
    return {
        "briefing": tools.get_daily_briefing(),
        "ticket_metrics": tools.get_ticket_metrics(days=28),
        "at_risk": tools.analyze_customer_segment("at_risk"),
        "crisis": tools.call("get_crisis_response", {"category": "shipping_delay", "days": 7}),
        "customers": tools.get_customer_analysis(),
    }


def generate(out: Path, scenario: str, seed: int, sets: list[str]) -> Path:
    data = out / "simulation"
    cmd = [sys.executable, "-m", "datagen_core", "generate", str(SCHEMA), "--scenario", scenario, "--seed", str(seed),
           "-o", str(data), "--overwrite", "--quiet"]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)
    return data


def crunch(data: Path, out: Path) -> list[dict]:
    """The scenario's expectations as datacruncher verified them (drift entries of kind 'scenario')."""
    report = out / "crunch_report.json"
    proc = subprocess.run([sys.executable, "-m", "datacruncher.cli", "crunch", str(data), "-o", str(report),
                           "--personas", "Data Engineer"], capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1, 3):  # 1: a gate, 3: a check errored — the report is still written
        raise SystemExit(f"datacruncher crunch failed ({proc.returncode}): {proc.stderr}")
    return [d for d in json.loads(report.read_text())["drift"] if d["kind"] == "scenario"]


def export_production(data: Path, out: Path) -> tuple[Path, Path]:
    """The simulation as production would hold it: a DuckDB file and a DuckDB-written parquet warehouse."""
    db, warehouse = out / "production.duckdb", out / "warehouse"
    db.unlink(missing_ok=True)
    warehouse.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    try:
        for table, name in PRODUCTION_NAMES.items():
            source = str(data / f"{table}.parquet").replace("'", "''")
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(\'{source}\')')
            target = str(warehouse / name).replace("'", "''")
            if name == "support_tickets":  # a hive-partitioned table directory
                con.execute(f'COPY "{name}" TO \'{target}\' (FORMAT parquet, PARTITION_BY (category), OVERWRITE)')
            else:
                con.execute(f'COPY "{name}" TO \'{target}.parquet\' (FORMAT parquet)')
    finally:
        con.close()
    return db, warehouse


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="growth_stall", help="steady_growth, growth_stall or crisis")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="NAME=VALUE",
                    help="a schema parameter, e.g. business_stage=mature (repeatable)")
    ap.add_argument("--out", type=Path, help="working directory (default: a new temporary one)")
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="support_desk_demo-"))
    out.mkdir(parents=True, exist_ok=True)

    print(f"== 1. simulation: scenario {args.scenario!r} → {out / 'simulation'}")
    data = generate(out, args.scenario, args.seed, args.sets)
    print("== 2. the scenario's expectations, verified by datacruncher")
    for d in crunch(data, out):
        print(f"  [{'met' if d['status'] == 'ok' else d['status']}] {d['message']}")

    print("== 3. the agent's daily briefing over the simulation\n")
    with Toolset.open(data, workflows=WORKFLOWS) as tools:
        print(tools.get_daily_briefing())
        print(f"\n  ({len(tools.specs())} tools, e.g. {tools.specs()[0]['function']['name']}; "
              f"data fingerprint {tools.fingerprint[:12]}…)")
        simulated = agent_session(tools)

    db, warehouse = export_production(data, out)
    print(f"\n== 4. the same agent code over production stand-ins: {db.name} and {warehouse.name}/")
    same = True
    for source in (db, warehouse):
        with Toolset.open(source, workflows=WORKFLOWS) as tools:
            production = agent_session(tools)
        for key, result in production.items():
            if str(result) != str(simulated[key]):
                same = False
                print(f"  {source.name}: {key} differs from the simulation")
        print(f"  {source.name}: {len(production)} tool calls, "
              f"{'identical to' if same else 'DIFFERENT from'} the simulation")
    print("\n" + str(production["at_risk"]))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
