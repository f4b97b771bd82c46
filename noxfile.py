"""Sessions for the Datagen monorepo.

    nox                      # the default: lint, tests, isolated (each package alone), umbrella, docs
    nox -s tests             # every test, with the four packages installed editable
    nox -s wheels            # build the four wheels into dist/
    nox -s isolated          # each package's wheel alone (+ contracts) in a fresh venv, with its own tests
    nox -s umbrella          # `datagen --help` lists crunch/polish only when those packages are installed
    nox -s e2e               # the cross-package pipelines (tests/e2e)
    nox -s bench             # benchmarks → docs/benchmarks.md
    nox -s lint              # ruff; mypy over the four packages
    nox -s docs              # the docs site (mkdocs-material, --strict); generated reference pages current
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import shutil
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
DIST = ROOT / "dist"
PACKAGES = {  # distribution -> import name
    "datagen-contracts": "datagen_contracts",
    "datagen-core": "datagen_core",
    "datacruncher": "datacruncher",
    "datapolisher": "datapolisher",
}
STAGES = ("datagen_core", "datacruncher", "datapolisher")
# deltalake writes real Delta Lake tables (removed files, partitions) for the layout tests to read; fastexcel is
# datacruncher's [excel] extra, its workbook tests read .xlsx files
TEST_DEPS = ("pytest>=8", "jsonschema>=4.20", "psutil>=5.9", "hypothesis>=6.100", "fsspec>=2023.1", "deltalake>=1.0",
             "fastexcel>=0.12")
# the standards' own validators for datapolisher's exports, and the DuckDB shell for `duckdb < postprocess.sql`;
# mlcroissant loads the parquet records through pandas, which needs pyarrow (datapolisher itself does not)
POLISHER_TEST_DEPS = (
    "frictionless>=5.18",
    "mlcroissant>=1.0",
    "open-data-contract-standard>=3.0",
    "duckdb-cli>=1.1",
    "pyarrow>=15",
    "cryptography>=42",  # the [sign] extra: signed approvals are tested, never skipped
)

# the [llm] extra: the LLM features' tests (against a loopback fake model) run in the tests session; the isolated
# sessions install each wheel without it and check the message that says how to install it
LLM_DEPS = ("litellm>=1.100,<1.103",)
# the [dask] extra: generation on a Dask LocalCluster is tested in the tests session (the isolated one has no Dask)
DASK_DEPS = ("dask[distributed]>=2024.1",)

nox.options.sessions = ["lint", "tests", "isolated", "umbrella", "docs"]
nox.options.default_venv_backend = "venv"
nox.options.error_on_missing_interpreters = True


def _editable_all(session: nox.Session) -> None:
    args = []
    for dist in PACKAGES:
        args += ["-e", str(ROOT / "packages" / dist)]
    session.install(*args, *TEST_DEPS, *POLISHER_TEST_DEPS, *LLM_DEPS, *DASK_DEPS)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Random valid schemas with hypothesis' long profile (400 examples; the test session runs a bounded 12)."""
    _editable_all(session)
    session.run("python", "-m", "pytest", "tests/datagen_core/test_random_schemas.py", *session.posargs,
                env={"HYPOTHESIS_PROFILE": "long"})


@nox.session
def tests(session: nox.Session) -> None:
    """Every test (unit, conformance, e2e) against an editable install of the whole workspace."""
    _editable_all(session)
    session.run("python", "-m", "pytest", "tests", *session.posargs)


@nox.session
def e2e(session: nox.Session) -> None:
    """The cross-package pipelines only."""
    _editable_all(session)
    session.run("python", "-m", "pytest", "tests/e2e", *session.posargs)


@nox.session
def wheels(session: nox.Session) -> None:
    """Build the four wheels into dist/."""
    _build_wheels(session)


def _discard_venv(session: nox.Session) -> None:
    """Remove a session's venv once it has run: the isolated and umbrella sessions must start fresh every time
    anyway, and keeping six more venvs (~2.5 GB) only fills the disk of a CI machine."""
    location = getattr(session.virtualenv, "location", None)
    if location and Path(location).is_dir() and Path(location).resolve().is_relative_to((ROOT / ".nox").resolve()):
        shutil.rmtree(location, ignore_errors=True)


def _build_wheels(session: nox.Session) -> dict[str, Path]:
    session.install("build>=1.2")
    DIST.mkdir(exist_ok=True)
    built: dict[str, Path] = {}
    for dist, module in PACKAGES.items():
        for old in DIST.glob(f"{module}-*.whl"):
            old.unlink()
        session.run("python", "-m", "build", "--wheel", "--outdir", str(DIST), str(ROOT / "packages" / dist), silent=True)
        wheel = sorted(DIST.glob(f"{module}-*.whl"))
        if len(wheel) != 1:
            session.error(f"expected one wheel for {dist} in {DIST}, found {wheel}")
        built[dist] = wheel[0]
    return built


@nox.session
@nox.parametrize("package", list(PACKAGES))
def isolated(session: nox.Session, package: str) -> None:
    """One package's wheel and the contracts wheel, alone in a fresh venv: pip check, its tests, no siblings."""
    built = _build_wheels(session)
    wanted = [built["datagen-contracts"]] if package == "datagen-contracts" else [built["datagen-contracts"], built[package]]
    session.install(*[w.resolve().as_uri() for w in wanted])
    session.run("python", "-m", "pip", "check")
    module = PACKAGES[package]
    siblings = [m for m in STAGES if m != module]
    session.run(
        "python", "-c",
        "import importlib.util, sys; found = [m for m in sys.argv[1:] if importlib.util.find_spec(m)]; "
        "sys.exit(f'sibling stages importable: {found}' if found else 0)",
        *siblings,
    )
    session.install(*TEST_DEPS, *(POLISHER_TEST_DEPS if package == "datapolisher" else ()))
    # run from a temp dir against the installed wheel, never the source tree
    session.run("python", "-c", f"import {module}, sys; assert 'site-packages' in {module}.__file__, {module}.__file__")
    session.run("python", "-m", "pytest", str(ROOT / "tests" / module), "-p", "no:cacheprovider", *session.posargs)
    _discard_venv(session)


@nox.session
def umbrella(session: nox.Session) -> None:
    """`datagen --help` lists crunch (and polish) only when datacruncher (datapolisher) is installed."""
    built = _build_wheels(session)
    session.install(built["datagen-contracts"].resolve().as_uri(), built["datagen-core"].resolve().as_uri())
    check = (
        "import subprocess, sys; out = subprocess.run(['datagen', '--help'], capture_output=True, text=True, check=True).stdout;"
        "names = [l.split()[0] for l in out.split('Commands:')[1].splitlines() if l.strip()];"
        "want = set(sys.argv[1].split(',')) - {''}; gone = set(sys.argv[2].split(',')) - {''};"
        "bad = (want - set(names)) | (gone & set(names));"
        "sys.exit(f'datagen --help lists {names}; expected {sorted(want)} and not {sorted(gone)}' if bad else 0)"
    )
    session.run("python", "-c", check, "generate,validate,plan,check,plugins", "crunch,polish")
    session.install(built["datacruncher"].resolve().as_uri())
    session.run("python", "-c", check, "generate,crunch", "polish")
    session.install(built["datapolisher"].resolve().as_uri())
    session.run("python", "-c", check, "generate,crunch,polish", "")
    session.run("datagen", "plugins", "--json")
    _discard_venv(session)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over packages, tests, benchmarks and this file; mypy over the four packages (configured in
    pyproject.toml), installed so that their dependencies' types are checked too."""
    session.install("ruff>=0.6", "mypy>=1.10", *(str(ROOT / "packages" / d) for d in PACKAGES))
    session.run("ruff", "check", "packages", "tests", "benchmarks", "tools", "noxfile.py")
    session.run("mypy", *(str(ROOT / "packages" / d / "src" / m) for d, m in PACKAGES.items()))


@nox.session
def docs(session: nox.Session) -> None:
    """The docs site, built with mkdocs-material --strict (a broken link, anchor or a page missing from the nav
    fails); the reference pages generated from the code (tools/gen_docs.py) must be current."""
    # the command-line reference reads every package's click commands; nothing else of the test set is needed
    session.install(*(a for d in PACKAGES for a in ("-e", str(ROOT / "packages" / d))), "mkdocs-material>=9.5")
    session.run("python", "tools/gen_docs.py", "--check")
    session.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / ".nox" / "site"), env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def bench(session: nox.Session) -> None:
    """Run benchmarks/bench_*.py and write docs/benchmarks.md (each figure beside a baseline of the same run).

    The packages are installed as a user gets them (regular installs, byte-compiled by pip), not editable: an
    editable install under PYTHONDONTWRITEBYTECODE recompiles every module at each start, which a user never pays.
    """
    session.install(*(str(ROOT / "packages" / d) for d in PACKAGES), *TEST_DEPS, *DASK_DEPS)  # reinstalls local paths
    sections = []
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        out = session.run("python", str(script), *session.posargs, silent=True)
        sections.append(out.strip() if isinstance(out, str) else "")
    header = (
        "# Benchmarks\n\n"
        f"Written by `nox -s bench` on {_dt.datetime.now(_dt.UTC):%Y-%m-%d %H:%M} UTC — "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} ({sys.platform}). "
        "Every figure is measured in the same run as the baseline beside it; numbers from another machine are "
        "not comparable. The packages are regular (byte-compiled) installs, as a user gets them.\n"
    )
    (ROOT / "docs" / "benchmarks.md").write_text(header + "\n" + "\n\n".join(s for s in sections if s) + "\n")
    session.log("wrote docs/benchmarks.md")
