"""The ``datacruncher`` command line: parses arguments, calls one library function, renders the result.

``crunch`` is also mounted by the ``datagen`` umbrella CLI as ``datagen crunch`` (entry-point group
``datagen.commands``). Every user error becomes a one-line message and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import duckdb

from datagen_contracts import files as contract_files
from datagen_contracts.errors import ContractError
from datagen_contracts.report import SEVERITIES, dumps_report
from datagen_contracts.text import printable, printable_lines

from .__about__ import __version__
from .errors import CruncherError
from .report.gate import EXIT_USAGE, exit_code, junit_xml
from .report.terminal import render_summary


class UserError(click.ClickException):
    exit_code = EXIT_USAGE

    def format_message(self) -> str:  # names from data or schemas may hold control characters
        return printable_lines(self.message)


def _fail(exc: Exception) -> UserError:
    err = UserError(printable_lines(exc))
    err.exit_code = getattr(exc, "exit_code", EXIT_USAGE)  # type: ignore[misc]  # 3 when DuckDB could not run the work at all
    return err


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except ValueError:
        return False
    return True


def _into_input(target: Path, dataset: Path) -> bool:
    """Whether writing ``target`` would change the input: a file inside a dataset directory (the next crunch would
    read it, or its fingerprint would change), or the dataset file itself. A report beside a single input file
    (``datacruncher crunch orders.csv`` in its own folder) changes nothing."""
    if not dataset.exists():
        return False
    return _inside(target, dataset) if dataset.is_dir() else target.resolve() == dataset.resolve()


def llm_options(f: Any) -> Any:
    """The model options shared by ``crunch`` (persona agents) and ``draft`` (names and descriptions)."""
    opts = [
        click.option("--llm-base-url", metavar="URL",
                     help="An OpenAI-compatible endpoint for --llm-model (or write the model as URL#name)."),
        click.option("--llm-cache", type=click.Path(path_type=Path),
                     help="Reply cache directory (default $DATAGEN_LLM_CACHE or ~/.cache/datagen/llm): a rerun "
                          "with the same inputs makes no call and gives the same result."),
        click.option("--llm-max-calls", default=60, show_default=True, type=click.IntRange(1),
                     help="Budget: model calls (cached replies are free)."),
        click.option("--llm-max-tokens", default=400_000, show_default=True, type=click.IntRange(1),
                     help="Budget: total tokens."),
        click.option("--llm-max-seconds", default=600.0, show_default=True, type=click.FloatRange(1),
                     help="Budget: wall time of all model calls."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def make_chat(model: str, base_url: str | None, cache: Path | None, max_calls: int, max_tokens: int,
              max_seconds: float) -> Any:
    """A budgeted, cached model client, or exit 2 saying how to install the ``[llm]`` extra."""
    from datagen_contracts import llm

    try:
        return llm.client(model, dist="datacruncher", base_url=base_url, cache_dir=cache, max_calls=max_calls,
                          max_tokens=max_tokens, max_seconds=max_seconds)
    except llm.LlmError as exc:
        raise _fail(exc) from None


@click.command("crunch")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--schema", type=click.Path(path_type=Path), help="DSL schema whose expectations are checked.")
@click.option("--personas", help='Comma-separated names, ids or aliases, e.g. "VP Growth,CFO,Data Engineer".')
@click.option("--persona-file", "persona_files", multiple=True, type=click.Path(path_type=Path),
              help="An extra persona YAML file (repeatable).")
@click.option("--personas-dir", "personas_dirs", multiple=True, type=click.Path(path_type=Path),
              help="A directory of persona YAML files (repeatable).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("crunch_report.json"),
              show_default=True, help="Where to write the report (never inside the dataset).")
@click.option("--verbose", "-v", is_flag=True, help="Also print each issue's SQL.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 1 when an issue of this severity or worse exists.")
@click.option("--fail-on-critical", is_flag=True, help="Same as --fail-on critical.")
@click.option("--fail-on-high", is_flag=True, help="Same as --fail-on high.")
@click.option("--baseline", type=click.Path(path_type=Path), help="A baseline dataset directory or crunch report: drift of every column against it. For a scenario's "
                   "dataset, the same schema generated without the scenario (same seed) is also the "
                   "counterfactual its expectations are measured against.")
@click.option("--drift-metric", "drift_metrics", default="psi,wasserstein", show_default=True,
              help="Baseline drift metrics, comma-separated: psi, js (categoricals), wasserstein, ks (numerics).")
@click.option("--thresholds", type=click.Path(path_type=Path),
              help="YAML file overriding checks' severities, benchmarks and params (see docs).")
@click.option("--benchmark", "benchmarks", multiple=True, metavar="CHECK=FLAG[:LOW-HIGH]",
              help="Override one business threshold, e.g. retention_d7=0.25:0.40-0.60 (repeatable).")
@click.option("--memory-limit", default="2GB", show_default=True, help="DuckDB memory limit; spills beyond it.")
@click.option("--junit", type=click.Path(path_type=Path), help="Also write a JUnit XML file (one testcase per check).")
@click.option("--html", "html_out", type=click.Path(path_type=Path),
              help="Also write the report as one self-contained HTML page (charts, model diagram; no network).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary on stdout.")
@click.option("--samples", default=10, show_default=True, type=click.IntRange(0, 1000), help="Sample keys per issue.")
@click.option("--follow-symlinks", is_flag=True,
              help="Read symlinks that lead outside DATASET (refused by default: the data is untrusted input).")
@click.option("--llm-model", metavar="MODEL",
              help="Also run persona agents on this model (a litellm model string such as openai/gpt-4o-mini, or "
                   "an OpenAI-compatible URL); needs the [llm] extra. Only findings whose SQL re-runs are kept.")
@click.option("--llm-personas", metavar="NAMES",
              help='Which personas play agents, e.g. "VP Growth,CFO" (default: the --personas chosen).')
@click.option("--llm-allow-critical", is_flag=True, help="Let an agent's confirmed finding be critical (capped at high by default).")
@llm_options
def crunch(dataset: Path, schema: Path | None, personas: str | None, persona_files: tuple[Path, ...],
           personas_dirs: tuple[Path, ...], output: Path, verbose: bool, fail_on: str | None,
           fail_on_critical: bool, fail_on_high: bool, baseline: Path | None, drift_metrics: str,
           thresholds: Path | None, benchmarks: tuple[str, ...], memory_limit: str,
           junit: Path | None, html_out: Path | None, as_json: bool, samples: int, follow_symlinks: bool,
           llm_model: str | None, llm_personas: str | None, llm_allow_critical: bool, llm_base_url: str | None,
           llm_cache: Path | None, llm_max_calls: int, llm_max_tokens: int, llm_max_seconds: float) -> None:
    """Analyze the dataset DATASET and write crunch_report.json. DATASET is a directory (parquet files or folders
    of parts, CSV / TSV / PSV, JSON lines, each of them .gz or .zst too), one such file, or a DuckDB or SQLite
    database.

    With --llm-model, each persona also runs as an agent that asks its own read-only SQL questions in a sandbox
    and proposes findings; a finding enters the report only when its SQL, re-run here, returns offending rows
    (provenance "llm", the model and the prompt hash recorded). Example:
    datacruncher crunch out/ --llm-model openai/gpt-4o-mini --llm-personas "VP Growth,CFO"
    """
    from .crunch import crunch as run_crunch

    chosen = [lvl for lvl, on in ((fail_on, True), ("critical", fail_on_critical), ("high", fail_on_high)) if lvl and on]
    fail_on = max(chosen, key=SEVERITIES.index) if chosen else None  # the most sensitive gate wins
    for target in (output, junit, html_out):
        if target is not None and _into_input(target, dataset):
            raise UserError(f"refusing to write {target} inside the dataset {dataset}")
    agents = None
    if llm_model is None and llm_personas is not None:
        raise UserError("--llm-personas needs --llm-model")
    try:
        if llm_model is not None:
            agents = _agent_settings(llm_model, llm_personas, personas, persona_files, personas_dirs,
                                     llm_allow_critical, make_chat(llm_model, llm_base_url, llm_cache, llm_max_calls,
                                                                   llm_max_tokens, llm_max_seconds))
        report = run_crunch(dataset, schema=schema, personas=personas, persona_files=persona_files,
                            personas_dirs=personas_dirs, memory_limit=memory_limit, baseline=baseline,
                            fail_on=fail_on, sample_limit=samples, drift_metrics=drift_metrics,
                            thresholds=thresholds, benchmarks=benchmarks, follow_symlinks=follow_symlinks,
                            agents=agents)
        contract_files.write_atomic(output, dumps_report(report))
        if junit is not None:
            contract_files.write_atomic(junit, junit_xml(report))
        if html_out is not None:
            from .report.pages import render_report

            contract_files.write_atomic(html_out, render_report(report).encode())
    except (CruncherError, ContractError) as exc:
        raise _fail(exc) from None
    except OSError as exc:
        raise UserError(f"cannot write output: {exc}") from None
    click.echo(render_summary(report, verbose=verbose, output=output), err=True)
    if as_json:
        click.echo(json.dumps({
            "report": str(output), "quality_score": report.quality_score,
            "summary": contract_files.to_builtins(report.summary), "checks": {
                k: getattr(report.checks, k) for k in ("evaluated", "passed", "failed", "errored", "skipped")},
            "metrics": contract_files.to_builtins(report.metrics), "gate": contract_files.to_builtins(report.gate),
            **({"agents": [{"persona": a.persona, "calls": a.calls, "cached_calls": a.cached_calls,
                            "confirmed": sum(p.status == "confirmed" for p in a.proposals),
                            "rejected": sum(p.status == "rejected" for p in a.proposals), "stopped": a.stopped}
                           for a in report.agents]} if report.agents else {}),
        }, indent=2))
    sys.exit(exit_code(report))


def _agent_settings(model: str, names: str | None, personas: str | None, persona_files: tuple[Path, ...],
                    personas_dirs: tuple[Path, ...], allow_critical: bool, chat: Any) -> Any:
    from .agents.analyst import AgentSettings
    from .checks.personas import available_personas, select_personas
    from .crunch import resolve_personas

    every = available_personas(list(persona_files), list(personas_dirs))
    chosen = select_personas(every, names) if names else resolve_personas(personas, persona_files, personas_dirs)
    return AgentSettings(chat=chat, personas=chosen, allow_critical=allow_critical)


@click.command("discover")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--schema", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the model as JSON.")
@click.option("--memory-limit", default="2GB", show_default=True)
def discover(dataset: Path, schema: Path | None, as_json: bool, memory_limit: str) -> None:
    """Print the discovered model: keys, foreign keys (with coverage), time columns, roles."""
    from .model.catalog import open_catalog
    from .model.discovery import discover as run_discover

    try:
        with open_catalog(dataset, schema=schema, memory_limit=memory_limit) as cat:
            model = run_discover(cat)
    except (CruncherError, ContractError) as exc:
        raise _fail(exc) from None
    contract = model.to_contract()
    if as_json:
        click.echo(contract_files.encode_json(contract).decode())
        return
    for t in contract.tables:
        key = t.primary_key or (f"({', '.join(t.composite_key)})" if t.composite_key else "-")
        click.echo(printable(f"{t.name}  [{t.kind}, {t.rows} rows]  pk={key}  created={t.created_at_column or '-'}"))
        for c in t.columns:
            roles = f"  ({', '.join(c.roles)})" if c.roles else ""
            click.echo(printable(f"    {c.name}: {c.type}{roles}"))
    for fk in contract.foreign_keys:
        src = f"({', '.join(fk.from_columns)})" if fk.from_columns else fk.from_column
        dst = f"({', '.join(fk.to_columns)})" if fk.to_columns else fk.to_column
        click.echo(printable(f"FK {fk.from_table}.{src} -> {fk.to_table}.{dst}  ")
                   +
                   f"coverage {fk.coverage:.2%} ({fk.source})")


@click.command("draft")
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("schema.json"), show_default=True,
              help="Where to write the drafted DSL schema (never inside the dataset).")
@click.option("--name", help="The schema's name (default: the dataset directory's name).")
@click.option("--model", "--llm-model", "llm_model", metavar="MODEL",
              help="Optional: a model that only adds a description of each table and column (structure and "
                   "numbers never come from it). Needs the [llm] extra.")
@click.option("--memory-limit", default="2GB", show_default=True, help="DuckDB memory limit; spills beyond it.")
@click.option("--overwrite", is_flag=True, help="Replace an existing output file.")
@click.option("--follow-symlinks", is_flag=True, help="Read symlinks that lead outside DATASET.")
@llm_options
def draft(dataset: Path, output: Path, name: str | None, llm_model: str | None, memory_limit: str, overwrite: bool,
          follow_symlinks: bool, llm_base_url: str | None, llm_cache: Path | None, llm_max_calls: int,
          llm_max_tokens: int, llm_max_seconds: float) -> None:
    """Draft a DSL schema from the data in DATASET: its synthetic twin, no model needed.

    Tables, keys and foreign keys come from discovery; children per parent from exact counts (Poisson or
    negative binomial, dormant share, min/max); categories with their shares, numbers fitted on their
    quantiles, timestamps with their hour/weekday/month patterns, text by role or shape, null rates. Then
    datagen generate makes data with the same structure and marginals. Example:

        datacruncher draft warehouse/ -o twin.json && datagen generate twin.json -o twin/
    """
    from .twin import describe, draft_schema

    if _into_input(output, dataset):
        raise UserError(f"refusing to write {output} inside the dataset {dataset}")
    if output.exists() and not overwrite:
        raise UserError(f"{output} exists; pass --overwrite to replace it")
    chat = make_chat(llm_model, llm_base_url, llm_cache, llm_max_calls, llm_max_tokens, llm_max_seconds) \
        if llm_model else None
    try:
        schema = draft_schema(dataset, name=name, memory_limit=memory_limit, follow_symlinks=follow_symlinks)
        note = describe(schema, chat) if chat is not None else ""
        contract_files.write_atomic(output, (json.dumps(schema, indent=2, ensure_ascii=False) + "\n").encode())
    except (CruncherError, ContractError) as exc:
        raise _fail(exc) from None
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc}") from None
    nodes = schema["nodes"]
    facts = sum(n["kind"] == "fact" for n in nodes)
    click.echo(printable(f"wrote {output}: {len(nodes)} tables ({facts} facts), "
                         f"{len(schema['constraints']['foreign_keys'])} foreign keys{note}"), err=True)


@click.command("personas")
@click.option("--persona-file", "persona_files", multiple=True, type=click.Path(path_type=Path))
@click.option("--personas-dir", "personas_dirs", multiple=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def personas(persona_files: tuple[Path, ...], personas_dirs: tuple[Path, ...], as_json: bool) -> None:
    """List the available personas and their checks."""
    from .checks.personas import available_personas

    try:
        found = available_personas(list(persona_files), list(personas_dirs))
    except (CruncherError, ContractError) as exc:
        raise _fail(exc) from None
    if as_json:
        click.echo(json.dumps([
            {"id": p.id, "name": p.name, "aliases": p.aliases, "focus": p.focus.strip(), "source": p.source,
             "checks": [{"id": c.id, "title": c.title, "over": c.over, "roles": c.roles} for c in p.checks]}
            for p in found], indent=2))
        return
    for p in found:
        alias = f" (aka {', '.join(p.aliases)})" if p.aliases else ""
        click.echo(f"{p.name}{alias} [{p.id}, {p.source}]: {len(p.checks)} checks")
        click.echo(f"    {' '.join(p.focus.split())}")
        for c in p.checks:
            click.echo(f"    - {c.id}: {c.title}")


@click.command("report")
@click.argument("report", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("report.html"), show_default=True,
              help="Where to write the page.")
def report(report: Path, output: Path) -> None:
    """Render REPORT (a crunch_report.json) as one self-contained HTML page.

    The page opens offline and without JavaScript: the verdict and counts by severity first, every issue with its
    evidence, samples and SQL, the discovered model as a diagram, each table's columns with small charts, drift
    as paired charts, and the checks. Example: datacruncher report crunch_report.json -o report.html
    """
    from datagen_contracts.report import load_report

    from .report.pages import render_report

    try:
        page = render_report(load_report(report))
        contract_files.write_atomic(output, page.encode())
    except ContractError as exc:
        raise _fail(exc) from None
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc}") from None
    click.echo(printable(f"wrote {output} ({len(page.encode()) / 1024:.0f} KB)"), err=True)


class Boundary(click.Group):
    """The command group, and the CLI boundary every command runs inside."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """The CLI boundary: a user error is a click exception (exit 2, one line); anything else is a bug — one
        line and exit 3, or its traceback when ``--debug`` is given (anywhere on the command line)."""
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv
        argv = [a for a in argv if a != "--debug"]
        try:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        except Exception as exc:
            if debug or not standalone_mode:
                raise
            if isinstance(exc, duckdb.Error):  # not the input's fault and not a check's (those are caught)
                click.echo(printable(f"error: DuckDB failed: {(str(exc).splitlines() or [''])[0]} (rerun with "
                                     "--debug for the traceback, and please report it)", limit=2000), err=True)
                sys.exit(3)
            click.echo(printable(f"error: internal error: {type(exc).__name__}: {exc} "
                                 "(rerun with --debug for the traceback, and please report it)", limit=2000), err=True)
            sys.exit(3)


@click.group(cls=Boundary)
@click.version_option(__version__, prog_name="datacruncher", message="%(prog)s %(version)s")
def main() -> None:
    """datacruncher: persona-driven data-quality analysis of any parquet dataset, on DuckDB."""


main.add_command(crunch)
main.add_command(discover)
main.add_command(personas)
main.add_command(report)
main.add_command(draft)
from .cli_views import views  # noqa: E402 - registered after the built-in commands

main.add_command(views)


if __name__ == "__main__":  # python -m datacruncher.cli
    main()
