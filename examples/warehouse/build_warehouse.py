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
ORPHAN_CUSTOMERS = 0.03  # share of store_returns rows whose customer was deleted (a partially covered FK)


def build(out: Path, *, scale: float = 1.0, seed: float = 0.42) -> Path:
    """Write the warehouse's parquet files into ``out`` (``scale`` 1: ~160k fact rows)."""
    out.mkdir(parents=True, exist_ok=True)
    n = {k: max(int(v * scale), 1) for k, v in {
        "item": 2000, "customer": 5000, "address": 2500, "demo": 1000, "promo": 60, "sales": 60_000,
        "web": 40_000, "inv_items": 300}.items()}
    con = duckdb.connect()
    con.execute("SET threads = 1")  # random() after setseed repeats only on one thread
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
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
        con.execute(f"COPY {table} TO '{out / (table + '.parquet')}' (FORMAT parquet)")
    con.close()
    return out


if __name__ == "__main__":  # python examples/warehouse/build_warehouse.py OUT_DIR [SCALE]
    import sys

    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python build_warehouse.py OUT_DIR [SCALE]")
    target = Path(sys.argv[1])
    if target.exists():
        sys.exit(f"{target} already exists")
    build(target, scale=float(sys.argv[2]) if len(sys.argv) == 3 else 1.0)
    print(f"wrote {len(list(target.glob('*.parquet')))} tables to {target}")
