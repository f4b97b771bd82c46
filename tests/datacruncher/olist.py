"""An Olist-shaped dataset built in code (the public Brazilian e-commerce dataset cannot be downloaded here).

Olist's files keep their names (``olist_orders_dataset`` …, ``product_category_name_translation``) and its
rules: 32-character hex string ids, a fresh ``customer_id`` per order with the person behind it in
``customer_unique_id``, order items numbered 1..n within an order (key (order_id, order_item_id)), payments
numbered by ``payment_sequential`` (vouchers split a payment), review scores 1–5 with mostly empty comments,
``order_purchase_timestamp`` ≤ ``order_approved_at`` ≤ ``order_delivered_carrier_date`` ≤
``order_delivered_customer_date`` with the later ones NULL for orders not yet approved, shipped or delivered,
estimated delivery dates at midnight, ``shipping_limit_date`` a few days after purchase, and a geolocation table
keyed by zip code prefix that is *not* unique (many points per prefix): no key, so nothing references it.
Sizes are scaled down (5,000 orders) from the real 99,441. Deterministic (seeded ``random.Random``).
"""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from .public_shapes import Table, table

FOREIGN_KEYS = {  # (child, column) -> (parent, column): every single-column FK of Olist's data schema
    ("olist_orders_dataset", "customer_id"): ("olist_customers_dataset", "customer_id"),
    ("olist_order_items_dataset", "order_id"): ("olist_orders_dataset", "order_id"),
    ("olist_order_items_dataset", "product_id"): ("olist_products_dataset", "product_id"),
    ("olist_order_items_dataset", "seller_id"): ("olist_sellers_dataset", "seller_id"),
    ("olist_order_payments_dataset", "order_id"): ("olist_orders_dataset", "order_id"),
    ("olist_order_reviews_dataset", "order_id"): ("olist_orders_dataset", "order_id"),
    ("olist_products_dataset", "product_category_name"):
        ("product_category_name_translation", "product_category_name"),
}
PRIMARY_KEYS = {"olist_customers_dataset": "customer_id", "olist_orders_dataset": "order_id",
                "olist_products_dataset": "product_id", "olist_sellers_dataset": "seller_id",
                "olist_order_reviews_dataset": "review_id",
                "product_category_name_translation": "product_category_name"}
COMPOSITE_KEYS = {"olist_order_items_dataset": ("order_id", "order_item_id"),
                  "olist_order_payments_dataset": ("order_id", "payment_sequential")}

STATES = [("SP", 42), ("RJ", 13), ("MG", 12), ("RS", 5), ("PR", 5), ("SC", 4), ("BA", 3), ("DF", 2), ("ES", 2),
          ("GO", 2), ("PE", 2), ("CE", 1), ("PA", 1), ("MT", 1), ("MA", 1), ("MS", 1), ("PB", 1), ("RN", 1)]
CITIES = {"SP": ["sao paulo", "campinas", "guarulhos", "santo andre", "osasco"], "RJ": ["rio de janeiro", "niteroi"],
          "MG": ["belo horizonte", "uberlandia", "contagem"], "RS": ["porto alegre", "caxias do sul"],
          "PR": ["curitiba", "londrina"], "SC": ["florianopolis", "joinville"], "BA": ["salvador"],
          "DF": ["brasilia"]}
CATEGORIES = [("cama_mesa_banho", "bed_bath_table"), ("beleza_saude", "health_beauty"),
              ("esporte_lazer", "sports_leisure"), ("moveis_decoracao", "furniture_decor"),
              ("informatica_acessorios", "computers_accessories"), ("utilidades_domesticas", "housewares"),
              ("relogios_presentes", "watches_gifts"), ("telefonia", "telephony"),
              ("ferramentas_jardim", "garden_tools"), ("automotivo", "auto"), ("brinquedos", "toys"),
              ("cool_stuff", "cool_stuff"), ("perfumaria", "perfumery"), ("bebes", "baby"),
              ("eletronicos", "electronics"), ("papelaria", "stationery"), ("fashion_bolsas_e_acessorios",
                                                                            "fashion_bags_accessories"),
              ("pet_shop", "pet_shop"), ("moveis_escritorio", "office_furniture"), ("consoles_games",
                                                                                    "consoles_games")]
STATUSES = [("delivered", 0.97), ("shipped", 0.011), ("canceled", 0.006), ("unavailable", 0.006),
            ("invoiced", 0.003), ("processing", 0.003), ("approved", 0.001)]
PAYMENT_TYPES = [("credit_card", 0.74), ("boleto", 0.19), ("voucher", 0.055), ("debit_card", 0.015)]
START, END = dt.datetime(2017, 1, 5), dt.datetime(2018, 8, 29)
WEEKDAYS = [16.3, 16.2, 15.6, 14.9, 14.2, 10.9, 12.0]  # % of orders, Monday first
HOURS = [2.4, 1.2, 0.5, 0.3, 0.2, 0.2, 0.5, 1.2, 3.0, 4.8, 6.2, 6.6, 6.0, 6.5, 6.7, 6.4, 6.3, 5.9, 5.8, 5.9, 6.2,
         6.1, 5.8, 4.6]


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _zip(rng: random.Random, state: str) -> int:
    base = {"SP": 1000, "RJ": 20000, "MG": 30000, "RS": 90000, "PR": 80000, "SC": 88000, "BA": 40000}.get(state, 60000)
    return base + rng.randrange(9000)


def _purchase(rng: random.Random, span: int) -> dt.datetime:
    """Volume grows over time (the real monthly volume roughly triples from early 2017 to 2018), Mondays are
    busiest and Saturdays quietest, few orders are placed at night."""
    while True:
        day = START + dt.timedelta(days=int(span * rng.random() ** 0.7) // 86400)
        if rng.random() < WEEKDAYS[day.weekday()] / max(WEEKDAYS):
            hour = rng.choices(range(24), HOURS)[0]
            return day + dt.timedelta(hours=hour, seconds=rng.randrange(3600))


def tables(orders: int = 5000, seed: int = 1) -> dict[str, Table]:
    """Every Olist table as columns (name → (arrow type, values)); ``orders`` orders."""
    rng = random.Random(seed)
    ts, t = pa.timestamp("us"), {}
    t["product_category_name_translation"] = table(
        product_category_name=(pa.string(), [c for c, _ in CATEGORIES]),
        product_category_name_english=(pa.string(), [e for _, e in CATEGORIES]))

    n_sellers, n_products = orders // 8, orders * 3 // 5
    s_states = rng.choices([s for s, _ in STATES], [w for _, w in STATES], k=n_sellers)
    t["olist_sellers_dataset"] = table(
        seller_id=(pa.string(), [_hex(rng) for _ in range(n_sellers)]),
        seller_zip_code_prefix=(pa.int64(), [_zip(rng, s) for s in s_states]),
        seller_city=(pa.string(), [rng.choice(CITIES.get(s, ["cidade"])) for s in s_states]),
        seller_state=(pa.string(), s_states))
    weights = [1 / (i + 1) for i in range(len(CATEGORIES))]
    t["olist_products_dataset"] = table(
        product_id=(pa.string(), [_hex(rng) for _ in range(n_products)]),
        product_category_name=(pa.string(), [None if rng.random() < 0.0185 else rng.choices(CATEGORIES, weights)[0][0]
                                             for _ in range(n_products)]),
        product_name_lenght=(pa.int64(), [rng.randint(5, 76) for _ in range(n_products)]),
        product_description_lenght=(pa.int64(), [rng.randint(4, 3992) for _ in range(n_products)]),
        product_photos_qty=(pa.int64(), [rng.choice([1, 1, 1, 2, 2, 3, 4, 5]) for _ in range(n_products)]),
        product_weight_g=(pa.int64(), [int(rng.lognormvariate(6.5, 1.1)) for _ in range(n_products)]),
        product_length_cm=(pa.int64(), [rng.randint(7, 105) for _ in range(n_products)]),
        product_height_cm=(pa.int64(), [rng.randint(2, 105) for _ in range(n_products)]),
        product_width_cm=(pa.int64(), [rng.randint(6, 118) for _ in range(n_products)]))

    # each order has its own customer_id; about 3% of people order twice (customer_unique_id repeats)
    people = [_hex(rng) for _ in range(int(orders * 0.97))]
    c_states = rng.choices([s for s, _ in STATES], [w for _, w in STATES], k=orders)
    customer_ids = [_hex(rng) for _ in range(orders)]
    t["olist_customers_dataset"] = table(
        customer_id=(pa.string(), customer_ids),
        customer_unique_id=(pa.string(), [people[i] if i < len(people) else rng.choice(people) for i in range(orders)]),
        customer_zip_code_prefix=(pa.int64(), [_zip(rng, s) for s in c_states]),
        customer_city=(pa.string(), [rng.choice(CITIES.get(s, ["cidade"])) for s in c_states]),
        customer_state=(pa.string(), c_states))

    o: dict[str, list] = {k: [] for k in ("order_id", "customer_id", "order_status", "order_purchase_timestamp",
                                          "order_approved_at", "order_delivered_carrier_date",
                                          "order_delivered_customer_date", "order_estimated_delivery_date")}
    it: dict[str, list] = {k: [] for k in ("order_id", "order_item_id", "product_id", "seller_id",
                                           "shipping_limit_date", "price", "freight_value")}
    pay: dict[str, list] = {k: [] for k in ("order_id", "payment_sequential", "payment_type",
                                            "payment_installments", "payment_value")}
    rv: dict[str, list] = {k: [] for k in ("review_id", "order_id", "review_score", "review_comment_title",
                                           "review_comment_message", "review_creation_date",
                                           "review_answer_timestamp")}
    products, sellers = t["olist_products_dataset"]["product_id"][1], t["olist_sellers_dataset"]["seller_id"][1]
    span = int((END - START).total_seconds())
    purchases = sorted(_purchase(rng, span) for _ in range(orders))
    statuses = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES], k=orders)
    for i, (bought, status) in enumerate(zip(purchases, statuses, strict=True)):
        order_id = _hex(rng)
        approved = None if status in ("created", "canceled") and rng.random() < 0.5 else bought + dt.timedelta(
            minutes=rng.randint(10, 60 * 48))
        carrier = approved + dt.timedelta(hours=rng.randint(6, 24 * 6)) if approved and status in ("shipped", "delivered") else None
        delivered = carrier + dt.timedelta(hours=rng.randint(24, 24 * 20)) if carrier and status == "delivered" else None
        estimated = (bought + dt.timedelta(days=rng.randint(10, 45))).replace(hour=0, minute=0, second=0, microsecond=0)
        for k, v in (("order_id", order_id), ("customer_id", customer_ids[i]), ("order_status", status),
                     ("order_purchase_timestamp", bought), ("order_approved_at", approved),
                     ("order_delivered_carrier_date", carrier), ("order_delivered_customer_date", delivered),
                     ("order_estimated_delivery_date", estimated)):
            o[k].append(v)
        total = 0.0
        if status not in ("unavailable", "canceled") or rng.random() < 0.3:
            product, seller = rng.choice(products), rng.choice(sellers)
            for n in range(1, 1 + rng.choices([1, 2, 3, 4], [0.9, 0.07, 0.02, 0.01])[0]):
                price = round(rng.lognormvariate(4.4, 0.9) + 0.85, 2)
                freight = round(rng.lognormvariate(2.8, 0.5), 2)
                for k, v in (("order_id", order_id), ("order_item_id", n), ("product_id", product),
                             ("seller_id", seller), ("shipping_limit_date", bought + dt.timedelta(days=6, hours=rng.randint(0, 23))),
                             ("price", price), ("freight_value", freight)):
                    it[k].append(v)
                total += price + freight
        else:
            total = round(rng.lognormvariate(4.6, 0.9), 2)
        kind = rng.choices([p for p, _ in PAYMENT_TYPES], [w for _, w in PAYMENT_TYPES])[0]
        parts = [round(total, 2)] if kind != "voucher" else [round(total * 0.3, 2), round(total * 0.7, 2)]
        for seq, value in enumerate(parts, start=1):
            for k, v in (("order_id", order_id), ("payment_sequential", seq), ("payment_type", kind),
                         ("payment_installments", rng.randint(1, 10) if kind == "credit_card" else 1),
                         ("payment_value", value)):
                pay[k].append(v)
        if rng.random() < 0.992:  # a few orders have no review
            answered_on = (delivered or estimated).date() + dt.timedelta(days=1)
            created = dt.datetime.combine(answered_on, dt.time())
            score = rng.choices([5, 4, 3, 2, 1], [0.58, 0.19, 0.08, 0.03, 0.12])[0]
            for k, v in (("review_id", _hex(rng)), ("order_id", order_id), ("review_score", score),
                         ("review_comment_title", None if rng.random() < 0.88 else rng.choice(["Recomendo", "Otimo", "Ruim"])),
                         ("review_comment_message", None if rng.random() < 0.59 else rng.choice(
                             ["Produto chegou antes do prazo", "Nao recebi o produto", "Muito bom, recomendo"])),
                         ("review_creation_date", created),
                         ("review_answer_timestamp", created + dt.timedelta(hours=rng.randint(8, 24 * 5)))):
                rv[k].append(v)
    t["olist_orders_dataset"] = table(
        order_id=(pa.string(), o["order_id"]), customer_id=(pa.string(), o["customer_id"]),
        order_status=(pa.string(), o["order_status"]), order_purchase_timestamp=(ts, o["order_purchase_timestamp"]),
        order_approved_at=(ts, o["order_approved_at"]),
        order_delivered_carrier_date=(ts, o["order_delivered_carrier_date"]),
        order_delivered_customer_date=(ts, o["order_delivered_customer_date"]),
        order_estimated_delivery_date=(ts, o["order_estimated_delivery_date"]))
    t["olist_order_items_dataset"] = table(
        order_id=(pa.string(), it["order_id"]), order_item_id=(pa.int64(), it["order_item_id"]),
        product_id=(pa.string(), it["product_id"]), seller_id=(pa.string(), it["seller_id"]),
        shipping_limit_date=(ts, it["shipping_limit_date"]), price=(pa.float64(), it["price"]),
        freight_value=(pa.float64(), it["freight_value"]))
    t["olist_order_payments_dataset"] = table(
        order_id=(pa.string(), pay["order_id"]), payment_sequential=(pa.int64(), pay["payment_sequential"]),
        payment_type=(pa.string(), pay["payment_type"]),
        payment_installments=(pa.int64(), pay["payment_installments"]),
        payment_value=(pa.float64(), pay["payment_value"]))
    t["olist_order_reviews_dataset"] = table(
        review_id=(pa.string(), rv["review_id"]), order_id=(pa.string(), rv["order_id"]),
        review_score=(pa.int64(), rv["review_score"]), review_comment_title=(pa.string(), rv["review_comment_title"]),
        review_comment_message=(pa.string(), rv["review_comment_message"]),
        review_creation_date=(ts, rv["review_creation_date"]),
        review_answer_timestamp=(ts, rv["review_answer_timestamp"]))
    # many points per zip code prefix (the real table has ~1M rows over ~19k prefixes): no key
    prefixes = sorted({_zip(rng, s) for s in c_states})
    geo = [(z, rng.choice(STATES)[0]) for z in prefixes for _ in range(rng.randint(1, 4))]
    t["olist_geolocation_dataset"] = table(
        geolocation_zip_code_prefix=(pa.int64(), [z for z, _ in geo]),
        geolocation_lat=(pa.float64(), [round(-23.5 + rng.uniform(-8, 8), 12) for _ in geo]),
        geolocation_lng=(pa.float64(), [round(-46.6 + rng.uniform(-8, 8), 12) for _ in geo]),
        geolocation_city=(pa.string(), [rng.choice(CITIES.get(s, ["cidade"])) for _, s in geo]),
        geolocation_state=(pa.string(), [s for _, s in geo]))
    return t
