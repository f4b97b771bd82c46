"""Exports are checked by each standard's own tooling, skipped with a reason when it is not installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from polisher_builders import write_report

from datapolisher.approval.approve import approve
from datapolisher.approval.export import export
from datapolisher.errors import InputError
from datapolisher.inputs import load_inputs


@pytest.fixture
def approved(shop: Path) -> Path:
    approve(load_inputs(write_report(shop, shop.parent / "crunch_report.json", [])))
    return shop


def test_frictionless_package_validates(approved: Path) -> None:
    frictionless = pytest.importorskip("frictionless", reason="frictionless validates Data Packages")
    doc = json.loads(export(approved, "frictionless").read_text())
    assert [e.message for e in frictionless.Package.metadata_validate(doc)] == []
    order = next(r for r in doc["resources"] if r["name"] == "order")
    assert order["schema"]["primaryKey"] == ["order_id"]
    assert order["schema"]["foreignKeys"] == [{"fields": ["user_id"], "reference": {"resource": "user",
                                                                                      "fields": ["user_id"]}}]
    assert order["hash"].startswith("sha256:")


def test_croissant_validates_and_loads(approved: Path) -> None:
    mlc = pytest.importorskip("mlcroissant", reason="mlcroissant validates Croissant JSON-LD")
    path = export(approved, "croissant")
    ds = mlc.Dataset(jsonld=str(path))
    assert ds.metadata.ctx.issues.errors == set()
    rows = list(ds.records("order"))
    assert len(rows) == 8 and rows[0]["order/unit_price"] == pytest.approx(9.999)


def test_odcs_contract_validates_against_the_published_schema(approved: Path) -> None:
    odcs = pytest.importorskip("open_data_contract_standard", reason="ships the published ODCS JSON Schema")
    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    doc = YAML(typ="safe").load(export(approved, "odcs").read_text())
    schema = json.loads((Path(odcs.__file__).parent / "schema.json").read_text())
    assert list(jsonschema.Draft201909Validator(schema).iter_errors(doc)) == []
    from open_data_contract_standard.model import OpenDataContractStandard

    OpenDataContractStandard.model_validate(doc)
    assert {s["name"] for s in doc["schema"]} == {"order", "user"}


def test_export_needs_an_approved_dataset(shop: Path) -> None:
    with pytest.raises(InputError, match="approve it first"):
        export(shop, "odcs")


def test_polished_data_exports_with_its_real_types(shop: Path, shop_report: Path) -> None:
    """Polished data is described by postprocess.sql's .metadata.json: Arrow types, so integers stay integers."""
    frictionless = pytest.importorskip("frictionless", reason="frictionless validates Data Packages")
    from datapolisher.paths import postprocess_path

    step = postprocess_path(load_inputs(shop_report), add=("is_active=user",), recrunch_after=False)
    assert step.output_dir is not None
    approve(load_inputs(write_report(step.output_dir, shop.parent / "crunch_report.polished.json", [])))
    doc = json.loads(export(step.output_dir, "frictionless").read_text())
    assert [e.message for e in frictionless.Package.metadata_validate(doc)] == []
    fields = {r["name"]: {f["name"]: f["type"] for f in r["schema"]["fields"]} for r in doc["resources"]}
    assert fields["order"] == {"order_id": "integer", "user_id": "integer", "unit price": "number",
                               "placed_at": "datetime", "shipped_at": "datetime", "status": "string"}
    assert fields["user"]["is_active"] == "boolean" and fields["user"]["user_id"] == "integer"
