"""The ``datapolisher`` CLI (and ``datagen polish``): parse, call the library, render, map errors to exit codes.

Exit codes: 0 done; 1 approval refused (critical issues) or ``verify`` found a mismatch; 2 bad input or usage;
3 a generated script or another stage failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import duckdb

from datagen_contracts.layout import damaged_file
from datagen_contracts.text import printable, printable_lines

from . import __about__
from .approval.approve import approve
from .approval.export import FORMATS, export
from .approval.verify import verify as verify_dataset
from .auto import auto_polish
from .errors import CriticalIssuesError, InputError, OutputExistsError, PolisherError, ScriptError, StageError
from .inputs import DEFAULT_REPORT, load_inputs
from .interactive import Group, interactive_polish
from .paths import StepResult, postprocess_path, schema_path


class PolishFailure(click.ClickException):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class; ours varies

    def format_message(self) -> str:  # names from data or schemas may hold control characters
        return printable_lines(self.message)


def _say(text: str, **kwargs: Any) -> None:
    """A human line on the terminal: names from the data may hold control characters, shown escaped."""
    click.echo(printable_lines(text), **kwargs)


def _fail(exc: PolisherError) -> PolishFailure:
    if isinstance(exc, CriticalIssuesError):
        return PolishFailure(str(exc), 1)
    if isinstance(exc, ScriptError | StageError):
        return PolishFailure(str(exc), 3)
    return PolishFailure(str(exc), 2)


def _defaults(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or "." not in key:
            raise InputError(f"--default {pair!r}: expected TABLE.COLUMN=VALUE")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def _counts(c: dict[str, int] | None) -> str:
    return "—" if c is None else ", ".join(f"{k} {v}" for k, v in c.items())


def _render_step(step: StepResult) -> None:
    _say(f"{step.path} path:")
    for p in step.written:
        _say(f"  wrote {p}")
    if step.output_dir:
        _say(f"  data  {step.output_dir}")
    for fix in step.fixes:
        _say(f"  fixed: {fix}")
    for u in step.unhandled:
        _say(f"  not addressed: {u}")
    for u in step.also_gone:
        _say(f"  gone with the other fixes: {u}")
    _say(f"  issues before: {_counts(step.before)}")
    if step.after is not None:
        _say(f"  issues after:  {_counts(step.after)}  ({step.report_path})")
    for n in step.notes:
        _say(f"  note: {n}")


@click.command("polish")
@click.argument("report", required=False, type=click.Path(path_type=Path), default=Path(DEFAULT_REPORT))
@click.option("--auto", "mode", flag_value="auto", help="Schema fixes, then post-processing, then approval.")
@click.option("--interactive", "mode", flag_value="interactive", help="Ask which path to take per issue group.")
@click.option("--path", "path", type=click.Choice(["schema", "postprocess", "approve"]), help="Take one path.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output directory (default: <dataset>_polished beside the dataset; approve: in place).")
@click.option("--schema", type=click.Path(path_type=Path), help="The dataset's DSL schema (else from .metadata.json).")
@click.option("--data", type=click.Path(path_type=Path), help="The dataset directory (else the report's).")
@click.option("--max-rounds", default=3, show_default=True, type=click.IntRange(1, 20), help="Rounds of --auto.")
@click.option("--force", is_flag=True, help="Approve despite critical issues, or use a report of changed data.")
@click.option("--reason", help="Why --force (recorded in the manifest).")
@click.option("--add", "add", multiple=True, metavar="SPEC",
              help="Computed column: is_active=TABLE[.COLUMN] or lifetime_value=TABLE[:CHILD.COLUMN].")
@click.option("--default", "defaults", multiple=True, metavar="T.C=V", help="Default for filling nulls of T.C.")
@click.option("--license", "license_", help="License recorded in the manifest (default CC0-1.0).")
@click.option("--overwrite", is_flag=True, help="Replace an existing output directory.")
@click.option("--sign-key", type=click.Path(path_type=Path),
              help="Sign the approval with this Ed25519 private key (PEM; see `datapolisher keygen`). Without it "
                   "the manifest carries an integrity hash only and says 'unsigned'.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON result on stdout.")
@click.option("--llm-model", metavar="MODEL",
              help="Fixes without a rule: ask this model (litellm model string or OpenAI-compatible URL) for a SQL "
                   "repair of each issue no rule covers; kept only when a re-crunch shows the issue gone and "
                   "nothing new. Needs the [llm] extra.")
@click.option("--llm-base-url", metavar="URL", help="An OpenAI-compatible endpoint for --llm-model.")
@click.option("--llm-cache", type=click.Path(path_type=Path),
              help="Reply cache directory (default $DATAGEN_LLM_CACHE or ~/.cache/datagen/llm).")
@click.option("--llm-max-issues", default=5, show_default=True, type=click.IntRange(1, 100),
              help="Issues sent to the model at most.")
@click.option("--llm-max-tokens", default=200_000, show_default=True, type=click.IntRange(1), help="Budget: tokens.")
@click.option("--llm-max-seconds", default=600.0, show_default=True, type=click.FloatRange(1),
              help="Budget: wall time of the model calls.")
def polish(report: Path, mode: str | None, path: str | None, output: Path | None, schema: Path | None,
           data: Path | None, max_rounds: int, force: bool, reason: str | None, add: tuple[str, ...],
           defaults: tuple[str, ...], license_: str | None, overwrite: bool, sign_key: Path | None,
           as_json: bool, llm_model: str | None, llm_base_url: str | None, llm_cache: Path | None,
           llm_max_issues: int, llm_max_tokens: int, llm_max_seconds: float) -> None:
    """Resolve the issues of a crunch report (default ./crunch_report.json): --auto, --interactive or --path.

    \b
    The three paths:
      schema       fix hints become DSL edits → schema_improved.json + schema_changes.md,
                   then (if installed) datagen regenerates and datacruncher re-crunches
      postprocess  postprocess.sql (duckdb < postprocess.sql) and postprocess.py (Polars),
                   applied to write <dataset>_polished/ with lineage; the input is never modified
      approve      refuses while critical issues remain (unless --force --reason),
                   writes .manifest.yaml (checksums, provenance, approval hash;
                   an Ed25519 signature with --sign-key)

    \b
    Examples:
      datagen polish --auto                           # schema → postprocess → approve
      datagen polish crunch_report.json --path postprocess --add is_active=customer
      datagen polish crunch_report.json --path approve
      datapolisher verify output_polished/
      datagen polish crunch_report.json --llm-model openai/gpt-4o-mini   # fixes without a rule

    Exit codes: 0 done; 1 approval refused; 2 bad input or usage; 3 a script or another stage failed.
    """
    if (mode is not None) + (path is not None) + (llm_model is not None) != 1:
        raise PolishFailure("choose exactly one of --auto, --interactive, --path schema|postprocess|approve or "
                            "--llm-model M", 2)
    if force and not reason:
        raise PolishFailure("--force needs --reason TEXT (it is recorded)", 2)
    try:
        inputs = load_inputs(report, schema=schema, data=data, force=force)
        if inputs.stale_forced:
            _say(f"warning: {inputs.data_dir} changed since {report} was made (--force)", err=True)
        if llm_model is not None:
            payload = _llm(inputs, llm_model, llm_base_url, llm_cache, llm_max_issues, llm_max_tokens,
                           llm_max_seconds, output, overwrite, as_json)
        else:
            payload = _dispatch(inputs, mode or path or "", output, max_rounds, force, reason, add,
                                _defaults(defaults), license_, overwrite, as_json, sign_key)
    except OutputExistsError as exc:
        raise PolishFailure(str(exc), 2) from None
    except PolisherError as exc:
        raise _fail(exc) from None
    except duckdb.Error as exc:  # a damaged file of the dataset is the input's fault (named, exit 2); else exit 3
        text = str(exc).splitlines()[0]
        damaged, named = damaged_file(text)
        if damaged:
            raise PolishFailure(f"cannot read {named or 'the dataset'}: it is damaged ({text})", 2) from None
        raise PolishFailure(f"DuckDB failed: {text}", 3) from None
    if as_json:
        click.echo(json.dumps(payload, indent=2))


def _llm(inputs: Any, model: str, base_url: str | None, cache: Path | None, max_issues: int, max_tokens: int,
         max_seconds: float, output: Path | None, overwrite: bool, quiet: bool) -> dict[str, Any]:
    from datagen_contracts import llm

    from .llm_fix import llm_polish
    from .postprocess.apply import default_output

    try:
        chat = llm.client(model, dist="datapolisher", base_url=base_url, cache_dir=cache, max_calls=max_issues,
                          max_tokens=max_tokens, max_seconds=max_seconds)
    except llm.LlmError as exc:
        raise InputError(str(exc)) from None
    echo = (lambda *a, **k: None) if quiet else _say
    res = llm_polish(inputs, chat, output=output or default_output(inputs.data_dir), overwrite=overwrite,
                     max_issues=max_issues)
    if not res.verdicts:
        echo("no issue is left without a rule: nothing to ask the model")
    for v in res.verdicts:
        echo(f"  {v.status}: {v.issue_id}" + (f" — {v.reason}" if v.reason else ""))
    if res.output_dir is not None:
        echo(f"kept {len(res.kept)} of {len(res.verdicts)} proposals: data {res.output_dir}, report {res.report_path}")
    elif res.verdicts:
        echo("no proposal was kept: nothing written but the record")
    if res.record is not None:
        echo(f"record: {res.record}")
    return {"path": "llm", "output_dir": str(res.output_dir) if res.output_dir else None,
            "report": str(res.report_path) if res.report_path else None,
            "proposals": [v.to_json() for v in res.verdicts]}


def _protection(approval: Any) -> str:
    if approval.signature:
        return f"ed25519 signature by key {approval.public_key[:12]}…, hash {approval.hash[:12]}…"
    return f"integrity hash {approval.hash[:12]}…, unsigned"


def _ask(group: Group) -> str:
    _say(f"\n{len(group.findings)} issue(s): {group.problem}")
    for f in group.findings[:5]:
        _say(f"  {f.label}")
    return click.prompt("  fix by", type=click.Choice(list(group.options)), default=group.default, err=True)


def _dispatch(inputs: Any, how: str, output: Path | None, max_rounds: int, force: bool, reason: str | None,
              add: tuple[str, ...], defaults: dict[str, Any], license_: str | None, overwrite: bool,
              quiet: bool, sign_key: Path | None = None) -> dict[str, Any]:
    echo = (lambda *a, **k: None) if quiet else _say
    if how == "approve":
        res = approve(inputs, output_dir=output, force=force, reason=reason, license=license_, overwrite=overwrite,
                      sign_key=sign_key)
        echo(f"approved {inputs.dataset_name}: wrote {res.manifest_path} "
             f"({_protection(res.manifest.approval)})" if res.manifest.approval else "")
        return {"path": "approve", "manifest": str(res.manifest_path)}
    if how == "schema":
        step = schema_path(inputs, output=output, overwrite=overwrite)
    elif how == "postprocess":
        step = postprocess_path(inputs, output=output, add=add, defaults=defaults, overwrite=overwrite)
    elif how == "interactive":
        steps = interactive_polish(inputs, _ask, output=output, add=add, defaults=defaults, overwrite=overwrite)
        for s in steps:
            _render_step(s)
        return {"steps": [s.to_json() for s in steps]}
    else:
        auto = auto_polish(inputs, output=output, max_rounds=max_rounds, add=add, defaults=defaults,
                           license=license_, overwrite=overwrite, sign_key=sign_key)
        if not quiet:
            for k, s in enumerate(auto.rounds, 1):
                _say(f"round {k}: ", nl=False)
                _render_step(s)
            _say(f"issues: {_counts(auto.initial)} → {_counts(auto.final)}; {auto.stopped}")
            _say(f"approved: {auto.manifest}" if auto.manifest else "not approved (critical issues remain or "
                       "the result could not be re-checked)")
            _say(f"summary: {auto.summary_path}")
        return auto.to_json()
    if not quiet:
        _render_step(step)
    return step.to_json()


@click.command("verify")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--public-key", type=click.Path(path_type=Path),
              help="Require an Ed25519 signature by this public key (PEM or base64), which you trust.")
@click.option("--json", "as_json", is_flag=True)
def verify(directory: Path, public_key: Path | None, as_json: bool) -> None:
    """Re-check a dataset against its .manifest.yaml: every file's sha256, no unlisted file, the approval hash,
    and with --public-key the signature.

    \b
    Without --public-key an intact hash proves that nothing changed by accident, not that nobody re-approved
    the data: anyone who can write the directory can recompute it. Sign approvals (polish --sign-key) and
    verify with the public key you trust to rule that out.

    Exit codes: 0 verified; 1 a mismatch (each printed as FAIL …); 2 bad input or usage.
    """
    try:
        result = verify_dataset(directory, public_key=public_key)
    except PolisherError as exc:
        raise _fail(exc) from None
    if as_json:
        click.echo(json.dumps({"ok": result.ok, "files_checked": result.files_checked, "protection": result.protection,
                               "problems": result.problems}))
    elif result.ok:
        _say(f"verified: {directory} ({result.files_checked} files; {result.protection})")
    else:
        for p in result.problems:
            _say(f"FAIL {p}", err=True)
    sys.exit(0 if result.ok else 1)


@click.command("keygen")
@click.argument("prefix", type=click.Path(path_type=Path))
def keygen_cmd(prefix: Path) -> None:
    """Create an Ed25519 key pair for signing approvals: PREFIX.key (private, mode 0600) and PREFIX.pub.

    \b
      datapolisher keygen team                        # team.key, team.pub
      datapolisher polish --auto --sign-key team.key
      datapolisher verify output_polished/ --public-key team.pub
    """
    from .approval.signing import keygen

    try:
        private, public = keygen(prefix)
    except PolisherError as exc:
        raise _fail(exc) from None
    _say(f"wrote {private} (keep it secret) and {public}")


@click.command("export")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default inside DIR).")
def export_cmd(directory: Path, fmt: str, output: Path | None) -> None:
    """Describe an approved dataset as a Frictionless Data Package, Croissant JSON-LD or ODCS contract."""
    try:
        path = export(directory, fmt, output)
    except PolisherError as exc:
        raise _fail(exc) from None
    _say(f"wrote {path}")


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
            click.echo(printable(f"error: internal error: {type(exc).__name__}: {exc} "
                                 "(rerun with --debug for the traceback, and please report it)", limit=2000), err=True)
            sys.exit(3)


@click.group(cls=Boundary)
@click.version_option(__about__.__version__, prog_name="datapolisher", message="%(prog)s %(version)s")
def main() -> None:
    """Fix, post-process or approve a dataset from its crunch report.

    \b
    A typical session (the seed's Scenario 1):
      datagen generate schema.json -o output/
      datagen crunch output/ --schema schema.json     # writes ./crunch_report.json
      datapolisher polish --auto                      # fix, re-crunch, approve
      datapolisher verify output_polished/            # checksums + approval hash

    Exit codes: 0 done; 1 approval refused or verify mismatch; 2 bad input or usage;
    3 a generated script or another stage failed.
    """


main.add_command(polish)
main.add_command(verify)
main.add_command(keygen_cmd, "keygen")
main.add_command(export_cmd, "export")
