"""A small TPC-H-shaped dataset built in code (DuckDB's tpch extension cannot be downloaded here).

The eight tables keep TPC-H's column names, key structure and value rules: sparse order keys, 1–7 line items per
order numbered from 1, four suppliers per part in ``partsupp``, line items whose ``(l_partkey, l_suppkey)`` is a
``partsupp`` row, ``l_extendedprice = l_quantity × p_retailprice``, ``o_totalprice`` = Σ extendedprice ×
(1 − discount) × (1 + tax), ship/commit/receipt dates after the order date, account balances from −999.99 to
9999.99. Deterministic (seeded ``random.Random``).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

REGIONS = ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"]
NATIONS = [("ALGERIA", 0), ("ARGENTINA", 1), ("BRAZIL", 1), ("CANADA", 1), ("EGYPT", 4), ("ETHIOPIA", 0),
           ("FRANCE", 3), ("GERMANY", 3), ("INDIA", 2), ("INDONESIA", 2), ("IRAN", 4), ("IRAQ", 4), ("JAPAN", 2),
           ("JORDAN", 4), ("KENYA", 0), ("MOROCCO", 0), ("MOZAMBIQUE", 0), ("PERU", 1), ("CHINA", 2),
           ("ROMANIA", 3), ("SAUDI ARABIA", 4), ("VIETNAM", 2), ("RUSSIA", 3), ("UNITED KINGDOM", 3),
           ("UNITED STATES", 1)]
SEGMENTS = ["AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"]
PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]
SHIPMODES = ["AIR", "FOB", "MAIL", "RAIL", "REG AIR", "SHIP", "TRUCK"]
INSTRUCT = ["COLLECT COD", "DELIVER IN PERSON", "NONE", "TAKE BACK RETURN"]
CONTAINERS = ["SM CASE", "SM BOX", "MED BAG", "MED BOX", "LG CASE", "LG BOX", "JUMBO PKG", "WRAP DRUM"]
TYPES = ["STANDARD ANODIZED TIN", "SMALL PLATED COPPER", "MEDIUM BRUSHED STEEL", "LARGE POLISHED BRASS",
         "ECONOMY BURNISHED NICKEL", "PROMO PLATED STEEL"]
WORDS = ["furiously", "quickly", "carefully", "blithely", "regular", "express", "final", "pending", "ideas",
         "deposits", "requests", "accounts", "packages", "theodolites", "pinto", "beans", "foxes", "asymptotes"]
START, END = dt.date(1992, 1, 1), dt.date(1998, 8, 2)
FOREIGN_KEYS = {  # (child, column) -> (parent, column): every true single-column FK of TPC-H
    ("nation", "n_regionkey"): ("region", "r_regionkey"),
    ("supplier", "s_nationkey"): ("nation", "n_nationkey"),
    ("customer", "c_nationkey"): ("nation", "n_nationkey"),
    ("orders", "o_custkey"): ("customer", "c_custkey"),
    ("lineitem", "l_orderkey"): ("orders", "o_orderkey"),
    ("lineitem", "l_partkey"): ("part", "p_partkey"),
    ("lineitem", "l_suppkey"): ("supplier", "s_suppkey"),
    ("partsupp", "ps_partkey"): ("part", "p_partkey"),
    ("partsupp", "ps_suppkey"): ("supplier", "s_suppkey"),
}
PRIMARY_KEYS = {"region": "r_regionkey", "nation": "n_nationkey", "supplier": "s_suppkey", "customer": "c_custkey",
                "part": "p_partkey", "orders": "o_orderkey"}
COMPOSITE_KEYS = {"lineitem": ("l_orderkey", "l_linenumber"), "partsupp": ("ps_partkey", "ps_suppkey")}


def _comment(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))


def _phone(rng: random.Random, nation: int) -> str:
    return f"{nation + 10}-{rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"


def tables(orders: int = 10_000, seed: int = 1) -> dict[str, dict[str, list]]:
    """Column lists per table (scale: ``orders`` orders, 150 customers and 200 parts per 1000 orders)."""
    rng = random.Random(seed)
    n_cust, n_part, n_supp = orders * 15 // 100, orders // 5, max(orders // 100, 10)
    t: dict[str, dict[str, list]] = {
        "region": {"r_regionkey": list(range(5)), "r_name": REGIONS, "r_comment": [_comment(rng) for _ in REGIONS]},
        "nation": {"n_nationkey": list(range(25)), "n_name": [n for n, _ in NATIONS],
                   "n_regionkey": [r for _, r in NATIONS], "n_comment": [_comment(rng) for _ in NATIONS]},
    }
    s_nation = [rng.randrange(25) for _ in range(n_supp)]
    t["supplier"] = {"s_suppkey": list(range(1, n_supp + 1)), "s_name": [f"Supplier#{i:09d}" for i in range(1, n_supp + 1)],
                     "s_address": [f"{rng.randint(1, 999)} {rng.choice(WORDS)} st" for _ in range(n_supp)],
                     "s_nationkey": s_nation, "s_phone": [_phone(rng, n) for n in s_nation],
                     "s_acctbal": [round(rng.uniform(-999.99, 9999.99), 2) for _ in range(n_supp)],
                     "s_comment": [_comment(rng) for _ in range(n_supp)]}
    c_nation = [rng.randrange(25) for _ in range(n_cust)]
    t["customer"] = {"c_custkey": list(range(1, n_cust + 1)), "c_name": [f"Customer#{i:09d}" for i in range(1, n_cust + 1)],
                     "c_address": [f"{rng.randint(1, 999)} {rng.choice(WORDS)} ave" for _ in range(n_cust)],
                     "c_nationkey": c_nation, "c_phone": [_phone(rng, n) for n in c_nation],
                     "c_acctbal": [round(rng.uniform(-999.99, 9999.99), 2) for _ in range(n_cust)],
                     "c_mktsegment": [rng.choice(SEGMENTS) for _ in range(n_cust)],
                     "c_comment": [_comment(rng) for _ in range(n_cust)]}
    retail = [round((90000 + (k // 10) % 20001 + 100 * (k % 1000)) / 100, 2) for k in range(1, n_part + 1)]
    t["part"] = {"p_partkey": list(range(1, n_part + 1)),
                 "p_name": [" ".join(rng.sample(WORDS, 4)) for _ in range(n_part)],
                 "p_mfgr": [f"Manufacturer#{rng.randint(1, 5)}" for _ in range(n_part)],
                 "p_brand": [f"Brand#{rng.randint(1, 5)}{rng.randint(1, 5)}" for _ in range(n_part)],
                 "p_type": [rng.choice(TYPES) for _ in range(n_part)], "p_size": [rng.randint(1, 50) for _ in range(n_part)],
                 "p_container": [rng.choice(CONTAINERS) for _ in range(n_part)], "p_retailprice": retail,
                 "p_comment": [_comment(rng) for _ in range(n_part)]}
    suppliers_of = {p: [(p + i * (n_supp // 4 + (p - 1) // n_supp)) % n_supp + 1 for i in range(4)]
                    for p in range(1, n_part + 1)}
    ps = [(p, s) for p in range(1, n_part + 1) for s in suppliers_of[p]]
    t["partsupp"] = {"ps_partkey": [p for p, _ in ps], "ps_suppkey": [s for _, s in ps],
                     "ps_availqty": [rng.randint(1, 9999) for _ in ps],
                     "ps_supplycost": [round(rng.uniform(1.0, 1000.0), 2) for _ in ps],
                     "ps_comment": [_comment(rng) for _ in ps]}
    o: dict[str, list] = {k: [] for k in ("o_orderkey", "o_custkey", "o_orderstatus", "o_totalprice", "o_orderdate",
                                          "o_orderpriority", "o_clerk", "o_shippriority", "o_comment")}
    li: dict[str, list] = {k: [] for k in ("l_orderkey", "l_partkey", "l_suppkey", "l_linenumber", "l_quantity",
                                           "l_extendedprice", "l_discount", "l_tax", "l_returnflag", "l_linestatus",
                                           "l_shipdate", "l_commitdate", "l_receiptdate", "l_shipinstruct",
                                           "l_shipmode", "l_comment")}
    span = (END - START).days - 151
    for i in range(orders):
        key = (i // 8) * 32 + i % 8 + 1  # TPC-H: 8 of every 32 keys are used
        ordered = START + dt.timedelta(days=rng.randrange(span))
        total, statuses = 0.0, []
        for line in range(1, rng.randint(1, 7) + 1):
            part = rng.randint(1, n_part)
            qty = rng.randint(1, 50)
            price = round(qty * retail[part - 1], 2)
            disc, tax = rng.randint(0, 10) / 100, rng.randint(0, 8) / 100
            ship = ordered + dt.timedelta(days=rng.randint(1, 121))
            receipt = ship + dt.timedelta(days=rng.randint(1, 30))
            status = "F" if ship <= dt.date(1995, 6, 17) else "O"
            statuses.append(status)
            for k, v in (("l_orderkey", key), ("l_partkey", part), ("l_suppkey", rng.choice(suppliers_of[part])),
                         ("l_linenumber", line), ("l_quantity", float(qty)), ("l_extendedprice", price),
                         ("l_discount", disc), ("l_tax", tax),
                         ("l_returnflag", rng.choice("RA") if receipt <= dt.date(1995, 6, 17) else "N"),
                         ("l_linestatus", status), ("l_shipdate", ship),
                         ("l_commitdate", ordered + dt.timedelta(days=rng.randint(30, 90))), ("l_receiptdate", receipt),
                         ("l_shipinstruct", rng.choice(INSTRUCT)), ("l_shipmode", rng.choice(SHIPMODES)),
                         ("l_comment", _comment(rng))):
                li[k].append(v)
            total += price * (1 - disc) * (1 + tax)
        cust = rng.randint(1, n_cust)
        while cust % 3 == 0:  # TPC-H: a third of the customers never order
            cust = rng.randint(1, n_cust)
        for k, v in (("o_orderkey", key), ("o_custkey", cust),
                     ("o_orderstatus", "F" if set(statuses) == {"F"} else "O" if set(statuses) == {"O"} else "P"),
                     ("o_totalprice", round(total, 2)), ("o_orderdate", ordered),
                     ("o_orderpriority", rng.choice(PRIORITIES)), ("o_clerk", f"Clerk#{rng.randint(1, 1000):09d}"),
                     ("o_shippriority", 0), ("o_comment", _comment(rng))):
            o[k].append(v)
    t["orders"], t["lineitem"] = o, li
    return t


def write(directory: Path, data: dict[str, dict[str, list]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    decimal = pa.decimal128(15, 2)
    for name, cols in data.items():
        arrays = {}
        for col, values in cols.items():
            if col.endswith(("acctbal", "price", "cost")) and values and isinstance(values[0], float):
                arrays[col] = pa.array(values, type=pa.float64()).cast(decimal)
            else:
                arrays[col] = pa.array(values)
        pq.write_table(pa.table(arrays), directory / f"{name}.parquet")
    return directory
