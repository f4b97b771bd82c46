"""``datagen import schema.sql``: SQL DDL from PostgreSQL (a ``pg_dump --schema-only``), MySQL and SQL Server read
into a DSL schema that generates data keeping the declared keys, foreign keys, allowed values and bounds."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from datagen_core.cli import main
from datagen_core.engine import generate
from datagen_core.imports import import_schema

PG_DUMP = r"""
--
-- PostgreSQL database dump
--
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TYPE public.mood AS ENUM ('happy', 'sad', 'neutral');

CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END; $$;

CREATE TABLE public.customers (
    id integer NOT NULL,
    email character varying(255) NOT NULL,
    first_name text,
    mood public.mood,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT customers_email_check CHECK ((length(email) > 3))
);
COMMENT ON COLUMN public.customers.email IS 'Where receipts go';

CREATE SEQUENCE public.customers_id_seq AS integer START WITH 1 INCREMENT BY 1;

CREATE TABLE public."order" (
    id bigint NOT NULL,
    customer_id integer NOT NULL,
    status character varying(20) DEFAULT 'placed'::character varying NOT NULL,
    total numeric(12,2) NOT NULL,
    placed_on date,
    channel text,
    CONSTRAINT order_channel_check CHECK (((channel = ANY (ARRAY['web'::text, 'shop'::text])) OR (channel IS NULL))),
    CONSTRAINT order_status_check CHECK (((status)::text = ANY ((ARRAY['placed'::character varying, 'shipped'::character varying, 'returned'::character varying])::text[]))),
    CONSTRAINT order_total_check CHECK (((total >= (0)::numeric) AND (total <= (10000)::numeric)))
);

CREATE TABLE public."line item" (
    order_id bigint NOT NULL REFERENCES public."order"(id),
    sku text NOT NULL,
    quantity smallint CHECK (quantity BETWEEN 1 AND 50),
    PRIMARY KEY (order_id, sku)
);

COPY public.customers (id, email, first_name, mood, created_at) FROM stdin;
1	a@example.com	Ann	happy	2024-01-01 00:00:00+00
2	b@example.com	Bo	sad	2024-01-02 00:00:00+00
3	c@example.com	Cy	\N	2024-01-03 00:00:00+00
\.

ALTER TABLE ONLY public.customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public."order" ADD CONSTRAINT order_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public."order"
    ADD CONSTRAINT order_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);
CREATE INDEX order_customer_idx ON public."order" USING btree (customer_id);
GRANT ALL ON TABLE public.customers TO app;
"""

MYSQL = """
CREATE TABLE `users` (
  `user_id` int unsigned NOT NULL AUTO_INCREMENT,
  `plan` enum('free','pro','team') NOT NULL DEFAULT 'free',
  `signup_date` datetime NOT NULL,
  `is_active` tinyint(1) NOT NULL DEFAULT '1',
  PRIMARY KEY (`user_id`),
  UNIQUE KEY `uq_email` (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `sessions` (
  `session_id` bigint NOT NULL AUTO_INCREMENT,
  `user_id` int unsigned NOT NULL,
  `seconds` int NOT NULL,
  PRIMARY KEY (`session_id`),
  KEY `idx_user` (`user_id`),
  CONSTRAINT `fk_sessions_user` FOREIGN KEY (`user_id`) REFERENCES `users` (`user_id`) ON DELETE CASCADE,
  CONSTRAINT `chk_seconds` CHECK ((`seconds` >= 0))
) ENGINE=InnoDB;
"""

TSQL = """
SET ANSI_NULLS ON
GO
CREATE TABLE [dbo].[Accounts](
	[AccountID] [int] IDENTITY(1,1) NOT NULL,
	[Name] [nvarchar](max) NOT NULL,
	[Balance] [money] NULL,
	[IsClosed] [bit] NOT NULL,
	[OpenedAt] [datetime2](7) NOT NULL,
 CONSTRAINT [PK_Accounts] PRIMARY KEY CLUSTERED
(
	[AccountID] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF) ON [PRIMARY]
) ON [PRIMARY]
GO
CREATE TABLE [dbo].[Transfers](
	[TransferID] [bigint] IDENTITY(1,1) NOT NULL,
	[AccountID] [int] NOT NULL,
	[Amount] [decimal](18, 2) NOT NULL,
 CONSTRAINT [PK_Transfers] PRIMARY KEY CLUSTERED ([TransferID] ASC)
) ON [PRIMARY]
GO
ALTER TABLE [dbo].[Transfers]  WITH CHECK ADD  CONSTRAINT [FK_Transfers_Accounts] FOREIGN KEY([AccountID])
REFERENCES [dbo].[Accounts] ([AccountID])
GO
ALTER TABLE [dbo].[Transfers] CHECK CONSTRAINT [FK_Transfers_Accounts]
GO
"""


def _nodes(schema: dict) -> dict[str, dict]:
    return {n["id"]: n for n in schema["nodes"]}


def _cols(node: dict) -> dict[str, dict]:
    return {c["name"]: c for c in node["columns"]}


def test_a_pg_dump_keeps_keys_references_values_and_bounds(tmp_path: Path) -> None:
    (tmp_path / "dump.sql").write_text(PG_DUMP)
    got = import_schema(tmp_path / "dump.sql", rows=300)
    assert got.format == "SQL DDL (postgres)"
    nodes = _nodes(got.schema)
    assert list(nodes) == ["customers", "order", "line item"]  # parents first; hostile names kept
    assert [nodes[t]["pk"] for t in nodes] == ["id", "id", "line item_id"]  # composite key: one added
    order, customers, items = _cols(nodes["order"]), _cols(nodes["customers"]), _cols(nodes["line item"])
    assert order["customer_id"]["generator"] == {"lookup": {"from": "customers.id"}}
    assert items["order_id"]["generator"] == {"lookup": {"from": "order.id"}}
    assert order["status"]["constraints"] == {"enum": ["placed", "shipped", "returned"]}
    assert order["total"]["constraints"] == {"min": 0.0, "max": 10000.0}
    assert order["channel"]["constraints"] == {"enum": ["web", "shop"]}  # a list "OR channel IS NULL"
    assert items["quantity"]["constraints"] == {"min": 1.0, "max": 50.0}
    assert customers["mood"]["generator"]["choice"]["choices"] == ["happy", "sad", "neutral"]  # CREATE TYPE … ENUM
    assert customers["email"]["generator"] == {"faker": {"method": "email"}}
    assert (customers["created_at"]["type"], order["placed_on"]["type"], order["total"]["type"]) == (
        "datetime", "date", "float")
    assert got.schema["metadata"]["descriptions"]["customers.email"] == "Where receipts go"
    notes = "\n".join(got.notes)
    assert "length(email)" in notes.lower() and "not carried" in notes  # a CHECK that is no bound is said, not dropped silently
    assert "several columns" in notes and "statement(s)" in notes and "1 COPY block" in notes
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(got.schema))
    out = generate(schema, tmp_path / "out", seed=2).output
    customers_t, order_t = pq.read_table(out / "customers.parquet"), pq.read_table(out / "order.parquet")
    assert customers_t.num_rows == 3  # the dump's COPY block counts them; --rows is for tables it does not
    assert pc.all(pc.is_in(order_t["customer_id"], customers_t["id"])).as_py()
    assert set(order_t["status"].to_pylist()) <= {"placed", "shipped", "returned"}
    assert pc.min(order_t["total"]).as_py() >= 0 and pc.max(order_t["total"]).as_py() <= 10000


def test_mysql_and_sql_server_ddl(tmp_path: Path) -> None:
    """MySQL (backticks, AUTO_INCREMENT, ENUM, ENGINE); SQL Server as SSMS scripts it (brackets, GO batches, the
    foreign key added by ALTER TABLE … WITH CHECK ADD CONSTRAINT)."""
    (tmp_path / "my.sql").write_text(MYSQL)
    my = import_schema(tmp_path / "my.sql")
    assert my.format == "SQL DDL (mysql)"
    nodes = _nodes(my.schema)
    assert (nodes["users"]["pk"], nodes["sessions"]["pk"]) == ("user_id", "session_id")
    users, sessions = _cols(nodes["users"]), _cols(nodes["sessions"])
    assert users["plan"]["generator"]["choice"]["choices"] == ["free", "pro", "team"]
    assert users["is_active"]["type"] == "int"  # tinyint(1): MySQL's flag is a number, kept as one …
    assert users["is_active"]["generator"]["distribution"]["params"] == {"low": 0, "high": 1}  # … 0 or 1
    assert sessions["user_id"]["generator"] == {"lookup": {"from": "users.user_id"}}
    assert sessions["seconds"]["constraints"] == {"min": 0.0}
    (tmp_path / "ms.sql").write_text(TSQL)
    ms = import_schema(tmp_path / "ms.sql")
    assert ms.format == "SQL DDL (tsql)"
    nodes = _nodes(ms.schema)
    assert (nodes["Accounts"]["pk"], nodes["Transfers"]["pk"]) == ("AccountID", "TransferID")
    accounts = _cols(nodes["Accounts"])
    assert [accounts[c]["type"] for c in ("Balance", "IsClosed", "OpenedAt")] == ["float", "bool", "datetime"]
    assert _cols(nodes["Transfers"])["AccountID"]["generator"] == {"lookup": {"from": "Accounts.AccountID"}}


def test_sql_errors_are_usage_errors_with_lines(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE t (id int PRIMARY KEY,\n  name text NOT NULL DEFAULT,\n  x int);\n")
    got = runner.invoke(main, ["import", str(bad), "-o", str(tmp_path / "s.json")])
    assert got.exit_code == 2 and "Traceback" not in got.output
    assert "line 2, column 29" in got.output and "--dialect" in got.output
    good = tmp_path / "good.sql"
    good.write_text("CREATE TABLE t (id int PRIMARY KEY, name text);\n")
    got = runner.invoke(main, ["import", str(good), "-o", str(tmp_path / "s.json"), "--dialect", "nosuch"])
    assert got.exit_code == 2 and "nosuch" in got.output
    got = runner.invoke(main, ["import", str(good), "-o", str(tmp_path / "s.json"), "--dialect", "sqlite", "--json"])
    assert got.exit_code == 0 and json.loads(got.output)["format"] == "SQL DDL (sqlite)"
    got = runner.invoke(main, ["generate", str(good), "-o", str(tmp_path / "out")])
    assert got.exit_code == 2 and "SQL DDL" in got.output and "datagen import" in got.output
    views = tmp_path / "views.sql"
    views.write_text("CREATE VIEW v AS SELECT 1;\n")
    got = runner.invoke(main, ["import", str(views), "-o", str(tmp_path / "v.json")])
    assert got.exit_code == 2 and "no CREATE TABLE statement" in got.output
    (tmp_path / "empty.sql").write_text("")
    (tmp_path / "binary.sql").write_bytes(b"\x7fELF\x00\x00CREATE TABLE t (a int);")
    for name, said in (("empty.sql", "empty"), ("binary.sql", "not a text file")):
        got = runner.invoke(main, ["import", str(tmp_path / name), "-o", str(tmp_path / "v.json")])
        assert got.exit_code == 2 and said in got.output, got.output


OTHERS = [
    ("snowflake", {"CUSTOMERS": "ID", "ORDERS": "ORDER_ID"}, ("ORDERS", "CUSTOMER_ID", "CUSTOMERS", "ID"), """
create or replace TABLE ANALYTICS.PUBLIC.CUSTOMERS (
	ID NUMBER(38,0) NOT NULL autoincrement start 1 increment 1,
	EMAIL VARCHAR(16777216),
	SIGNUP_TS TIMESTAMP_NTZ(9),
	LTV NUMBER(12,2),
	primary key (ID)
);
create or replace TABLE ANALYTICS.PUBLIC.ORDERS (
	ORDER_ID NUMBER(38,0) NOT NULL,
	CUSTOMER_ID NUMBER(38,0),
	AMOUNT FLOAT,
	primary key (ORDER_ID),
	foreign key (CUSTOMER_ID) references ANALYTICS.PUBLIC.CUSTOMERS(ID)
);"""),
    ("bigquery", {"users": "user_id", "events": "event_id"}, ("events", "user_id", "users", "user_id"), """
CREATE TABLE `proj.shop.users` (
  user_id INT64 NOT NULL,
  country STRING,
  tags ARRAY<STRING>,
  created DATE,
  PRIMARY KEY (user_id) NOT ENFORCED
);
CREATE TABLE `proj.shop.events` (
  event_id STRING NOT NULL,
  user_id INT64,
  at TIMESTAMP,
  payload JSON,
  FOREIGN KEY (user_id) REFERENCES `proj.shop.users`(user_id) NOT ENFORCED
);"""),
    ("postgres", {"artists": "id", "albums": "id"}, ("albums", "artist_id", "artists", "id"), """
CREATE TABLE IF NOT EXISTS "artists" (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "albums" (id INTEGER PRIMARY KEY, artist_id INTEGER NOT NULL, title TEXT, year INTEGER CHECK (year > 1900), FOREIGN KEY(artist_id) REFERENCES artists(id));"""),  # SQLite's DDL is PostgreSQL's too, as far as tables go
    ("oracle", {"departments": "department_id", "employees": "employee_id"},
     ("employees", "department_id", "departments", "department_id"), """
CREATE TABLE hr.departments (department_id NUMBER(4) CONSTRAINT dept_id_pk PRIMARY KEY, department_name VARCHAR2(30) NOT NULL);
CREATE TABLE hr.employees (employee_id NUMBER(6) PRIMARY KEY, department_id NUMBER(4) CONSTRAINT emp_dept_fk REFERENCES hr.departments(department_id), salary NUMBER(8,2) CONSTRAINT emp_salary_min CHECK (salary > 0), hire_date DATE NOT NULL);"""),
]


@pytest.mark.parametrize(("dialect", "keys", "fk", "sql"), OTHERS, ids=[o[0] + str(i) for i, o in enumerate(OTHERS)])
def test_each_dialect_generates_with_its_keys(tmp_path: Path, dialect: str, keys: dict[str, str],
                                              fk: tuple[str, str, str, str], sql: str) -> None:
    (tmp_path / "ddl.sql").write_text(sql)
    got = import_schema(tmp_path / "ddl.sql", rows=50)
    assert got.format == f"SQL DDL ({dialect})"
    assert {n["id"]: n["pk"] for n in got.schema["nodes"]} == keys
    child, column, parent, key = fk
    assert _cols(_nodes(got.schema)[child])[column]["generator"] == {"lookup": {"from": f"{parent}.{key}"}}
    (tmp_path / "s.json").write_text(json.dumps(got.schema))
    out = generate(tmp_path / "s.json", tmp_path / "out", seed=1).output
    kids, parents = pq.read_table(out / f"{child}.parquet"), pq.read_table(out / f"{parent}.parquet")
    assert kids.num_rows > 0 and pc.all(pc.is_in(kids[column], parents[key])).as_py()


def test_values_fit_the_declared_types(tmp_path: Path) -> None:
    """What the types hold bounds the values, so the data loads back into the tables: a TINYINT UNSIGNED key numbers
    at most 255 rows, DECIMAL(5, 2) amounts stay below 1,000 with two decimals, a TINYINT count below 128 and a
    DECIMAL(3, 2) rate below 10 (before, every number was drawn from 0 to 1,000)."""
    (tmp_path / "m.sql").write_text(
        "CREATE TABLE `store` (`store_id` tinyint unsigned NOT NULL AUTO_INCREMENT, PRIMARY KEY (`store_id`)) ENGINE=InnoDB;\n"
        "CREATE TABLE `sale` (`sale_id` int NOT NULL AUTO_INCREMENT, `store_id` tinyint unsigned NOT NULL,\n"
        "  `amount` decimal(5,2) NOT NULL, `items` tinyint NOT NULL, `rate` decimal(3,2), `city` varchar(6),\n"
        "  `note` text, PRIMARY KEY (`sale_id`),\n"
        "  CONSTRAINT `fk` FOREIGN KEY (`store_id`) REFERENCES `store` (`store_id`)) ENGINE=InnoDB;\n")
    got = import_schema(tmp_path / "m.sql", rows=1000)
    assert _nodes(got.schema)["store"]["rows"] == 255
    assert "store: 255 rows, as many as its key's type holds" in got.notes
    sale = _cols(_nodes(got.schema)["sale"])
    assert sale["amount"]["decimals"] == 2
    assert sale["city"]["constraints"] == {"max_length": 6} and "constraints" not in sale["note"]
    (tmp_path / "s.json").write_text(json.dumps(got.schema))
    out = generate(tmp_path / "s.json", tmp_path / "out", seed=4).output
    data = pq.read_table(out / "sale.parquet")
    assert pc.max(pq.read_table(out / "store.parquet")["store_id"]).as_py() == 255
    assert pc.max(data["amount"]).as_py() <= 999.99 and pc.max(data["items"]).as_py() <= 127
    assert pc.max(data["rate"]).as_py() <= 9.99 and pc.max(pc.utf8_length(data["city"])).as_py() <= 6
    # a CHAR(3) key: a UUID cut to 3 characters would repeat, so a template of that length numbers the rows
    (tmp_path / "c.sql").write_text("CREATE TABLE country (code CHAR(3) PRIMARY KEY, name TEXT);\n")
    got = import_schema(tmp_path / "c.sql", rows=2000)
    assert _cols(_nodes(got.schema)["country"])["code"]["generator"] == {"faker": {"method": "bothify", "text": "???"}}
    (tmp_path / "c.json").write_text(json.dumps(got.schema))
    codes = pq.read_table(generate(tmp_path / "c.json", tmp_path / "c_out", seed=1).output / "country.parquet")["code"]
    assert len(set(codes.to_pylist())) == 2000 and pc.max(pc.utf8_length(codes)).as_py() == 3
    assert all(round(v, 2) == v for v in data["amount"].to_pylist()[:500])


def test_a_unique_email_stays_an_email_and_unique(tmp_path: Path) -> None:
    (tmp_path / "u.sql").write_text("CREATE TABLE users (id serial PRIMARY KEY, email varchar(200) UNIQUE NOT NULL, "
                                    "handle text UNIQUE);\n")
    got = import_schema(tmp_path / "u.sql", rows=3000)
    cols = _cols(_nodes(got.schema)["users"])
    assert cols["email"]["generator"] == {"faker": {"method": "email"}}  # not UUIDs: unique by construction
    assert cols["handle"]["generator"] == {"faker": {"method": "uuid4"}}  # no name to go by: unique text
    assert {"users.email", "users.handle"} <= set(got.schema["constraints"]["unique"])
    (tmp_path / "s.json").write_text(json.dumps(got.schema))
    emails = pq.read_table(generate(tmp_path / "s.json", tmp_path / "out", seed=4).output / "users.parquet")["email"]
    assert len(set(emails.to_pylist())) == 3000 and all("@" in e for e in emails.to_pylist()[:50])


def test_a_long_chain_of_references_stays_a_size_that_generates(tmp_path: Path) -> None:
    """region → country → … twelve levels deep: three rows per parent at every step would make 3¹¹ times --rows at
    the end; each table instead stays near 30 times --rows, and the note says so."""
    chain = ["CREATE TABLE t0 (id serial PRIMARY KEY);"] + [
        f"CREATE TABLE t{i} (id serial PRIMARY KEY, up_id int NOT NULL REFERENCES t{i - 1}(id));" for i in range(1, 12)]
    (tmp_path / "chain.sql").write_text("\n".join(chain))
    got = import_schema(tmp_path / "chain.sql", rows=100)
    assert any("end of a chain of references" in n for n in got.notes)
    (tmp_path / "s.json").write_text(json.dumps(got.schema))
    out = generate(tmp_path / "s.json", tmp_path / "out", seed=1)
    assert out.rows["t0"] == 100 and max(out.rows.values()) < 2 * 30 * 100
    assert out.rows["t11"] > 1000  # still a fact with rows under every level, not an empty tail


def test_numbers_named_like_measures_get_their_usual_shape(tmp_path: Path) -> None:
    """A warehouse's DDL says a column is a number and no more: its name says what it measures (before, every one
    was uniform from 0 to 1,000 — a quantity of 517, a price of 3.02 beside one of 998.70, an age of 4). A range the
    source gives and its type's capacity still bound it; a name that says nothing keeps the plain uniform."""
    (tmp_path / "w.sql").write_text(
        "CREATE TABLE order_lines (order_line_id BIGINT PRIMARY KEY, quantity INT, unit_price FLOAT,\n"
        "  line_total NUMERIC(12, 2), shipping_fee DOUBLE PRECISION CHECK (shipping_fee >= 2),\n"
        "  discount_pct REAL, num_returns INT, tax_rate FLOAT, small_price DECIMAL(4, 2),\n"
        "  markup_pct REAL CHECK (markup_pct >= 10));\n"
        "CREATE TABLE customers (customer_id INT PRIMARY KEY, age SMALLINT, rating REAL, session_minutes FLOAT,\n"
        "  child_age INT CHECK (child_age BETWEEN 0 AND 12));\n")
    got = import_schema(tmp_path / "w.sql", rows=4000)
    assert any("order_lines.unit_price: a price by its name: lognormal, median 25" in n for n in got.notes)
    assert any(n.startswith("order_lines.tax_rate: numbers drawn uniformly from 0 to 1000") for n in got.notes)
    lines = _cols(_nodes(got.schema)["order_lines"])
    assert lines["unit_price"]["decimals"] == 2 and lines["discount_pct"]["decimals"] == 1
    (tmp_path / "s.json").write_text(json.dumps(got.schema))
    out = generate(tmp_path / "s.json", tmp_path / "out", seed=2).output
    ol, cu = pq.read_table(out / "order_lines.parquet"), pq.read_table(out / "customers.parquet")

    def median(col):
        return pc.approximate_median(col).as_py()

    assert pc.min(ol["quantity"]).as_py() >= 1 and median(ol["quantity"]) <= 3 and pc.max(ol["quantity"]).as_py() < 20
    assert 15 <= median(ol["unit_price"]) <= 40 and all(round(v, 2) == v for v in ol["unit_price"].to_pylist()[:300])
    assert 40 <= median(ol["line_total"]) <= 160
    assert pc.min(ol["shipping_fee"]).as_py() >= 2 and median(ol["shipping_fee"]) <= 12  # the CHECK's bound kept
    assert pc.min(ol["discount_pct"]).as_py() >= 0 and pc.max(ol["discount_pct"]).as_py() <= 100
    assert median(ol["num_returns"]) <= 5 and pc.max(ol["tax_rate"]).as_py() > 100  # a rate's scale is unknown
    assert pc.max(ol["small_price"]).as_py() <= 99.99  # DECIMAL(4, 2) holds no more
    markup = ol["markup_pct"].to_pylist()  # uniform from the CHECK's bound: no pile of values clamped onto it
    assert min(markup) >= 10 and sum(v == 10 for v in markup) < 0.01 * len(markup)
    assert pc.min(cu["age"]).as_py() >= 18 and pc.max(cu["age"]).as_py() <= 90 and 30 <= median(cu["age"]) <= 46
    assert pc.min(cu["rating"]).as_py() >= 1 and pc.max(cu["rating"]).as_py() <= 5
    assert 10 <= median(cu["session_minutes"]) <= 35
    assert pc.max(cu["child_age"]).as_py() <= 12 and pc.min(cu["child_age"]).as_py() < 2  # the source's own range


def test_a_warehouse_ddl_without_foreign_keys_is_linked_by_column_names(tmp_path: Path) -> None:
    """Snowflake, BigQuery and Redshift DDL rarely declares foreign keys: with none declared, a column named after
    another table and its key refers to it (each such key a note to check); DDL that declares some keeps only them."""
    (tmp_path / "w.sql").write_text(
        "CREATE TABLE customers (customer_id NUMBER(38, 0), email VARCHAR(100));\n"
        "CREATE TABLE orders (order_id NUMBER(38, 0), customer_id NUMBER(38, 0), total NUMBER(10, 2));\n"
        "CREATE TABLE order_items (order_item_id NUMBER, order_id NUMBER, sku VARCHAR(12));\n")
    got = import_schema(tmp_path / "w.sql", dialect="snowflake", rows=300)
    assert "orders.customer_id → customers.customer_id: a foreign key by the column's name (the source declares " \
           "none); check it" in got.notes
    assert "customers: no primary key in the source; customer_id taken as the key by its name" in got.notes
    items = _cols(_nodes(got.schema)["order_items"])
    assert items["order_id"]["generator"] == {"lookup": {"from": "orders.order_id"}}
    (tmp_path / "s.json").write_text(json.dumps(got.schema))
    out = generate(tmp_path / "s.json", tmp_path / "out", seed=3).output
    orders, customers = pq.read_table(out / "orders.parquet"), pq.read_table(out / "customers.parquet")
    assert pc.all(pc.is_in(orders["customer_id"], customers["customer_id"])).as_py()
    (tmp_path / "d.sql").write_text(  # one declared reference: the source speaks for its relations
        "CREATE TABLE customers (customer_id INT PRIMARY KEY);\nCREATE TABLE stores (store_id INT PRIMARY KEY);\n"
        "CREATE TABLE orders (order_id INT PRIMARY KEY, customer_id INT REFERENCES customers (customer_id),\n"
        "  store_id INT);\n")
    declared = import_schema(tmp_path / "d.sql")
    assert "lookup" not in _cols(_nodes(declared.schema)["orders"])["store_id"]["generator"]


def _random_ddl(seed: int, tables: int = 30) -> str:
    """A warehouse nobody designed for us: hostile names (quotes, spaces, €, ß, keywords), every common column type,
    NOT NULL, UNIQUE (also on a boolean or a short text), CHECKs, tables without a key, references back."""
    import random

    r = random.Random(seed)
    types = ["INT", "BIGINT", "SMALLINT", "TINYINT", "NUMERIC(12,2)", "DECIMAL(5,2)", "REAL", "DOUBLE PRECISION",
             "VARCHAR(40)", "CHAR(3)", "CHAR(1)", "TEXT", "DATE", "TIMESTAMP", "BOOLEAN", "UUID", "JSONB", "TIME",
             "BYTEA", "INTERVAL", "INT[]"]
    words = ["order", "customer", "item", "price", "qty", "user", "group", "select", "created_at", "amount",
             "status", "email", "name", "Straße", "prix €", 'a"b', "total", "age", "rating", "email events"]

    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    names = [f"t{i}_{r.choice(words)}" for i in range(tables)]
    keyed: set[int] = set()
    out = []
    for i, t in enumerate(names):
        cols = []
        if r.random() < 0.8:
            cols.append(f"{q(t + '_id')} BIGINT PRIMARY KEY")
            keyed.add(i)
        used: set[str] = set()
        for j in range(r.randrange(2, 16)):
            n = r.choice(words) + (f"_{j}" if r.random() < 0.5 else "")
            if n not in used:
                used.add(n)
                cols.append(f"{q(n)} {r.choice(types)}" + (" NOT NULL" if r.random() < 0.3 else "")
                            + (" UNIQUE" if r.random() < 0.08 else ""))
        for k, p in enumerate(r.sample(sorted(keyed - {i}), min(len(keyed - {i}), r.choice([0, 1, 1, 2])))):
            cols.append(f'"ref_{k}" BIGINT REFERENCES {q(names[p])} ({q(names[p] + "_id")})')
        out.append(f"CREATE TABLE {q(t)} (\n  " + ",\n  ".join(cols) + "\n);")
    return "\n".join(out)


@pytest.mark.parametrize("seed", [1, 6, 11])
def test_random_warehouse_ddl_imports_generates_and_validates(tmp_path: Path, seed: int) -> None:
    """Whatever the DDL declares, the imported schema's data passes `datagen validate` against that schema: once, a
    table "…email…" without a key got an "e-mail" key drawn from 0..1000 (its name matched the e-mail hint), a
    UNIQUE e-mail in CHAR(3) was cut into repeats, a CHAR(3) category of placeholders ("rating A"…) was cut into one
    value, and UNIQUE booleans, dates and decimals were kept as claims no generated column could hold."""
    from datagen_contracts.dsl import load_schema
    from datagen_core.validate import validate

    (tmp_path / "w.sql").write_text(_random_ddl(seed))
    got = import_schema(tmp_path / "w.sql", rows=150)
    (tmp_path / "s.json").write_text(json.dumps(got.schema))
    out = generate(tmp_path / "s.json", tmp_path / "out", seed=seed).output
    report = validate(load_schema(tmp_path / "s.json"), out)
    assert [(c.status, c.id) for c in report.checks if c.status in ("fail", "error")] == []


def test_a_short_text_key_numbers_as_many_rows_as_it_can_hold(tmp_path: Path) -> None:
    """A CHAR(2) key holds 676 values: a table of it gets 676 rows, not --rows 1000 of UUIDs cut to two characters
    that repeated (as a TINYINT key's table gets 127)."""
    (tmp_path / "r.sql").write_text("CREATE TABLE region (code CHAR(2) PRIMARY KEY, name TEXT);\n"
                                    "CREATE TABLE store (store_id INT PRIMARY KEY, region_code CHAR(2) REFERENCES region (code));\n")
    got = import_schema(tmp_path / "r.sql", rows=1000)
    assert _nodes(got.schema)["region"]["rows"] == 676 and "region: 676 rows, as many as its key's type holds" in got.notes
    (tmp_path / "s.json").write_text(json.dumps(got.schema))
    codes = pq.read_table(generate(tmp_path / "s.json", tmp_path / "out", seed=2).output / "region.parquet")["code"]
    assert len(set(codes.to_pylist())) == 676 and pc.max(pc.utf8_length(codes)).as_py() == 2
