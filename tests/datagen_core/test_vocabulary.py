"""The faker vocabulary: every method of Faker's standard providers works, values mean what the method means
(check digits, shapes), and high-cardinality columns are (nearly) all distinct."""

from __future__ import annotations

import collections
import ipaddress
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen_contracts.dsl import FAKER_METHODS, faker_vocabulary, loads_schema
from datagen_contracts.errors import SchemaError
from datagen_core.columns import composers, vocabulary, vocabulary_page
from datagen_core.engine import generate


def _schema(columns: list[dict], rows: int) -> dict:
    return {"version": "1.0", "metadata": {"name": "v"}, "constraints": {},
            "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
            "nodes": [{"id": "t", "kind": "entity", "rows": rows, "pk": "id",
                       "columns": [{"name": "id", "type": "int", "generator": {"sequence": {}}}, *columns]}]}


def _run(tmp_path: Path, columns: list[dict], rows: int) -> dict[str, list]:
    (tmp_path / "s.json").write_text(json.dumps(_schema(columns, rows)))
    generate(tmp_path / "s.json", tmp_path / "o", seed=3)
    return pq.read_table(tmp_path / "o" / "t.parquet").to_pydict()


def test_the_snapshot_matches_the_installed_faker() -> None:
    import faker

    live = vocabulary.inventory()
    assert set(faker_vocabulary.METHODS) <= set(live)  # nothing we accept is gone
    if faker.VERSION == faker_vocabulary.FAKER_VERSION:  # regenerate with python -m datagen_core.columns.vocabulary_page --write
        assert live == faker_vocabulary.METHODS
    assert {"license_plate", "prefix", "credit_card_number", "ean13", "isbn13", "ssn", "user_agent", "pyint",
            "sha256", "ipv6", "mac_address", "catch_phrase", "file_name", "color_name", "currency_code"} <= set(FAKER_METHODS)


@pytest.mark.parametrize("method", sorted(faker_vocabulary.METHODS))
def test_every_method_makes_values(method: str) -> None:
    if method in composers.COMPOSERS:
        import numpy as np

        values = composers.COMPOSERS[method](np.random.default_rng(1), 20, "en", {})
    else:
        values = vocabulary.faker_pool(method, "en", 1, "{}", size=20)
    assert (len(values) == 20 and values.null_count < 20) or method == "null_boolean"


def _luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number][::-1]
    return sum(d if i % 2 == 0 else (2 * d - 9 if 2 * d > 9 else 2 * d) for i, d in enumerate(digits)) % 10 == 0


def _gtin_ok(code: str) -> bool:
    digits = [int(c) for c in code]
    return sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[::-1])) % 10 == 0


def _isbn10_ok(code: str) -> bool:
    chars = code.replace("-", "")
    values = [10 if c == "X" else int(c) for c in chars]
    return sum(v * w for v, w in zip(values, range(10, 0, -1), strict=True)) % 11 == 0


def test_values_mean_what_the_method_means(tmp_path: Path) -> None:
    methods = {"card": "credit_card_number", "amex": "credit_card_number", "iban_de": "iban", "iban_gb": "iban",
               "ean13": "ean13", "ean8": "ean8", "upc": "upc_a", "isbn13": "isbn13", "isbn10": "isbn10",
               "md5": "md5", "sha1": "sha1", "sha256": "sha256", "v6": "ipv6", "mac": "mac_address",
               "plate": "license_plate", "n": "pyint", "day": "date_this_decade", "flag": "boolean"}
    types = {"n": "int", "day": "date", "flag": "bool"}
    extra = {"amex": {"args": {"card_type": "amex"}}, "iban_de": {"locale": "de_DE"}, "iban_gb": {"locale": "en_GB"},
             "n": {"args": {"min_value": 5, "max_value": 9}}}
    cols = [{"name": k, "type": types.get(k, "string"), "generator": {"faker": {"method": m, **extra.get(k, {})}}}
            for k, m in methods.items()]
    t = _run(tmp_path, cols, 2000)
    assert all(_luhn_ok(v) and len(v) in (14, 15, 16) for v in t["card"])
    assert all(v[:2] in ("34", "37") and len(v) == 15 for v in t["amex"])
    for col, country, length in (("iban_de", "DE", 22), ("iban_gb", "GB", 22)):
        assert all(v[:2] == country and len(v) == length for v in t[col])
        assert all(int("".join(str(int(c, 36)) for c in v[4:] + v[:4])) % 97 == 1 for v in t[col])
    assert all(_gtin_ok(v) and len(v) == 13 for v in t["ean13"]) and all(_gtin_ok(v) and len(v) == 8 for v in t["ean8"])
    assert all(_gtin_ok(v) and len(v) == 12 for v in t["upc"])
    assert all(_gtin_ok(v.replace("-", "")) and v.startswith("978-") for v in t["isbn13"])
    assert all(_isbn10_ok(v) for v in t["isbn10"])
    for col, length in (("md5", 32), ("sha1", 40), ("sha256", 64)):
        assert all(len(v) == length and int(v, 16) >= 0 for v in t[col])
    assert all(ipaddress.ip_address(v).version == 6 for v in t["v6"])
    assert all(len(v) == 17 and int(v.split(":")[0], 16) % 2 == 0 for v in t["mac"])
    assert set(t["n"]) == {5, 6, 7, 8, 9} and len(set(t["day"])) > 100 and set(t["flag"]) == {True, False}
    assert len(set(t["plate"])) > 1000


def test_high_cardinality_columns_are_nearly_all_distinct(tmp_path: Path) -> None:
    cols = [{"name": m, "type": "string", "generator": {"faker": {"method": m}}}
            for m in ("email", "user_name", "phone_number", "iban", "credit_card_number", "street_address",
                      "sentence", "paragraph", "ssn")]
    cols += [{"name": "first_name", "type": "string", "generator": {"faker": {"method": "first_name"}}},
             {"name": "city", "type": "string", "generator": {"faker": {"method": "city"}}}]
    t = _run(tmp_path, cols, 100_000)
    share = {k: len(set(v)) / len(v) for k, v in t.items()}
    for m in ("email", "user_name", "phone_number", "iban", "credit_card_number", "street_address", "sentence",
              "paragraph", "ssn"):
        assert share[m] >= 0.95, (m, share[m])
    assert share["first_name"] < 0.1 and share["city"] < 0.1  # names and cities repeat, as they do
    domains = collections.Counter(e.split("@")[1] for e in t["email"])
    assert len(domains) > 500 and 0.25 < domains["gmail.com"] / 100_000 < 0.45  # free-mail heavy, a long tail
    assert all(len(v) == 11 and v[3] == v[6] == "-" and v[:3] not in ("000", "666") for v in t["ssn"])


def test_unknown_methods_are_schema_errors_with_a_suggestion() -> None:
    doc = _schema([{"name": "p", "type": "string", "generator": {"faker": {"method": "licence_plate"}}}], 5)
    with pytest.raises(SchemaError) as err:
        loads_schema(json.dumps(doc).encode())
    assert "unknown faker method 'licence_plate' (did you mean 'license_plate'?)" in str(err.value)


def test_the_reference_page_is_current() -> None:
    """docs/faker_methods.md lists every method (regenerate: python -m datagen_core.columns.vocabulary_page --docs
    docs/faker_methods.md); its example values are compared where the installed versions are those it records."""
    import faker
    import mimesis

    page = (Path(__file__).resolve().parents[2] / "docs" / "faker_methods.md").read_text()
    listed = [line.split("`")[1] for line in page.splitlines() if line.startswith("| `")]
    assert listed == list(FAKER_METHODS)
    if f"Faker {faker.VERSION}, mimesis {mimesis.__version__}." in page:  # example values: same versions
        assert page == vocabulary_page.reference_page()


def test_relative_dates_count_from_the_timeframe_end_not_today(tmp_path: Path) -> None:
    cols = [{"name": "d", "type": "date", "generator": {"faker": {"method": "date_this_year"}}},
            {"name": "p", "type": "datetime", "generator": {"faker": {"method": "past_datetime"}}},
            {"name": "x", "type": "string", "generator": {"faker": {"method": "credit_card_expire"}}}]
    t = _run(tmp_path, cols, 500)
    assert {d.year for d in t["d"]} == {2024}  # the timeframe ends in 2024, whatever year the test runs in
    assert max(t["p"]).year == 2024 and min(t["p"]).year >= 2024 - 1
    (tmp_path / "again").mkdir()
    again = _run(tmp_path / "again", cols, 500)
    assert again == t


def test_composed_and_pooled_methods_never_import_pandas(tmp_path: Path) -> None:
    import subprocess
    import sys

    cols = [{"name": m, "type": "string", "generator": {"faker": {"method": m}}}
            for m in ("sentence", "paragraph", "phone_number", "street_address", "iban", "credit_card_number",
                      "isbn10", "ssn", "company_email", "user_name", "license_plate", "ipv6")]
    cols.append({"name": "n", "type": "int", "generator": {"faker": {"method": "pyint"}}})
    (tmp_path / "s.json").write_text(json.dumps(_schema(cols, 300)))
    code = ("import sys; from datagen_core import generate; "
            f"generate({str(tmp_path / 's.json')!r}, {str(tmp_path / 'o')!r}, seed=1); print('pandas' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
