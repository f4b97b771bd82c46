"""Finding what a polish run works on: the crunch report, its dataset, the dataset's metadata and schema.

The report names the dataset (``dataset.path``); ``--data`` overrides it. The schema comes from ``--schema``,
else the dataset's ``.metadata.json`` schema reference, else the report's ``schema_used``. A dataset whose
fingerprint differs from the report's is refused unless ``force``: the findings would describe other data.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from datagen_contracts import ContractError, load_metadata, load_report
from datagen_contracts.fingerprint import file_sha256
from datagen_contracts.metadata import FILENAME as METADATA_FILENAME
from datagen_contracts.metadata import DatasetMetadata
from datagen_contracts.report import CrunchReport

from .dataset import fingerprint
from .errors import InputError, StaleReportError

DEFAULT_REPORT = "crunch_report.json"


@dataclass
class PolishInputs:
    report: CrunchReport
    report_path: Path
    report_sha256: str
    data_dir: Path
    metadata: DatasetMetadata | None
    schema_path: Path | None
    stale_forced: bool = False

    def missing_schema(self) -> str:
        """Why there is no schema, for an error message."""
        meta = self.data_dir / METADATA_FILENAME
        named = [f"{meta} names {self.metadata.schema.path}" if self.metadata and self.metadata.schema else "",
                 f"{self.report_path} names {self.report.schema_used}" if self.report.schema_used else ""]
        said = "; ".join(n for n in named if n)
        if said:
            return f"{said}, which was not found here, beside the dataset or beside the report; pass --schema S"
        return "pass --schema S (neither .metadata.json nor the report names one)"

    @property
    def dataset_name(self) -> str:
        if self.metadata is not None:
            return self.metadata.dataset_name
        return self.data_dir.name


def read_report(path: Path) -> CrunchReport:
    if not path.exists():
        hint = " (run `datacruncher crunch DIR -o crunch_report.json` first)" if path.name == DEFAULT_REPORT else ""
        raise InputError(f"crunch report not found: {path}{hint}")
    try:
        return load_report(path)
    except ContractError as exc:
        raise InputError(f"cannot use crunch report {path}: {exc}") from None


def read_metadata(data_dir: Path) -> DatasetMetadata | None:
    """The dataset's ``.metadata.json`` if present; a broken one is an error, a missing one is not."""
    if not (data_dir / METADATA_FILENAME).exists():
        return None
    try:
        return load_metadata(data_dir)
    except ContractError as exc:
        raise InputError(f"cannot read {data_dir / METADATA_FILENAME}: {exc}") from None


def _first_existing(candidates: list[Path]) -> Path | None:
    return next((c for c in candidates if c.exists()), None)


WORKBOOKS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


def resolve_dataset(report: CrunchReport, report_path: Path, data: Path | None) -> Path:
    if data is not None:
        if not data.is_dir():
            raise InputError(f"--data {data} is not a directory")
        return data
    raw = Path(report.dataset.path)
    found = _first_existing([raw] if raw.is_absolute() else [raw, report_path.parent / raw])
    if found is not None and found.is_file():  # a crunch of one file: datapolisher writes a dataset directory
        folder = shlex.quote(str(found.parent / found.name.split(".")[0]))
        how = ("save its sheets as parquet files in a directory" if found.suffix.lower() in WORKBOOKS else
               f"put it in a directory of its own (mkdir {folder} && mv {shlex.quote(str(found))} {folder}/)"
               if found.suffix.lower() in (".parquet", ".parq", ".pq") else
               f"write it as parquet in a directory of its own (mkdir {folder} && duckdb -c \"COPY (FROM "
               f"'{found}') TO '{found.parent / found.name.split('.')[0]}/{found.name.split('.')[0]}.parquet'\")")
        raise InputError(f"{report_path} is the crunch of one file, {found}; datapolisher polishes a directory of "
                         f"parquet tables: {how}, crunch that directory and polish its report")
    if found is None or not found.is_dir():
        raise InputError(
            f"the dataset named by {report_path} ({report.dataset.path}) does not exist here; "
            "run from the directory where it was crunched or pass --data DIR"
        )
    return found


def resolve_schema(
    schema: Path | None, metadata: DatasetMetadata | None, report: CrunchReport, data_dir: Path, report_path: Path
) -> Path | None:
    if schema is not None:
        if not schema.is_file():
            raise InputError(f"--schema {schema} not found")
        return schema
    refs = []
    if metadata is not None and metadata.schema is not None:
        refs.append(metadata.schema.path)
    if report.schema_used:
        refs.append(report.schema_used)
    for ref in refs:
        raw = Path(ref)
        bases = [Path()] if raw.is_absolute() else [Path(), data_dir, data_dir.parent, report_path.parent]
        found = _first_existing([b / raw for b in bases])
        if found is not None and found.is_file():
            return found
    return None


def load_inputs(
    report_path: Path,
    *,
    schema: Path | None = None,
    data: Path | None = None,
    force: bool = False,
) -> PolishInputs:
    """Read and cross-check everything a polish run needs."""
    report = read_report(report_path)
    data_dir = resolve_dataset(report, report_path, data)
    actual = fingerprint(data_dir)
    stale = actual != report.dataset.fingerprint
    if stale and not force:
        raise StaleReportError(
            f"{data_dir} has changed since {report_path} was made (fingerprint {actual[:12]}… ≠ "
            f"{report.dataset.fingerprint[:12]}…); re-crunch it (`datacruncher crunch {data_dir} -o "
            f"{report_path}`) or pass --force --reason TEXT"
        )
    metadata = read_metadata(data_dir)
    return PolishInputs(
        report=report,
        report_path=report_path,
        report_sha256=file_sha256(report_path),
        data_dir=data_dir,
        metadata=metadata,
        schema_path=resolve_schema(schema, metadata, report, data_dir, report_path),
        stale_forced=stale,
    )
