"""A retail star/snowflake warehouse built in code (DuckDB SQL), for discovery on data whose names do not match.

It has what real warehouses have and name-driven discovery misses: surrogate keys named unlike their targets
(``sr_returned_date_sk → d_date_sk``), role-playing dimensions (one date dimension referenced by sold, ship and
return dates; bill and ship customers), composite keys (``store_sales(ss_item_sk, ss_ticket_number)``, a three-
column inventory key), natural keys with non-id names (``countries.iso3``, ``ship_mode.sm_code``), a partially
covered FK (returns of customers since deleted), nullable FKs, and decoys: measures and ids without a table whose
values happen to fall inside some key's range (quantities 1..100, dependant counts 0..6, employees 200..300, a
manufacturer id 1..400 with no manufacturer table, years). Deterministic: DuckDB's ``setseed`` + ``random()``.

``FOREIGN_KEYS`` and ``COMPOSITE_FOREIGN_KEYS`` are the truth; ``DECOYS`` must never become foreign keys.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

FOREIGN_KEYS = {  # (child, column) -> (parent, key column)
    ("customer", "c_current_addr_sk"): ("customer_address", "ca_address_sk"),
    ("customer", "c_current_cdemo_sk"): ("customer_demographics", "cd_demo_sk"),
    ("customer", "c_first_sales_date_sk"): ("date_dim", "d_date_sk"),
    ("customer_address", "ca_country_code"): ("countries", "iso3"),
    ("promotion", "p_item_sk"): ("item", "i_item_sk"),
    ("promotion", "p_start_date_sk"): ("date_dim", "d_date_sk"),
    ("store", "s_address_sk"): ("customer_address", "ca_address_sk"),
    ("store_sales", "ss_sold_date_sk"): ("date_dim", "d_date_sk"),
    ("store_sales", "ss_sold_time_sk"): ("time_dim", "t_time_sk"),
    ("store_sales", "ss_item_sk"): ("item", "i_item_sk"),
    ("store_sales", "ss_customer_sk"): ("customer", "c_customer_sk"),
    ("store_sales", "ss_store_sk"): ("store", "s_store_sk"),
    ("store_sales", "ss_promo_sk"): ("promotion", "p_promo_sk"),
    ("store_returns", "sr_returned_date_sk"): ("date_dim", "d_date_sk"),
    ("store_returns", "sr_item_sk"): ("item", "i_item_sk"),
    ("store_returns", "sr_customer_sk"): ("customer", "c_customer_sk"),
    ("web_sales", "ws_sold_date_sk"): ("date_dim", "d_date_sk"),
    ("web_sales", "ws_ship_date_sk"): ("date_dim", "d_date_sk"),
    ("web_sales", "ws_item_sk"): ("item", "i_item_sk"),
    ("web_sales", "ws_bill_customer_sk"): ("customer", "c_customer_sk"),
    ("web_sales", "ws_ship_customer_sk"): ("customer", "c_customer_sk"),
    ("web_sales", "ws_warehouse_sk"): ("warehouse", "w_warehouse_sk"),
    ("web_sales", "ws_ship_mode_sk"): ("ship_mode", "sm_ship_mode_sk"),
    ("web_sales", "ws_carrier"): ("ship_mode", "sm_code"),
    ("inventory", "inv_date_sk"): ("date_dim", "d_date_sk"),
    ("inventory", "inv_item_sk"): ("item", "i_item_sk"),
    ("inventory", "inv_warehouse_sk"): ("warehouse", "w_warehouse_sk"),
}
COMPOSITE_FOREIGN_KEYS = {  # (child, columns) -> (parent, key columns)
    ("store_returns", ("sr_item_sk", "sr_ticket_number")): ("store_sales", ("ss_item_sk", "ss_ticket_number")),
}
PRIMARY_KEYS = {"date_dim": "d_date_sk", "time_dim": "t_time_sk", "item": "i_item_sk", "customer": "c_customer_sk",
                "customer_address": "ca_address_sk", "customer_demographics": "cd_demo_sk", "store": "s_store_sk",
                "promotion": "p_promo_sk", "warehouse": "w_warehouse_sk", "ship_mode": "sm_ship_mode_sk",
                "countries": "iso3"}
COMPOSITE_KEYS = {"store_sales": ("ss_item_sk", "ss_ticket_number"), "web_sales": ("ws_item_sk", "ws_order_number"),
                  "inventory": ("inv_date_sk", "inv_item_sk", "inv_warehouse_sk"),
                  "store_returns": ("sr_item_sk", "sr_ticket_number")}
DECOYS = {("store_sales", "ss_quantity"), ("store_returns", "sr_return_quantity"), ("web_sales", "ws_quantity"),
          ("customer_demographics", "cd_dep_count"), ("store", "s_number_employees"), ("item", "i_manufact_id"),
          ("date_dim", "d_year"), ("date_dim", "d_dom"), ("inventory", "inv_quantity_on_hand"),
          ("customer", "c_birth_year"), ("time_dim", "t_hour")}
WIDE_FOREIGN_KEYS = {  # what build(wide=True) adds: nine more tables, and measures/attributes to ~400 columns
    ("household_demographics", "hd_income_band_sk"): ("income_band", "ib_income_band_sk"),
    ("customer", "c_current_hdemo_sk"): ("household_demographics", "hd_demo_sk"),
    ("catalog_page", "cp_start_date_sk"): ("date_dim", "d_date_sk"),
    ("web_page", "wp_creation_date_sk"): ("date_dim", "d_date_sk"),
    ("catalog_sales", "cs_sold_date_sk"): ("date_dim", "d_date_sk"),
    ("catalog_sales", "cs_ship_date_sk"): ("date_dim", "d_date_sk"),
    ("catalog_sales", "cs_bill_customer_sk"): ("customer", "c_customer_sk"),
    ("catalog_sales", "cs_item_sk"): ("item", "i_item_sk"),
    ("catalog_sales", "cs_call_center_sk"): ("call_center", "cc_call_center_sk"),
    ("catalog_sales", "cs_catalog_page_sk"): ("catalog_page", "cp_catalog_page_sk"),
    ("catalog_sales", "cs_web_site_sk"): ("web_site", "web_site_sk"),
    ("catalog_returns", "cr_returned_date_sk"): ("date_dim", "d_date_sk"),
    ("catalog_returns", "cr_item_sk"): ("item", "i_item_sk"),
    ("catalog_returns", "cr_reason_sk"): ("reason", "r_reason_sk"),
    ("web_sales", "ws_web_page_sk"): ("web_page", "wp_web_page_sk"),
}
ORPHAN_CUSTOMERS = 0.03  # share of store_returns rows whose customer was deleted (a partially covered FK)


def build(out: Path, *, scale: float = 1.0, seed: float = 0.42, wide: bool = False) -> Path:
    """Write the warehouse's parquet files into ``out`` (``scale`` 1: ~160k fact rows). ``wide`` adds nine
    tables (``WIDE_FOREIGN_KEYS``) and measure/attribute columns, to 24 tables and ~400 columns (the benchmark)."""
    out.mkdir(parents=True, exist_ok=True)
    n = {k: max(int(v * scale), 1) for k, v in {
        "item": 2000, "customer": 5000, "address": 2500, "demo": 1000, "promo": 60, "sales": 60_000,
        "web": 40_000, "inv_items": 300}.items()}
    con = duckdb.connect()
    con.execute("SET threads = 1")  # random() after setseed repeats only on one thread
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SELECT setseed({seed})")
    q = con.execute
    q("""CREATE TABLE date_dim AS SELECT 2415022 + i AS d_date_sk, DATE '1900-01-02' + i::INT AS d_date,
         'AAAA' || lpad(i::VARCHAR, 8, '0') AS d_date_id,
         year(DATE '1900-01-02' + i::INT) AS d_year, month(DATE '1900-01-02' + i::INT) AS d_moy,
         day(DATE '1900-01-02' + i::INT) AS d_dom FROM range(73049) t(i)""")
    q("""CREATE TABLE time_dim AS SELECT i AS t_time_sk, i // 3600 AS t_hour, (i // 60) % 60 AS t_minute,
         CASE WHEN i // 3600 < 12 THEN 'AM' ELSE 'PM' END AS t_am_pm FROM range(86400) t(i)""")
    q("""CREATE TABLE countries AS SELECT * FROM (VALUES ('USA', 'United States'), ('CAN', 'Canada'),
         ('MEX', 'Mexico'), ('DEU', 'Germany'), ('FRA', 'France'), ('GBR', 'United Kingdom'), ('JPN', 'Japan'),
         ('BRA', 'Brazil'), ('IND', 'India'), ('AUS', 'Australia'), ('ESP', 'Spain'), ('ITA', 'Italy'))
         t(iso3, country_name)""")
    q(f"""CREATE TABLE customer_address AS SELECT i + 1 AS ca_address_sk,
         'AAAAAAAA' || lpad((i + 1)::VARCHAR, 8, '0') AS ca_address_id,
         (random() * 900 + 1)::INT || ' Main St' AS ca_street,
         ['TX', 'CA', 'NY', 'GA', 'WA', 'OH'][(random() * 5)::INT + 1] AS ca_state,
         (SELECT list(iso3) FROM countries)[(random() * 11)::INT + 1] AS ca_country_code,
         round(random() * 10 - 5, 2) AS ca_gmt_offset FROM range({n['address']}) t(i)""")
    q(f"""CREATE TABLE customer_demographics AS SELECT i + 1 AS cd_demo_sk, ['M', 'F'][i % 2 + 1] AS cd_gender,
         ['S', 'M', 'D', 'W'][(i // 2) % 4 + 1] AS cd_marital_status, (i // 8) % 7 AS cd_dep_count,
         ['Good', 'Low Risk', 'High Risk'][(i // 56) % 3 + 1] AS cd_credit_rating FROM range({n['demo']}) t(i)""")
    q(f"""CREATE TABLE item AS SELECT i + 1 AS i_item_sk, 'ITEM' || lpad((i + 1)::VARCHAR, 12, '0') AS i_item_id,
         round(random() * 99 + 1, 2) AS i_current_price, (random() * 399 + 1)::INT AS i_manufact_id,
         ['Books', 'Music', 'Home', 'Sports', 'Shoes', 'Jewelry'][(random() * 5)::INT + 1] AS i_category
         FROM range({n['item']}) t(i)""")
    q(f"""CREATE TABLE customer AS SELECT i + 1 AS c_customer_sk,
         'CUST' || lpad((i + 1)::VARCHAR, 10, '0') AS c_customer_id,
         CASE WHEN random() < 0.03 THEN NULL ELSE (random() * ({n['address']} - 1))::INT + 1 END AS c_current_addr_sk,
         (random() * ({n['demo']} - 1))::INT + 1 AS c_current_cdemo_sk,
         CASE WHEN random() < 0.05 THEN NULL ELSE 2450815 + (random() * 1800)::INT END AS c_first_sales_date_sk,
         1930 + (random() * 70)::INT AS c_birth_year,
         'user' || i || '@example.com' AS c_email_address FROM range({n['customer']}) t(i)""")
    q(f"""CREATE TABLE store AS SELECT i + 1 AS s_store_sk, 'STORE' || lpad((i + 1)::VARCHAR, 4, '0') AS s_store_id,
         200 + (random() * 100)::INT AS s_number_employees, (random() * ({n['address']} - 1))::INT + 1 AS s_address_sk,
         ['Unknown', 'able', 'ation', 'bar', 'ese', 'ought'][i % 6 + 1] AS s_store_name FROM range(12) t(i)""")
    q(f"""CREATE TABLE promotion AS SELECT i + 1 AS p_promo_sk, 'PROMO' || lpad((i + 1)::VARCHAR, 6, '0') AS p_promo_id,
         (random() * ({n['item']} - 1))::INT + 1 AS p_item_sk, 2450815 + (random() * 1700)::INT AS p_start_date_sk,
         round(random() * 1000, 2) AS p_cost FROM range({n['promo']}) t(i)""")
    q("""CREATE TABLE warehouse AS SELECT i + 1 AS w_warehouse_sk, 'WH' || (i + 1) AS w_warehouse_name,
         50000 + (random() * 900000)::INT AS w_warehouse_sq_ft FROM range(5) t(i)""")
    q("""CREATE TABLE ship_mode AS SELECT i + 1 AS sm_ship_mode_sk,
         ['UPS', 'FEDEX', 'DHL', 'USPS', 'TBS', 'ZHOU', 'LATVIAN', 'ALLIANCE', 'ORIENTAL', 'BARIAN', 'BOXBUNDLES',
          'DIAMOND', 'GERMA', 'GREAT EASTERN', 'HARMSTORF', 'MSC', 'PRIVATECARRIER', 'RUPEKSA', 'GAMMA', 'AIRBORNE'
         ][i + 1] AS sm_code,
         ['EXPRESS', 'OVERNIGHT', 'REGULAR', 'TWO DAY', 'LIBRARY', 'NEXT DAY'][i % 6 + 1] AS sm_type
         FROM range(20) t(i)""")
    # facts: baskets (ticket numbers) of 1-8 distinct items; nullable customer and promotion
    q(f"""CREATE TABLE store_sales AS
         WITH tickets AS (SELECT t + 1 AS ticket, 1 + (random() * 7)::INT AS lines,
                                 2450815 + (random() * 1800)::INT AS day, (random() * 86399)::INT AS sec,
                                 CASE WHEN random() < 0.02 THEN NULL ELSE (random() * ({n['customer']} - 1))::INT + 1 END AS cust,
                                 (random() * 11)::INT + 1 AS store
                          FROM range({n['sales'] // 4}) r(t)),
              lines AS (SELECT ticket, day, sec, cust, store, unnest(range(lines)) AS k FROM tickets)
         SELECT day AS ss_sold_date_sk, sec AS ss_sold_time_sk,
                ((ticket * 7919 + k * 104729) % {n['item']}) + 1 AS ss_item_sk, cust AS ss_customer_sk,
                store AS ss_store_sk,
                CASE WHEN random() < 0.7 THEN NULL ELSE (random() * ({n['promo']} - 1))::INT + 1 END AS ss_promo_sk,
                ticket AS ss_ticket_number, 1 + (random() * 99)::INT AS ss_quantity,
                round(random() * 200, 2) AS ss_sales_price, round(random() * 200 - 80, 2) AS ss_net_profit
         FROM lines""")
    q(f"""CREATE TABLE store_returns AS
         SELECT LEAST(ss_sold_date_sk + 1 + (random() * 60)::INT, 2452700) AS sr_returned_date_sk,
                ss_item_sk AS sr_item_sk,
                CASE WHEN random() < {ORPHAN_CUSTOMERS} THEN {n['customer']} + 1 + (random() * 500)::INT
                     ELSE ss_customer_sk END AS sr_customer_sk,
                ss_ticket_number AS sr_ticket_number, 1 + (random() * 99)::INT AS sr_return_quantity,
                round(ss_sales_price * 0.9, 2) AS sr_return_amt
         FROM store_sales WHERE random() < 0.1""")
    q(f"""CREATE TABLE web_sales AS
         WITH orders AS (SELECT o + 1 AS ord, 1 + (random() * 5)::INT AS lines,
                                2450815 + (random() * 1800)::INT AS day,
                                (random() * ({n['customer']} - 1))::INT + 1 AS bill,
                                (random() * 19)::INT + 1 AS mode FROM range({n['web'] // 3}) r(o)),
              lines AS (SELECT ord, day, bill, mode, unnest(range(lines)) AS k FROM orders)
         SELECT day AS ws_sold_date_sk, day + 1 + (random() * 10)::INT AS ws_ship_date_sk,
                ((ord * 6007 + k * 15485863) % {n['item']}) + 1 AS ws_item_sk, bill AS ws_bill_customer_sk,
                CASE WHEN random() < 0.8 THEN bill ELSE (random() * ({n['customer']} - 1))::INT + 1 END
                    AS ws_ship_customer_sk,
                (random() * 4)::INT + 1 AS ws_warehouse_sk, mode AS ws_ship_mode_sk,
                (SELECT list(sm_code ORDER BY sm_ship_mode_sk) FROM ship_mode)[mode] AS ws_carrier,
                ord AS ws_order_number, 1 + (random() * 99)::INT AS ws_quantity,
                round(random() * 300, 2) AS ws_sales_price FROM lines""")
    q(f"""CREATE TABLE inventory AS
         SELECT 2450815 + w * 7 AS inv_date_sk, i + 1 AS inv_item_sk, h + 1 AS inv_warehouse_sk,
                (random() * 1000)::INT AS inv_quantity_on_hand
         FROM range(40) a(w), range({n['inv_items']}) b(i), range(5) c(h)""")
    if wide:
        _widen(con, n)
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
        con.execute(f"COPY {table} TO '{out / (table + '.parquet')}' (FORMAT parquet)")
    con.close()
    return out


def _widen(con: duckdb.DuckDBPyConnection, n: dict[str, int]) -> None:
    q = con.execute
    q("""CREATE TABLE income_band AS SELECT i + 1 AS ib_income_band_sk, i * 10000 AS ib_lower_bound,
         i * 10000 + 9999 AS ib_upper_bound FROM range(20) t(i)""")
    q("""CREATE TABLE household_demographics AS SELECT i + 1 AS hd_demo_sk, (i % 20) + 1 AS hd_income_band_sk,
         ['0-500', '501-1000', '1001-5000', '>10000', 'Unknown'][i % 5 + 1] AS hd_buy_potential,
         i % 10 AS hd_dep_count, i % 5 AS hd_vehicle_count FROM range(7200) t(i)""")
    q("""CREATE OR REPLACE TABLE customer AS SELECT *, (random() * 7199)::INT + 1 AS c_current_hdemo_sk
         FROM customer""")
    q("""CREATE TABLE reason AS SELECT i + 1 AS r_reason_sk, 'reason ' || (i + 1) AS r_reason_desc
         FROM range(35) t(i)""")
    q("""CREATE TABLE call_center AS SELECT i + 1 AS cc_call_center_sk, 'CC' || (i + 1) AS cc_name,
         (random() * 50000)::INT AS cc_employees, (random() * 100000)::INT AS cc_sq_ft FROM range(6) t(i)""")
    q("""CREATE TABLE catalog_page AS SELECT i + 1 AS cp_catalog_page_sk, 'PAGE' || lpad((i + 1)::VARCHAR, 8, '0')
         AS cp_catalog_page_id, 2450815 + (random() * 1700)::INT AS cp_start_date_sk, (i % 108) + 1 AS cp_page_number
         FROM range(11718) t(i)""")
    q("""CREATE TABLE web_page AS SELECT i + 1 AS wp_web_page_sk, 2450815 + (random() * 1700)::INT AS wp_creation_date_sk,
         (random() * 100)::INT AS wp_link_count FROM range(60) t(i)""")
    q("""CREATE TABLE web_site AS SELECT i + 1 AS web_site_sk, 'site_' || i AS web_name,
         ['Unknown', 'pri', 'able', 'ese'][i % 4 + 1] AS web_class FROM range(30) t(i)""")
    q("""CREATE OR REPLACE TABLE web_sales AS SELECT *, (random() * 59)::INT + 1 AS ws_web_page_sk FROM web_sales""")
    q(f"""CREATE TABLE catalog_sales AS
         WITH orders AS (SELECT o + 1 AS ord, 1 + (random() * 5)::INT AS lines, 2450815 + (random() * 1800)::INT AS day,
                                (random() * ({n['customer']} - 1))::INT + 1 AS bill FROM range({n['web'] // 3}) r(o)),
              lines AS (SELECT ord, day, bill, unnest(range(lines)) AS k FROM orders)
         SELECT day AS cs_sold_date_sk, day + 2 + (random() * 20)::INT AS cs_ship_date_sk, bill AS cs_bill_customer_sk,
                ((ord * 4999 + k * 7919) % {n['item']}) + 1 AS cs_item_sk, (random() * 5)::INT + 1 AS cs_call_center_sk,
                (random() * 11717)::INT + 1 AS cs_catalog_page_sk, (random() * 29)::INT + 1 AS cs_web_site_sk,
                ord AS cs_order_number, 1 + (random() * 99)::INT AS cs_quantity,
                round(random() * 250, 2) AS cs_sales_price FROM lines""")
    q("""CREATE TABLE catalog_returns AS SELECT LEAST(cs_sold_date_sk + 5 + (random() * 60)::INT, 2452700)
         AS cr_returned_date_sk, cs_item_sk AS cr_item_sk, cs_order_number AS cr_order_number,
         (random() * 34)::INT + 1 AS cr_reason_sk, round(cs_sales_price * 0.8, 2) AS cr_return_amount
         FROM catalog_sales WHERE random() < 0.08""")
    # measures and attributes, as wide as a real warehouse: amounts on facts, descriptive text on dimensions
    for table, prefix, count in (("store_sales", "ss", 60), ("web_sales", "ws", 60), ("catalog_sales", "cs", 60),
                                 ("store_returns", "sr", 25), ("catalog_returns", "cr", 25), ("inventory", "inv", 10)):
        cols = ", ".join(f"round(random() * {10 + i * 7}, 2) AS {prefix}_ext_measure_{i:02d}" for i in range(count))
        q(f"CREATE OR REPLACE TABLE {table} AS SELECT *, {cols} FROM {table}")
    for table, prefix, count in (("item", "i", 12), ("customer", "c", 8), ("store", "s", 10), ("date_dim", "d", 8),
                                 ("customer_address", "ca", 6), ("promotion", "p", 6)):
        cols = ", ".join(f"'{prefix}' || (hash(rowid + {i}) % 97)::VARCHAR AS {prefix}_attr_{i:02d}" for i in range(count))
        q(f"CREATE OR REPLACE TABLE {table} AS SELECT *, {cols} FROM {table}")


if __name__ == "__main__":  # python examples/warehouse/build_warehouse.py OUT_DIR [SCALE]
    import sys

    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python build_warehouse.py OUT_DIR [SCALE]")
    target = Path(sys.argv[1])
    if target.exists():
        sys.exit(f"{target} already exists")
    build(target, scale=float(sys.argv[2]) if len(sys.argv) == 3 else 1.0)
    print(f"wrote {len(list(target.glob('*.parquet')))} tables to {target}")
