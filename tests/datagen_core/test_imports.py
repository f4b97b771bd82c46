"""``datagen import``: schemas written for SDV, Frictionless and dbt become DSL schemas that generate, with their
keys, foreign keys, types and allowed values; every placeholder is listed."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from datagen_core.cli import main
from datagen_core.engine import generate
from datagen_core.errors import DatagenError
from datagen_core.imports import import_schema

SDV = {"METADATA_SPEC_VERSION": "MULTI_TABLE_V1",
       "tables": {
           "guests": {"primary_key": "guest_email", "columns": {
               "guest_email": {"sdtype": "email", "pii": True}, "hotel_id": {"sdtype": "id", "regex_format": "HID_[0-9]{3}"},
               "has_rewards": {"sdtype": "boolean"}, "room_type": {"sdtype": "categorical"},
               "checkin_date": {"sdtype": "datetime", "datetime_format": "%d %b %Y"},
               "room_rate": {"sdtype": "numerical", "computer_representation": "Float"},
               "nights": {"sdtype": "numerical", "computer_representation": "Int64"},
               "billing_address": {"sdtype": "address", "pii": True}, "phone": {"sdtype": "phone_number", "pii": True},
               "lat": {"sdtype": "latitude"}, "tiny": {"sdtype": "numerical", "computer_representation": "Int8"}}},
           "hotels": {"primary_key": "hotel_id", "columns": {
               "hotel_id": {"sdtype": "id", "regex_format": "HID_[0-9]{3}"}, "city": {"sdtype": "categorical"},
               "opened_at": {"sdtype": "datetime", "datetime_format": "%Y-%m-%d %H:%M:%S"}}}},
       "relationships": [{"parent_table_name": "hotels", "parent_primary_key": "hotel_id",
                          "child_table_name": "guests", "child_foreign_key": "hotel_id"}]}


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc) if path.suffix == ".json" else doc)  # type: ignore[arg-type]
    return path


def _columns(schema: dict, table: str) -> dict:
    node = next(n for n in schema["nodes"] if n["id"] == table)
    return {c["name"]: c for c in node["columns"]}


def test_sdv_metadata_imports_and_generates_with_its_keys(tmp_path: Path) -> None:
    got = import_schema(_write(tmp_path / "metadata.json", SDV), rows=200)
    assert got.format == "SDV metadata"
    assert [(n["id"], n["kind"]) for n in got.schema["nodes"]] == [("hotels", "entity"), ("guests", "fact")]
    guests = _columns(got.schema, "guests")
    assert {k: c["type"] for k, c in guests.items()} == {
        "guest_email": "string", "hotel_id": "string", "has_rewards": "bool", "room_type": "string",
        "checkin_date": "date", "room_rate": "float", "nights": "int", "billing_address": "string", "phone": "string",
        "lat": "float", "tiny": "int"}
    assert guests["hotel_id"]["generator"] == {"lookup": {"from": "hotels.hotel_id"}}
    # the key's regex_format is its template (unique by construction); an e-mail key stays e-mails
    assert _columns(got.schema, "hotels")["hotel_id"]["generator"] == {"faker": {"method": "bothify", "text": "HID_###"}}
    assert guests["guest_email"]["generator"] == {"faker": {"method": "email"}}
    assert guests["lat"]["type"] == "float" and guests["lat"]["generator"]["distribution"]["clamp"] == [-90, 90]
    assert guests["tiny"]["generator"]["distribution"]["clamp"] == [0, 127]  # Int8
    assert not [n for n in got.notes if "pattern" in n or "generated as UUIDs" in n]
    assert guests["phone"]["generator"] == {"faker": {"method": "phone_number"}}
    assert guests["billing_address"]["generator"] == {"faker": {"method": "address"}}
    assert len(guests["room_type"]["generator"]["choice"]["choices"]) == 5
    assert any("guests.room_type" in n and "placeholders" in n for n in got.notes)
    assert any("guests: 3 rows per hotels" in n for n in got.notes)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    generate(schema, tmp_path / "out", seed=3)
    hotels, guests_t = (pq.read_table(tmp_path / "out" / f"{t}.parquet") for t in ("hotels", "guests"))
    assert hotels.num_rows == 200 and guests_t.num_rows > 200
    assert pc.all(pc.is_in(guests_t["hotel_id"], hotels["hotel_id"])).as_py()
    assert pc.all(pc.match_substring_regex(hotels["hotel_id"], "^HID_[0-9]{3}$")).as_py()
    assert pc.count_distinct(hotels["hotel_id"]).as_py() == 200
    emails = guests_t["guest_email"]
    assert pc.count_distinct(emails).as_py() == len(emails) and pc.all(pc.match_substring(emails, "@")).as_py()
    assert pq.read_schema(tmp_path / "out" / "hotels.parquet").field("opened_at").type == "timestamp[us]"


def test_a_frictionless_package_keeps_constraints_rows_and_keys(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    # 7 records: a quoted name holds a line break, and a blank line is no record
    (tmp_path / "data" / "teams.csv").write_text("id,name\n" + "".join(f"{i},t{i}\n" for i in range(5))
                                                 + '5,"two\nlines"\n\n6,t6\n')
    (tmp_path / "secret.csv").write_text("a\n1\n2\n")
    package = {"name": "league", "resources": [
        {"name": "players", "path": "../secret.csv", "schema": {
            "fields": [{"name": "id", "type": "integer"}, {"name": "team_id", "type": "integer"},
                       {"name": "mentor_id", "type": "integer"},
                       {"name": "position", "type": "string", "constraints": {"enum": ["GK", "DF", "MF", "FW"]}},
                       {"name": "age", "type": "integer", "constraints": {"minimum": 16, "maximum": 40}},
                       {"name": "contact", "type": "string", "format": "email", "description": "work e-mail"},
                       {"name": "joined", "type": "date"}, {"name": "stats", "type": "object"},
                       {"name": "badge", "type": "string", "constraints": {"pattern": "[A-Z]{2}-[0-9]{3}"}},
                       {"name": "kit", "type": "string", "constraints": {"pattern": "(home|away)-[a-z]+"}},
                       {"name": "nickname", "type": "string", "constraints": {"maxLength": 8}}],
            "primaryKey": ["id"],
            "foreignKeys": [{"fields": "team_id", "reference": {"resource": "teams", "fields": "id"}},
                            {"fields": ["mentor_id"], "reference": {"resource": "", "fields": ["id"]}}]}},
        {"name": "teams", "path": "data/teams.csv", "schema": {
            "fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string",
                                                          "constraints": {"unique": True}}],
            "primaryKey": "id"}}]}
    got = import_schema(_write(tmp_path / "datapackage.json", package))
    assert got.format == "Frictionless Data Package" and got.schema["metadata"]["name"] == "league"
    teams = next(n for n in got.schema["nodes"] if n["id"] == "teams")
    assert teams["rows"] == 7  # records of data/teams.csv; ../secret.csv is outside the package: not read
    players = _columns(got.schema, "players")
    assert players["position"]["generator"] == {"choice": {"choices": ["GK", "DF", "MF", "FW"]}}
    assert players["age"]["generator"]["distribution"]["clamp"] == [16, 40]
    assert players["mentor_id"]["generator"] == {"lookup": {"from": "players.id"}}
    assert players["contact"]["generator"] == {"faker": {"method": "email"}} and players["stats"]["type"] == "string"
    assert got.schema["metadata"]["descriptions"] == {"players.contact": "work e-mail"}
    assert "teams.name" in got.schema["constraints"]["unique"]
    assert players["position"]["constraints"] == {"enum": ["GK", "DF", "MF", "FW"]}
    assert players["age"]["constraints"] == {"min": 16, "max": 40}
    assert players["badge"]["constraints"] == {"pattern": "[A-Z]{2}-[0-9]{3}"}
    # a pattern one template matches in full is generated so; another stays a constraint, and the note says so
    assert players["badge"]["generator"] == {"faker": {"method": "bothify", "text": "??-###"}}
    assert [n for n in got.notes if "its pattern" in n] == [
        "players.kit: its pattern '(home|away)-[a-z]+' is kept as a constraint, but the generated values do not "
        "follow it (edit its generator, e.g. faker bothify)"]
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    generate(schema, tmp_path / "out", seed=1)
    p = pq.read_table(tmp_path / "out" / "players.parquet")
    assert pc.min(p["age"]).as_py() >= 16 and pc.max(p["age"]).as_py() <= 40
    assert set(p["position"].to_pylist()) <= {"GK", "DF", "MF", "FW"}
    assert pc.all(pc.match_substring_regex(p["badge"], "^[A-Z]{2}-[0-9]{3}$")).as_py()
    assert players["nickname"]["constraints"] == {"max_length": 8} and pc.max(pc.utf8_length(p["nickname"])).as_py() <= 8


DBT = """
version: 2
models:
  - name: customers
    description: One row per customer.
    columns:
      - name: customer_id
        data_tests: [unique, not_null]
      - name: first_name
      - name: lifetime_value
        data_type: numeric(12,2)
        data_tests:
          - dbt_utils.accepted_range:
              arguments: {min_value: 0, max_value: 5000}
      - name: is_active
      - name: created_at
  - name: orders
    constraints:
      - type: primary_key
        columns: [order_id]
    columns:
      - name: order_id
        data_type: bigint
      - name: customer_id
        data_tests:
          - relationships:
              to: ref('customers')
              field: customer_id
      - name: status
        data_tests:
          - accepted_values:
              values: ['placed', 'shipped', 'returned']
      - name: paid
      - name: order_date
sources:
  - name: raw
    tables:
      - name: raw_payments
        columns:
          - name: payment_id
            tests: [unique, not_null]
          - name: order_id
            tests:
              - relationships: {to: "source('raw', 'orders')", field: order_id}
"""


def test_dbt_properties_import_with_tests_as_keys_values_and_ranges(tmp_path: Path) -> None:
    got = import_schema(_write(tmp_path / "schema.yml", DBT), name="jaffle")
    assert got.format == "dbt properties file"
    nodes = {n["id"]: n for n in got.schema["nodes"]}
    assert nodes["customers"]["pk"] == "customer_id" and nodes["orders"]["pk"] == "order_id"
    assert nodes["orders"]["parents"] == ["customers"] and nodes["raw_payments"]["parents"] == ["orders"]
    customers, orders = _columns(got.schema, "customers"), _columns(got.schema, "orders")
    assert {k: c["type"] for k, c in customers.items()} == {"customer_id": "int", "first_name": "string",
                                                            "lifetime_value": "float", "is_active": "bool",
                                                            "created_at": "datetime"}
    assert customers["first_name"]["generator"] == {"faker": {"method": "first_name"}}
    assert customers["lifetime_value"]["generator"]["distribution"]["params"] == {"low": 0.0, "high": 5000.0}
    assert orders["status"]["generator"] == {"choice": {"choices": ["placed", "shipped", "returned"]}}
    assert orders["paid"]["type"] == "string" and orders["order_date"]["type"] == "date"
    assert got.schema["metadata"]["descriptions"] == {"customers": "One row per customer."}
    schema = tmp_path / "jaffle.json"
    schema.write_text(json.dumps(got.schema))
    generate(schema, tmp_path / "out", seed=2)
    pays, ords = (pq.read_table(tmp_path / "out" / f"{t}.parquet") for t in ("raw_payments", "orders"))
    assert pc.all(pc.is_in(pays["order_id"], ords["order_id"])).as_py()


def test_cycles_and_unknown_references_become_plain_columns(tmp_path: Path) -> None:
    doc = {"resources": [
        {"name": "a", "schema": {"fields": [{"name": "id", "type": "integer"}, {"name": "b_id", "type": "integer"}],
                                 "primaryKey": "id", "foreignKeys": [{"fields": "b_id", "reference": {"resource": "b", "fields": "id"}}]}},
        {"name": "b", "schema": {"fields": [{"name": "id", "type": "integer"}, {"name": "a_id", "type": "integer"},
                                            {"name": "z_id", "type": "integer"}],
                                 "primaryKey": "id", "foreignKeys": [
                                     {"fields": "a_id", "reference": {"resource": "a", "fields": "id"}},
                                     {"fields": "z_id", "reference": {"resource": "zzz", "fields": "id"}}]}}]}
    got = import_schema(_write(tmp_path / "datapackage.json", doc))
    assert any("closes a cycle" in n for n in got.notes) and any("zzz, which the source does not describe" in n
                                                                 for n in got.notes)
    assert len(got.schema["constraints"]["foreign_keys"]) == 1


def test_the_cli_writes_refuses_and_explains(tmp_path: Path) -> None:
    src = _write(tmp_path / "metadata.json", SDV)
    out = tmp_path / "schema.json"
    r = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "to edit: guests.room_type" in r.stderr and json.loads(out.read_text())["nodes"]
    again = CliRunner().invoke(main, ["import", str(src), "-o", str(out)])
    assert again.exit_code == 2 and "exists; pass --overwrite" in again.stderr
    as_json = CliRunner().invoke(main, ["import", str(src), "-o", str(out), "--overwrite", "--json"])
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["tables"] == ["hotels", "guests"]
    dsl = _write(tmp_path / "dsl.json", {"version": "1.0", "metadata": {"name": "x"}, "nodes": []})
    for bad, said in ((dsl, "its shape is none of them"), (tmp_path / "missing.json", "cannot read"),
                      (_write(tmp_path / "bad.json", "{"), "")):
        r = CliRunner().invoke(main, ["import", str(bad), "-o", str(tmp_path / "o.json")])
        assert r.exit_code == 2 and "Traceback" not in r.output and said in r.stderr
    r = CliRunner().invoke(main, ["import", str(src), "-o", str(tmp_path / "o.json"), "--timeframe", "2024"])
    assert r.exit_code == 2 and "--timeframe must be" in r.stderr
    r = CliRunner().invoke(main, ["generate", str(src), "-o", str(tmp_path / "gen")])
    assert r.exit_code == 2 and "`datagen import` converts it" in r.stderr
    with pytest.raises(DatagenError, match="it is a Great Expectations suite"):
        import_schema(_write(tmp_path / "suite.json", {"expectation_suite_name": "s", "expectations": []}))


RECIPE = """
- snowfakery_version: 3
- object: Account
  count: 20
  fields:
    Name: {fake: Company}
    Industry: {random_choice: [Technology, Finance, Retail]}
    AnnualRevenue: {random_number: {min: 10000, max: 1000000}}
    Rating:
      random_choice: {Hot: 20%, Warm: 50%, Cold: 30%}
    Active: true
  friends:
    - object: Contact
      count: 3
      fields:
        AccountId: {reference: Account}
        FirstName: {fake: FirstName}
        LastName: ${{fake.LastName}}
        Title: ${{fake.JobTitle | upper}}
        Birthdate: {date_between: {start_date: -60y, end_date: -20y}}
- object: Opportunity
  count: 50
  fields:
    AccountId: {reference: Account}
    Amount: {random_number: {min: 100.5, max: 5000}}
- var: region
  value: EMEA
"""


def test_a_snowfakery_recipe_imports_with_counts_friends_and_references(tmp_path: Path) -> None:
    got = import_schema(_write(tmp_path / "recipe.yml", RECIPE))
    assert got.format == "Snowfakery recipe"
    nodes = {n["id"]: n for n in got.schema["nodes"]}
    assert nodes["Account"]["rows"] == 20 and nodes["Account"]["pk"] == "id"
    assert nodes["Contact"]["parents"] == ["Account"]
    assert nodes["Contact"]["fanout"] == {"distribution": "uniform", "min": 3, "max": 3}
    account, contact = _columns(got.schema, "Account"), _columns(got.schema, "Contact")
    assert account["Rating"]["generator"] == {"choice": {"choices": ["Hot", "Warm", "Cold"], "weights": [0.2, 0.5, 0.3]}}
    assert account["AnnualRevenue"]["type"] == "int" and account["Active"]["generator"] == {"choice": {"choices": [True]}}
    assert contact["FirstName"]["generator"] == {"faker": {"method": "first_name"}}
    assert contact["LastName"]["generator"] == {"faker": {"method": "last_name"}}
    assert contact["AccountId"]["generator"] == {"lookup": {"from": "Account.id"}}
    assert any("Contact.Title: the formula" in n for n in got.notes)
    assert contact["Birthdate"]["generator"]["datetime_series"]["within"] == {"start": "1964-12-31", "end": "2004-12-31"}
    assert contact["Birthdate"]["after_parent"] is False  # a time before the data's period: not an event after it
    assert sum("Contact.Title" in n for n in got.notes) == 1
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    generate(schema, tmp_path / "out", seed=5)
    accounts, contacts = (pq.read_table(tmp_path / "out" / f"{t}.parquet") for t in ("Account", "Contact"))
    assert accounts.num_rows == 20 and contacts.num_rows == 60
    per = pc.value_counts(contacts["AccountId"]).field("counts").to_pylist()
    assert set(per) == {3}  # every account has its three contacts


RICH_RECIPE = """
- plugin: snowfakery.standard_plugins.Counters
- var: campaign_start
  value: 2024-03-01
- macro: address_fields
  fields:
    street: ${{fake.StreetAddress}}
    city: {fake: City}
- macro: located
  include: address_fields
  fields:
    city: {fake: Country}
- object: Account
  count: 40
  nickname: acct
  include: located
  fields:
    Rating: ${{random_choice("Hot", "Warm", 'Cold')}}
    Founded: {date_between: {start_date: -30y, end_date: today}}
  friends:
    - object: Contact
      count: {random_number: {min: 1, max: 5}}
      fields:
        AccountId: {reference: Account}
    - object: Opportunity
      count: ${{random_number(2, 4)}}
      fields:
        AccountId: {reference: acct}
        Probability: ${{random_number(min=0, max=100)}}
        CloseDate: {date_between: {start_date: "${{campaign_start}}", end_date: +1y}}
"""


def test_a_snowfakery_recipe_with_macros_nicknames_variables_and_formulas(tmp_path: Path) -> None:
    """What real recipes are made of: macros merged into the objects that include them (nested; the object's own
    field wins), a reference by nickname, a literal variable in a date, counts drawn per parent, the formulas
    random_choice(…) and random_number(…), and relative dates counted from the timeframe's end."""
    got = import_schema(_write(tmp_path / "recipe.yml", RICH_RECIPE), timeframe=("2024-01-01", "2024-12-31"))
    nodes = {n["id"]: n for n in got.schema["nodes"]}
    account, opp = _columns(got.schema, "Account"), _columns(got.schema, "Opportunity")
    assert list(account) == ["id", "street", "city", "Rating", "Founded"]
    assert account["street"]["generator"] == {"faker": {"method": "street_address"}}
    assert account["city"]["generator"] == {"faker": {"method": "country"}}  # the including macro's own field wins
    assert account["Rating"]["generator"] == {"choice": {"choices": ["Hot", "Warm", "Cold"]}}
    assert account["Founded"]["generator"]["datetime_series"]["within"] == {"start": "1994-12-31", "end": "2024-12-31"}
    assert nodes["Contact"]["fanout"] == {"distribution": "uniform", "min": 1, "max": 5}
    assert nodes["Opportunity"]["fanout"] == {"distribution": "uniform", "min": 2, "max": 4}
    assert opp["AccountId"]["generator"] == {"lookup": {"from": "Account.id"}}
    assert opp["Probability"]["type"] == "int" and opp["Probability"]["generator"]["distribution"]["clamp"] == [0, 100]
    assert opp["CloseDate"]["generator"]["datetime_series"]["within"] == {"start": "2024-03-01", "end": "2025-12-31"}
    assert "after_parent" not in opp["CloseDate"]  # an event of the data's period
    assert got.notes == ["recipe: 'plugin' entries are not converted"]
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    result = generate(schema, tmp_path / "out", seed=2)
    assert result.warnings == []
    contacts = pq.read_table(tmp_path / "out" / "Contact.parquet")
    per = pc.value_counts(contacts["AccountId"]).field("counts").to_pylist()
    assert len(per) == 40 and min(per) >= 1 and max(per) <= 5 and len(set(per)) > 2


def test_a_child_whose_time_window_ends_before_its_parent_row_says_how_many_rows_it_lost(tmp_path: Path) -> None:
    """A fact's date column kept after its parent's creation (the default) whose own window ends before some
    parents were created: those rows cannot be made, and the generation warning counts them."""
    doc = {"version": "1.0", "metadata": {"name": "w"}, "timeframe": {"start": "2024-01-01", "end": "2024-12-31"},
           "nodes": [
               {"id": "shop", "rows": 100, "pk": "shop_id", "columns": [
                   {"name": "shop_id", "type": "int", "generator": {"sequence": {}}},
                   {"name": "opened", "type": "date", "generator": {"datetime_series": {"freq": "D"}}}]},
               {"id": "audit", "kind": "fact", "parents": ["shop"], "pk": "audit_id", "columns": [
                   {"name": "audit_id", "type": "int", "generator": {"sequence": {}}},
                   {"name": "shop_id", "type": "int", "generator": {"lookup": {"from": "shop.shop_id"}}},
                   {"name": "audited", "type": "date", "generator": {"datetime_series": {
                       "freq": "D", "within": {"start": "2024-01-01", "end": "2024-06-30"}}}}]}]}
    path = tmp_path / "w.json"
    path.write_text(json.dumps(doc))
    result = generate(path, tmp_path / "o", seed=1)
    (warning,) = [w for w in result.warnings if "audited window ends before" in w]
    lost = int(warning.split(": ")[1].split()[0])
    audits = pq.read_table(tmp_path / "o" / "audit.parquet")
    assert warning.startswith("audit: ") and lost > 0 and audits.num_rows + lost == 100


OPENAPI = r"""
openapi: 3.0.3
info: {title: Pet Clinic, version: "1.0"}
paths: {}
components:
  schemas:
    BaseEntity:
      type: object
      properties:
        id: {type: integer, readOnly: true}
        createdAt: {type: string, format: date-time}
    Owner:
      type: object
      required: [id, lastName]
      properties:
        id: {type: integer, format: int64}
        lastName: {type: string}
        email: {type: string, format: email}
        phone: {type: string, pattern: '^\d{3}-\d{4}$'}
        address:
          type: object
          properties:
            city: {type: string}
            zip: {type: string, pattern: '^[0-9]{5}$'}
        pets: {type: array, minItems: 1, maxItems: 3, items: {$ref: '#/components/schemas/Pet'}}
    Pet:
      type: object
      properties:
        id: {type: integer}
        status: {type: string, enum: [available, pending, sold]}
        weightKg: {type: number, minimum: 0.1, maximum: 120}
        vaccinated: {type: boolean, nullable: true}
        tags: {type: array, items: {type: string}}
    Visit:
      allOf:
        - $ref: '#/components/schemas/BaseEntity'
        - type: object
          properties:
            petId: {type: integer}
            vet: {$ref: '#/components/schemas/Vet'}
            cost: {type: number, exclusiveMinimum: 0, maximum: 500}
    Vet:
      type: object
      properties:
        name: {type: string}
        specialties:
          type: array
          items: {type: object, properties: {area: {type: string, const: surgery}}}
"""


def test_an_openapi_document_becomes_tables_linked_by_refs_arrays_and_names(tmp_path: Path) -> None:
    """Each object schema is a table (a base type only extended through allOf is not); a property that is a $ref is a
    foreign key, an array of $ref makes the item a child with minItems..maxItems per parent, an array of inline
    objects a child table, an inline object flattened columns, ``petId`` a foreign key to Pet by its name; a table
    referenced without a key gets one."""
    got = import_schema(_write(tmp_path / "api.yaml", OPENAPI), rows=100)
    assert got.format == "OpenAPI document" and got.schema["metadata"]["name"] == "Pet Clinic"
    nodes = {n["id"]: n for n in got.schema["nodes"]}
    assert list(nodes) == ["Owner", "Pet", "Vet", "Visit", "Vet_specialties"]
    owner, pet, visit = (_columns(got.schema, t) for t in ("Owner", "Pet", "Visit"))
    assert list(owner) == ["id", "lastName", "email", "phone", "address_city", "address_zip"]
    assert owner["phone"]["generator"] == {"faker": {"method": "bothify", "text": "###-####"}}
    assert owner["email"]["generator"] == {"faker": {"method": "email"}}
    assert nodes["Pet"]["fanout"] == {"distribution": "uniform", "min": 1, "max": 3}
    assert pet["Owner_id"]["generator"] == {"lookup": {"from": "Owner.id"}}
    assert pet["status"]["generator"] == {"choice": {"choices": ["available", "pending", "sold"]}}
    assert pet["weightKg"]["constraints"] == {"min": 0.1, "max": 120} and pet["vaccinated"]["type"] == "bool"
    assert list(visit) == ["id", "createdAt", "petId", "vet_id", "cost"]  # the base type's properties first
    assert visit["petId"]["generator"] == {"lookup": {"from": "Pet.id"}}
    assert visit["vet_id"]["generator"] == {"lookup": {"from": "Vet.Vet_id"}}
    assert list(_columns(got.schema, "Vet")) == ["Vet_id", "name"]
    assert _columns(got.schema, "Vet_specialties")["area"]["generator"] == {"choice": {"choices": ["surgery"]}}
    assert any(n.startswith("Pet.tags: an array of values") for n in got.notes)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    generate(schema, tmp_path / "out", seed=1)
    owners, pets, visits = (pq.read_table(tmp_path / "out" / f"{t}.parquet") for t in ("Owner", "Pet", "Visit"))
    per = pc.value_counts(pets["Owner_id"]).field("counts").to_pylist()
    assert len(per) == 100 and set(per) <= {1, 2, 3} and len(set(per)) == 3
    assert pc.all(pc.is_in(visits["petId"], pets["id"])).as_py()
    assert pc.all(pc.match_substring_regex(owners["address_zip"], "^[0-9]{5}$")).as_py()


def test_a_tree_of_json_schema_objects_references_itself(tmp_path: Path) -> None:
    """A category whose children are categories: a reference to its own table, never a table generated under
    itself (which the DSL cannot order)."""
    doc = {"$defs": {"Category": {"type": "object", "properties": {
        "id": {"type": "integer"}, "children": {"type": "array", "minItems": 0, "maxItems": 4,
                                                "items": {"$ref": "#/$defs/Category"}}}}}}
    got = import_schema(_write(tmp_path / "tree.json", doc), rows=50)
    (node,) = got.schema["nodes"]
    assert node["kind"] == "entity" and node.get("parents") is None
    assert _columns(got.schema, "Category")["Category_id"]["generator"] == {"lookup": {"from": "Category.id"}}
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    generate(schema, tmp_path / "out", seed=1)


def test_a_key_pattern_with_fewer_values_than_rows_keeps_the_key_unique(tmp_path: Path) -> None:
    """``HID_[0-9]{2}`` makes 100 keys: for 500 rows the key is generated as UUIDs (a key must be unique), noted."""
    doc = {"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1", "primary_key": "hid",
           "columns": {"hid": {"sdtype": "id", "regex_format": "HID_[0-9]{2}"}, "n": {"sdtype": "numerical"}}}
    got = import_schema(_write(tmp_path / "hotels.json", doc), rows=500)
    assert _columns(got.schema, "hotels")["hid"]["generator"] == {"faker": {"method": "uuid4"}}
    assert any("hotels.hid: its pattern 'HID_[0-9]{2}' has 100 values, fewer than the 500 rows planned" in n
               for n in got.notes)
    assert got.schema["nodes"][0]["pk"] == "hid"
    assert import_schema(_write(tmp_path / "small.json", doc), rows=100).schema["nodes"][0]["columns"][0][
        "generator"] == {"faker": {"method": "bothify", "text": "HID_##"}}


def test_a_json_schema_document_and_its_defs_are_tables(tmp_path: Path) -> None:
    doc = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "order", "type": "object",
           "required": ["order_id"],
           "properties": {"order_id": {"type": "string", "format": "uuid"},
                          "customer_id": {"type": "integer"}, "category_id": {"type": "integer"},
                          "placed": {"type": "string", "format": "date-time"},
                          "total": {"type": ["number", "null"], "minimum": 0},
                          "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}},
                          "kind": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
           "$defs": {"line": {"type": "object", "properties": {"sku": {"type": "string", "pattern": "^SKU-[0-9]{6}$"},
                                                               "label": {"type": "string", "maxLength": 12},
                                                               "qty": {"type": "integer", "minimum": 1, "maximum": 9}}},
                     "customers": {"type": "object", "properties": {"id": {"type": "integer"}}},
                     "categories": {"type": "object", "properties": {"id": {"type": "integer"}}}}}
    got = import_schema(_write(tmp_path / "order.schema.json", doc), rows=50)
    assert got.format == "JSON Schema"
    nodes = {n["id"]: n for n in got.schema["nodes"]}
    assert list(nodes) == ["customers", "categories", "order", "line"]
    order, line = _columns(got.schema, "order"), _columns(got.schema, "line")
    assert order["customer_id"]["generator"] == {"lookup": {"from": "customers.id"}}  # by its name, plural table
    assert order["category_id"]["generator"] == {"lookup": {"from": "categories.id"}}  # -ies → -y
    assert order["order_id"]["generator"] == {"faker": {"method": "uuid4"}} and nodes["order"]["pk"] == "order_id"
    assert order["placed"]["type"] == "datetime" and order["kind"]["type"] == "string"
    assert line["order_id"]["generator"] == {"lookup": {"from": "order.order_id"}}
    assert line["sku"]["generator"] == {"faker": {"method": "bothify", "text": "SKU-######"}}
    assert line["label"]["constraints"] == {"max_length": 12}
    assert any("order.kind: one of several shapes" in n for n in got.notes)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    generate(schema, tmp_path / "out", seed=1)
    assert pq.read_table(tmp_path / "out" / "line.parquet").num_rows > 50


DBT_CONTRACTS = """
version: 2
models:
  - name: customers
    config: {contract: {enforced: true}}
    columns:
      - name: id
        data_type: int
        constraints: [{type: primary_key}]
      - name: tier
        data_type: varchar
        data_tests:
          - dbt_expectations.expect_column_values_to_be_in_set:
              value_set: [gold, silver]
  - name: orders
    constraints:
      - {type: primary_key, columns: [order_id]}
      - {type: foreign_key, columns: [buyer], expression: "analytics.customers (id)"}
    columns:
      - name: order_id
        data_type: int
      - name: buyer
        data_type: int
      - name: seller
        data_type: int
        constraints: [{type: foreign_key, to: "ref('customers')", to_columns: [id]}]
      - name: amount
        data_type: numeric(10,2)
        data_tests:
          - dbt_expectations.expect_column_values_to_be_between: {min_value: 1, max_value: 900}
      - name: ref_code
        data_type: varchar
        data_tests:
          - dbt_expectations.expect_column_values_to_match_regex:
              arguments: {regex: "^ORD-[0-9]{6}$"}
"""


def test_dbt_model_contracts_and_dbt_expectations_tests_carry_over(tmp_path: Path) -> None:
    """dbt ≥ 1.5 model contracts name foreign keys as constraints (an ``expression`` or, from 1.9, ``to`` and
    ``to_columns``); dbt-expectations tests give values, ranges and patterns."""
    got = import_schema(_write(tmp_path / "schema.yml", DBT_CONTRACTS), rows=50)
    assert sorted(fk["from"] for fk in got.schema["constraints"]["foreign_keys"]) == ["orders.buyer", "orders.seller"]
    assert {fk["to"] for fk in got.schema["constraints"]["foreign_keys"]} == {"customers.id"}
    customers, orders = _columns(got.schema, "customers"), _columns(got.schema, "orders")
    assert customers["tier"]["generator"] == {"choice": {"choices": ["gold", "silver"]}}
    assert orders["amount"]["constraints"] == {"min": 1, "max": 900}
    assert orders["ref_code"]["generator"] == {"faker": {"method": "bothify", "text": "ORD-######"}}
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    generate(schema, tmp_path / "out", seed=1)
    o = pq.read_table(tmp_path / "out" / "orders.parquet")
    assert pc.all(pc.is_in(o["seller"], pq.read_table(tmp_path / "out" / "customers.parquet")["id"])).as_py()


def test_frictionless_row_counts_come_from_parquet_parts_inside_the_package(tmp_path: Path) -> None:
    import pyarrow as pa

    (tmp_path / "t").mkdir()
    for i, n in enumerate((3, 4)):
        pq.write_table(pa.table({"id": list(range(n))}), tmp_path / "t" / f"part-{i}.parquet")
    fields = {"fields": [{"name": "id", "type": "integer"}], "primaryKey": ["id"]}
    doc = {"resources": [{"name": "t", "path": ["t/part-0.parquet", "t/part-1.parquet"], "schema": fields},
                         {"name": "u", "path": ["t/part-0.parquet", "../elsewhere.parquet"], "schema": fields}]}
    got = import_schema(_write(tmp_path / "datapackage.json", doc), rows=50)
    assert {n["id"]: n["rows"] for n in got.schema["nodes"]} == {"t": 7, "u": 50}


def test_a_key_of_another_type_becomes_an_integer_sequence(tmp_path: Path) -> None:
    """A Frictionless ``number`` key (or a date) cannot be a sequence of its type: it is generated as integers, noted,
    and the schema generates (it used to get a UUID generator in a float column)."""
    doc = {"fields": [{"name": "code", "type": "number"}, {"name": "v", "type": "integer",
                                                           "constraints": {"minimum": 1, "maximum": 9}}],
           "primaryKey": "code"}
    got = import_schema(_write(tmp_path / "tableschema.json", doc))
    assert _columns(got.schema, "tableschema")["code"] == {"name": "code", "type": "int", "generator": {"sequence": {}}}
    assert any("a float key, generated as a sequence of integers" in n for n in got.notes)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    generate(schema, tmp_path / "out", seed=1)
    assert pq.read_table(tmp_path / "out" / "tableschema.parquet")["code"].to_pylist()[:3] == [1, 2, 3]


def test_csv_records_follow_the_dialect_and_refuse_what_does_not_parse(tmp_path: Path) -> None:
    from datagen_core.imports.frictionless import csv_records

    semi = tmp_path / "semi.csv"
    semi.write_text('id;note\n1;"a;b"\n2;"x\ny"\n3;z\n')
    assert csv_records(semi, {"delimiter": ";"}) == 3
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n3,4,5\n")
    assert csv_records(ragged, {}) is None
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert csv_records(empty, {}) is None


def _dbt_test(uid: str, model: str, column: str, name: str, namespace: str | None = None, **kwargs: object) -> dict:
    return {"resource_type": "test", "unique_id": uid, "attached_node": model, "column_name": column,
            "test_metadata": {"name": name, "namespace": namespace,
                              "kwargs": {"column_name": column, "model": "{{ get_where_subquery(ref('x')) }}", **kwargs}}}


def test_a_dbt_manifest_with_its_catalog_is_a_whole_project(tmp_path: Path) -> None:
    """target/manifest.json: models, a seed and a source, the tests put back under their columns; catalog.json
    beside it gives the warehouse's columns (upper case, as Snowflake names them) and their types."""
    orders, customers, raw = "model.shop.orders", "model.shop.customers", "source.shop.stripe.payments"
    nodes = {
        customers: {"resource_type": "model", "name": "customers", "description": "One row per customer",
                    "columns": {"customer_id": {"name": "customer_id", "description": "", "data_type": None}}},
        orders: {"resource_type": "model", "name": "orders", "columns": {
            "order_id": {"name": "order_id", "data_type": "integer"}, "status": {"name": "status"}}},
        "seed.shop.country_codes": {"resource_type": "seed", "name": "country_codes", "columns": {}},
        "macro.shop.cents": {"resource_type": "macro", "name": "cents"},
        "test.shop.1": _dbt_test("test.shop.1", customers, "customer_id", "unique"),
        "test.shop.2": _dbt_test("test.shop.2", customers, "customer_id", "not_null"),
        "test.shop.3": _dbt_test("test.shop.3", orders, "order_id", "unique"),
        "test.shop.4": _dbt_test("test.shop.4", orders, "order_id", "not_null"),
        "test.shop.5": _dbt_test("test.shop.5", orders, "customer_id", "relationships", to="ref('customers')",
                                 field="customer_id"),
        "test.shop.6": _dbt_test("test.shop.6", orders, "status", "accepted_values", values=["placed", "shipped"]),
        "test.shop.7": _dbt_test("test.shop.7", orders, "amount", "accepted_range", "dbt_utils",
                                 min_value=0, max_value=900),
        "test.shop.8": _dbt_test("test.shop.8", raw, "order_id", "relationships", to="ref('orders')",
                                 field="order_id"),
    }
    manifest = {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
                             "project_name": "shop", "adapter_type": "snowflake"},
                "nodes": nodes, "sources": {raw: {"name": "payments", "source_name": "stripe", "columns": {}}}}
    catalog = {"nodes": {
        customers: {"columns": {"CUSTOMER_ID": {"name": "CUSTOMER_ID", "type": "NUMBER(38,0)"},
                                "SIGNUP_TS": {"name": "SIGNUP_TS", "type": "TIMESTAMP_NTZ"},
                                "VISITS": {"name": "VISITS", "type": "NUMBER"}}},  # Snowflake's NUMBER(38,0)
        orders: {"columns": {"ORDER_ID": {"name": "ORDER_ID", "type": "NUMBER(38,0)"},
                             "CUSTOMER_ID": {"name": "CUSTOMER_ID", "type": "NUMBER(38,0)"},
                             "STATUS": {"name": "STATUS", "type": "TEXT"},
                             "AMOUNT": {"name": "AMOUNT", "type": "NUMBER(10,2)"}}}},
        "sources": {raw: {"columns": {"ORDER_ID": {"name": "ORDER_ID", "type": "NUMBER(38,0)"}}}}}
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "target" / "catalog.json").write_text(json.dumps(catalog))
    got = import_schema(tmp_path / "target" / "manifest.json")
    assert got.format == "dbt manifest" and got.schema["metadata"]["name"] == "shop"
    nodes_out = {n["id"]: n for n in got.schema["nodes"]}
    assert set(nodes_out) == {"customers", "orders", "country_codes", "payments"}
    cols = {c["name"]: c for c in nodes_out["orders"]["columns"]}
    assert list(cols) == ["ORDER_ID", "CUSTOMER_ID", "STATUS", "AMOUNT"]  # the warehouse's names and columns
    assert nodes_out["orders"]["pk"] == "ORDER_ID" and nodes_out["customers"]["pk"] == "CUSTOMER_ID"
    assert cols["CUSTOMER_ID"]["generator"] == {"lookup": {"from": "customers.CUSTOMER_ID"}}
    assert cols["STATUS"]["constraints"] == {"enum": ["placed", "shipped"]}
    assert cols["AMOUNT"]["type"] == "float" and cols["AMOUNT"]["constraints"] == {"min": 0.0, "max": 900.0}
    customer_types = {c["name"]: c["type"] for c in nodes_out["customers"]["columns"]}
    assert (customer_types["SIGNUP_TS"], customer_types["VISITS"]) == ("datetime", "int")
    assert got.schema["metadata"]["descriptions"]["customers"] == "One row per customer"
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    out = generate(schema, tmp_path / "out", seed=1).output
    payments, orders_t = pq.read_table(out / "payments.parquet"), pq.read_table(out / "orders.parquet")
    assert pc.all(pc.is_in(payments["ORDER_ID"], orders_t["ORDER_ID"])).as_py()
    (tmp_path / "target" / "catalog.json").unlink()  # without it: the documented and tested columns only
    bare = import_schema(tmp_path / "target" / "manifest.json")
    assert [c["name"] for c in {n["id"]: n for n in bare.schema["nodes"]}["orders"]["columns"]] == [
        "order_id", "status", "customer_id", "amount"]
    assert any("no catalog.json" in n for n in bare.notes)
    refused = CliRunner().invoke(main, ["generate", str(tmp_path / "target" / "manifest.json"), "-o", str(tmp_path / "o")])
    assert refused.exit_code == 2 and "dbt manifest" in refused.output and "datagen import" in refused.output


def test_a_data_contract_specification_file_keeps_its_rules(tmp_path: Path) -> None:
    """datacontract.yaml (the Data Contract Specification): models with fields, enum, minimum/maximum, format,
    references; generated data keeps them."""
    (tmp_path / "datacontract.yaml").write_text("""
dataContractSpecification: 1.1.0
id: orders-contract
info: {title: Orders, version: 1.0.0}
models:
  customers:
    description: One row per customer
    fields:
      customer_id: {type: integer, required: true, unique: true, primaryKey: true}
      email: {type: string, format: email, required: true}
  orders:
    fields:
      order_id: {type: long, primaryKey: true}
      customer_id: {type: integer, references: customers.customer_id}
      status: {type: string, enum: [placed, shipped, returned]}
      amount: {type: decimal, minimum: 0, maximum: 900}
      placed_at: {type: timestamp}
""")
    got = import_schema(tmp_path / "datacontract.yaml", rows=200)
    assert got.format == "data contract" and got.schema["metadata"]["name"] == "Orders"
    nodes = {n["id"]: n for n in got.schema["nodes"]}
    orders = {c["name"]: c for c in nodes["orders"]["columns"]}
    assert (nodes["customers"]["pk"], nodes["orders"]["pk"]) == ("customer_id", "order_id")
    assert orders["customer_id"]["generator"] == {"lookup": {"from": "customers.customer_id"}}
    assert orders["status"]["constraints"] == {"enum": ["placed", "shipped", "returned"]}
    assert orders["amount"]["type"] == "float" and orders["amount"]["constraints"] == {"min": 0.0, "max": 900.0}
    assert orders["placed_at"]["type"] == "datetime"
    assert {c["name"]: c for c in nodes["customers"]["columns"]}["email"]["generator"] == {"faker": {"method": "email"}}
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    out = generate(schema, tmp_path / "out", seed=2).output
    orders_t, customers_t = pq.read_table(out / "orders.parquet"), pq.read_table(out / "customers.parquet")
    assert pc.all(pc.is_in(orders_t["customer_id"], customers_t["customer_id"])).as_py()
    assert set(orders_t["status"].to_pylist()) <= {"placed", "shipped", "returned"}
    assert 0 <= pc.min(orders_t["amount"]).as_py() <= pc.max(orders_t["amount"]).as_py() <= 900


PRISMA = '''
// the schema of a web app, as `prisma init` starts it
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

/// A registered person
model User {
  id        String   @id @default(cuid())
  email     String   @unique
  name      String?  @db.VarChar(60)
  role      Role     @default(USER)
  posts     Post[]
  profile   Profile?
  createdAt DateTime @default(now()) @map("created_at")
  @@map("users")
}

model Profile {
  id     Int    @id @default(autoincrement())
  user   User   @relation(fields: [userId], references: [id], onDelete: Cascade)
  userId String @unique
}

model Post {
  id          Int        @id @default(autoincrement())
  title       String     @db.VarChar(12)
  views       Int        @default(0) @db.SmallInt
  price       Decimal    @db.Decimal(6, 2)
  meta        Json       @default("{}")
  author      User       @relation(fields: [authorId], references: [id])
  authorId    String     @map("author_id")
  categories  Category[]
  tags        String[]
  publishedOn DateTime?  @db.Date
}

model Category {
  id    Int    @id @default(autoincrement())
  posts Post[]
}

enum Role {
  USER
  ADMIN // full access
  EDITOR @map("editor")
}
'''


def test_a_prisma_schema_keeps_models_relations_enums_and_native_types(tmp_path: Path) -> None:
    """Prisma: models are tables under their @@map names, @relation(fields, references) foreign keys (the other
    side, `posts Post[]`, no column), a unique reference one-to-one, enums the fields' values, @db types bounds,
    and an implicit many-to-many Prisma's own link table _CategoryToPost(A, B)."""
    (tmp_path / "schema.prisma").write_text(PRISMA)
    got = import_schema(tmp_path / "schema.prisma", rows=200)
    assert got.format == "Prisma schema"
    nodes = {n["id"]: n for n in got.schema["nodes"]}
    assert set(nodes) == {"users", "Profile", "Post", "Category", "_CategoryToPost"}
    users, post = _columns(got.schema, "users"), _columns(got.schema, "Post")
    assert users["id"]["generator"] == {"faker": {"method": "uuid4"}} and nodes["users"]["pk"] == "id"
    assert users["role"]["generator"] == {"choice": {"choices": ["USER", "ADMIN", "EDITOR"]}}
    assert users["name"]["constraints"] == {"max_length": 60} and "created_at" in users
    assert post["author_id"]["generator"] == {"lookup": {"from": "users.id"}} and "author" not in post
    assert post["publishedOn"]["type"] == "date" and post["price"]["decimals"] == 2
    assert nodes["Profile"]["fanout"] == {"distribution": "uniform", "min": 0, "max": 1}
    link = _columns(got.schema, "_CategoryToPost")
    assert (link["A"]["generator"], link["B"]["generator"]) == ({"lookup": {"from": "Category.id"}},
                                                                {"lookup": {"from": "Post.id"}})
    assert got.schema["metadata"]["descriptions"] == {"users": "A registered person"}
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    out = generate(schema, tmp_path / "out", seed=2).output
    from datagen_contracts.dsl import load_schema
    from datagen_core.validate import validate

    assert validate(load_schema(schema), out).ok
    p = pq.read_table(out / "Post.parquet")
    assert pc.max(pc.utf8_length(p["title"])).as_py() <= 12 and pc.max(p["views"]).as_py() <= 32767
    assert pc.max(p["price"]).as_py() <= 9999.99


def test_a_prisma_file_without_models_is_a_clear_error(tmp_path: Path) -> None:
    from datagen_core.errors import DatagenError

    (tmp_path / "empty.prisma").write_text("// nothing yet\ngenerator client {\n  provider = \"prisma-client-js\"\n}\n")
    with pytest.raises(DatagenError, match=r"empty\.prisma: no model in it; datagen import reads the tables of a Prisma schema"):
        import_schema(tmp_path / "empty.prisma")


DBML = """
// dbdiagram.io
Project shop { database_type: 'PostgreSQL' }

Table core.users as U [headercolor: #3498DB] {
  id integer [primary key, increment]
  username varchar(12) [not null, unique]
  status user_status
  Note: '''
  Signed up
  '''
}

Table orders {
  id int [pk] // the key
  user_id int [not null, ref: > U.id]
  total decimal(6,2)
  "placed at" timestamp
}

Table order_items {
  order_id int
  product_id int
  indexes { (order_id, product_id) [pk] }
}

Table products { id int [pk]
  name varchar }
Table tags { id int [pk] }
Table merchants { id int [pk]
  admin_id int }

Ref: order_items.order_id > orders.id
Ref items_products { products.id < order_items.product_id }
Ref: merchants.admin_id - U.id
Ref: products.id <> tags.id

Enum user_status { active blocked "on hold" [note: 'paused'] }
"""


def test_a_dbml_document_keeps_tables_references_enums_and_notes(tmp_path: Path) -> None:
    """DBML: aliases and schema-qualified names, inline and separate references (>, <, one-to-one -, many-to-many <>
    as a link table), enums, notes (a multi-line one is no column), a key of several columns, SQL types' bounds."""
    (tmp_path / "shop.dbml").write_text(DBML)
    got = import_schema(tmp_path / "shop.dbml", rows=100)
    assert got.format == "DBML"
    nodes = {n["id"]: n for n in got.schema["nodes"]}
    assert set(nodes) == {"users", "orders", "order_items", "products", "tags", "merchants", "products_tags"}
    users, orders, items = (_columns(got.schema, t) for t in ("users", "orders", "order_items"))
    assert list(users) == ["id", "username", "status"]  # the note's "Signed up" is no column
    assert users["status"]["generator"] == {"choice": {"choices": ["active", "blocked", "on hold"]}}
    assert users["username"]["constraints"] == {"max_length": 12}
    assert orders["user_id"]["generator"] == {"lookup": {"from": "users.id"}} and orders["total"]["decimals"] == 2
    assert orders["placed at"]["type"] == "datetime"
    assert items["product_id"]["generator"] == {"lookup": {"from": "products.id"}}  # written the other way round
    assert nodes["order_items"]["pk"] == "order_items_id" and nodes["merchants"]["fanout"]["max"] == 1
    assert _columns(got.schema, "products_tags")["tags_id"]["generator"] == {"lookup": {"from": "tags.id"}}
    assert got.schema["metadata"]["descriptions"] == {"users": "Signed up"}
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    out = generate(schema, tmp_path / "out", seed=5).output
    from datagen_contracts.dsl import load_schema
    from datagen_core.validate import validate

    assert validate(load_schema(schema), out).ok
    total = pq.read_table(out / "orders.parquet")["total"]  # money by its name: skewed, in cents, within its clamp
    assert 40 <= pc.approximate_median(total).as_py() <= 160 and pc.max(total).as_py() <= 100_000


def test_an_avro_schema_is_a_table_with_its_nested_records_and_arrays(tmp_path: Path) -> None:
    """Avro (a Kafka topic's records): not taken for a Frictionless Table Schema (both have `fields`); a nested
    record flattened, a named type used again by name, an array of records a child table, unions with null
    optional, logical types, enums, fixed sizes and docs."""
    doc = {"type": "record", "name": "OrderPlaced", "namespace": "com.shop", "doc": "An order as checkout publishes it",
           "fields": [
               {"name": "order_id", "type": {"type": "string", "logicalType": "uuid"}},
               {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
                   {"name": "email", "type": "string"},
                   {"name": "tier", "type": {"type": "enum", "name": "Tier", "symbols": ["FREE", "PRO"]}}]}},
               {"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
               {"name": "delivery", "type": ["null", {"type": "int", "logicalType": "date"}], "default": None},
               {"name": "currency", "type": {"type": "fixed", "name": "Currency", "size": 3}},
               {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
                   {"name": "sku", "type": "string"}, {"name": "quantity", "type": "int"}]}}},
               {"name": "referrer", "type": ["null", "com.shop.Customer"], "default": None},
               {"name": "payload", "type": ["null", "string", "long"]}]}
    (tmp_path / "order.avsc").write_text(json.dumps(doc))
    got = import_schema(tmp_path / "order.avsc", rows=100)
    assert got.format == "Avro schema"
    order, lines = _columns(got.schema, "OrderPlaced"), _columns(got.schema, "OrderPlaced_lines")
    assert order["customer_tier"]["generator"] == {"choice": {"choices": ["FREE", "PRO"]}}
    assert order["referrer_email"]["generator"] == {"faker": {"method": "email"}}  # the named type again
    assert (order["placed_at"]["type"], order["delivery"]["type"]) == ("datetime", "date")
    assert order["order_id"]["generator"] == {"faker": {"method": "uuid4"}}
    assert order["currency"]["constraints"] == {"max_length": 3}
    assert lines["OrderPlaced_id"]["generator"]["lookup"]["from"].startswith("OrderPlaced.")
    assert any("payload: a union of 2 types" in n for n in got.notes)
    assert got.schema["metadata"]["descriptions"]["OrderPlaced"] == "An order as checkout publishes it"
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    generate(schema, tmp_path / "out", seed=1)
    assert pq.read_table(tmp_path / "out" / "OrderPlaced_lines.parquet").num_rows > 100
