"""``datagen validate SCHEMA --data DIR [--json] [--fail-under SCORE]``: confirm every declared constraint.

Exit 0 when every check passes and the score reaches ``--fail-under``; 1 when a check fails or errors or the
score is too low; 2 on usage or input errors (missing directory, damaged parquet, bad schema).
"""

from __future__ import annotations

import json
from typing import Any

import click

from ._options import say
from .check import InputError, load_schema_or_exit

_MARK = {"pass": "PASS", "fail": "FAIL", "error": "ERR ", "warn": "WARN", "skipped": "SKIP"}


@click.command()
@click.argument("schema_path", metavar="SCHEMA", type=click.Path(dir_okay=False))
@click.option("--data", "--data-dir", "data_dir", required=True, type=click.Path(file_okay=False),
              help="The dataset directory (parquet files + .metadata.json).")
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON on stdout.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None,
              help="Also exit 1 when the quality score (0-100) is below SCORE.")
@click.option("--verbose", "-v", is_flag=True, help="List passing and skipped checks too.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False),
              help="Also write the report as one self-contained HTML page (verdict, category scores, every check).")
def validate(schema_path: str, data_dir: str, as_json: bool, fail_under: float | None, verbose: bool,
             html_out: str | None) -> None:
    """Check a generated dataset against its schema: keys, foreign keys, types, ranges, patterns, enums,
    timeframe, parent-before-child times, targets; print each result and a quality score."""
    from ..errors import DatasetReadError
    from ..validate import validate as run

    schema = load_schema_or_exit(schema_path)
    try:
        report = run(schema, data_dir, schema_path=schema_path)
    except DatasetReadError as exc:
        raise InputError(str(exc)) from None
    under = fail_under is not None and (report.score is None or report.score < fail_under)
    if html_out is not None:
        _write_html(report, html_out, data_dir)
    if as_json:
        doc = report.to_dict()
        doc["fail_under"] = fail_under
        doc["ok"] = report.ok and not under
        click.echo(json.dumps(doc, indent=2, default=str))
    else:
        _render(report, verbose)
        if under:
            say(f"score {report.score:.1f} is under --fail-under {fail_under:g}" if report.score is not None
                       else f"no score (no applicable check) and --fail-under {fail_under:g}")
    if not report.ok or under:
        raise click.exceptions.Exit(1)


def _write_html(report: Any, target: str, data_dir: str) -> None:
    from pathlib import Path

    from datagen_contracts.files import write_atomic

    from ..validate.page import render

    path = Path(target)
    if path.resolve().is_relative_to(Path(data_dir).resolve()):
        raise InputError(f"refusing to write {target} inside the dataset directory {data_dir}")
    try:
        write_atomic(path, render(report).encode())
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc}") from None


def _render(report: Any, verbose: bool) -> None:
    shown = [c for c in report.checks if verbose or c.status in ("fail", "error", "warn")]
    for c in shown:
        rows = "" if c.failing_rows is None else f"  failing rows {c.failing_rows:,}"
        of = "" if c.rows is None else f" of {c.rows:,}"
        msg = f"  ({c.message})" if c.message else ""
        say(f"{_MARK[c.status]} {c.category:<11} {c.check:<15} {c.target}  measured {c.measured!r}"
                   f" expected {c.expected!r}{rows}{of if rows else ''}{msg}")
    say("")
    for name, cat in report.categories.items():
        score = "n/a" if cat.score is None else f"{cat.score:5.1f}"
        say(f"  {name:<12} {score:>5}  ({cat.passed}/{cat.applicable} passed, {cat.errors} errors, "
                   f"{cat.warnings} warnings, {cat.skipped} skipped)")
    counts = report.counts()
    score = "n/a" if report.score is None else f"{report.score:.1f}"
    verdict = "OK" if report.ok else "FAILED"
    say(f"{verdict}: {counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors, "
               f"{counts['warn']} warnings, {counts['skipped']} skipped; quality score {score}/100")
