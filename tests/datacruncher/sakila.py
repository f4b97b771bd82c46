"""A Sakila-shaped dataset built in code (MySQL's public Sakila sample database cannot be downloaded here).

Sakila models a DVD rental chain: snake_case tables keyed ``<table>_id``, the link tables ``film_actor`` and
``film_category`` (composite primary keys; every film has exactly one category, so ``film_category.film_id`` is
unique by itself), two stores each managed by a staff member (``store.manager_staff_id``), ``film.language_id``
and the all-NULL ``film.original_language_id``, ``customer.active`` as 0/1, and ``last_update`` on every table —
the bulk-load stamps of February 2006, as is ``customer.create_date`` (2006-02-14 22:04:36/37, months *after*
the customers' first rentals: a load stamp, not when they became customers). Rentals run from 2005-05-24 to
2005-08-23 in the real data's four bursts plus 182 unreturned rentals on 2006-02-14 (``return_date`` NULL);
each rental has one payment at the rental time, five payments have no rental. Amounts follow the film's rental
rate plus late fees, a few are 0.00. Deterministic (seeded ``random.Random``).
"""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from .public_shapes import Table, money, table

FOREIGN_KEYS = {  # (child, column) -> (parent, column): the single-column FKs of Sakila's DDL that hold values
    ("address", "city_id"): ("city", "city_id"),
    ("city", "country_id"): ("country", "country_id"),
    ("customer", "store_id"): ("store", "store_id"),
    ("customer", "address_id"): ("address", "address_id"),
    ("film", "language_id"): ("language", "language_id"),
    ("film_actor", "actor_id"): ("actor", "actor_id"),
    ("film_actor", "film_id"): ("film", "film_id"),
    ("film_category", "film_id"): ("film", "film_id"),
    ("film_category", "category_id"): ("category", "category_id"),
    ("inventory", "film_id"): ("film", "film_id"),
    ("inventory", "store_id"): ("store", "store_id"),
    ("payment", "customer_id"): ("customer", "customer_id"),
    ("payment", "staff_id"): ("staff", "staff_id"),
    ("payment", "rental_id"): ("rental", "rental_id"),
    ("rental", "inventory_id"): ("inventory", "inventory_id"),
    ("rental", "customer_id"): ("customer", "customer_id"),
    ("rental", "staff_id"): ("staff", "staff_id"),
    ("staff", "address_id"): ("address", "address_id"),
    ("staff", "store_id"): ("store", "store_id"),
    ("store", "manager_staff_id"): ("staff", "staff_id"),
    ("store", "address_id"): ("address", "address_id"),
}
#: declared in the DDL but every value is NULL, as in the real data: no value can confirm it
ALL_NULL_FOREIGN_KEYS = {("film", "original_language_id"): ("language", "language_id")}
PRIMARY_KEYS = {"actor": "actor_id", "address": "address_id", "category": "category_id", "city": "city_id",
                "country": "country_id", "customer": "customer_id", "film": "film_id", "inventory": "inventory_id",
                "language": "language_id", "payment": "payment_id", "rental": "rental_id", "staff": "staff_id",
                "store": "store_id",
                # the DDL's key is (film_id, category_id), but one category per film makes film_id a key alone
                "film_category": "film_id"}
COMPOSITE_KEYS = {"film_actor": ("actor_id", "film_id")}

CATEGORIES = ["Action", "Animation", "Children", "Classics", "Comedy", "Documentary", "Drama", "Family", "Foreign",
              "Games", "Horror", "Music", "New", "Sci-Fi", "Sports", "Travel"]
LANGUAGES = ["English", "Italian", "Japanese", "Mandarin", "French", "German"]
RATINGS = ["G", "PG", "PG-13", "R", "NC-17"]
FEATURES = ["Trailers", "Commentaries", "Deleted Scenes", "Behind the Scenes"]
WORDS = ["ACADEMY", "DINOSAUR", "ACE", "GOLDFINGER", "ADAPTATION", "HOLES", "AFFAIR", "PREJUDICE", "AGENT", "TRUMAN",
         "AIRPLANE", "SIERRA", "ALABAMA", "DEVIL", "ALADDIN", "CALENDAR", "ALAMO", "VIDEOTAPE", "ALASKA", "PHANTOM",
         "ALI", "FOREVER", "ALICE", "FANTASIA", "ALIEN", "CENTER", "ALLEY", "EVOLUTION", "ALONE", "TRIP", "ALTER",
         "VICTORY", "AMADEUS", "HOLY", "AMELIE", "HELLFIGHTERS", "AMERICAN", "CIRCUS", "AMISTAD", "MIDSUMMER"]
FIRST = ["PENELOPE", "NICK", "ED", "JENNIFER", "JOHNNY", "BETTE", "GRACE", "MATTHEW", "JOE", "CHRISTIAN", "ZERO",
         "KARL", "UMA", "VIVIEN", "CUBA", "FRED", "HELEN", "DAN", "BOB", "LUCILLE", "KIRSTEN", "ELVIS", "SANDRA",
         "CAMERON", "KEVIN", "RIP", "JULIA", "WOODY", "ALEC", "SISSY", "TIM", "MILLA", "AUDREY", "JUDY", "BURT",
         "VAL", "TOM", "GOLDIE", "JODIE", "MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH", "MARIA", "SUSAN"]
LAST = ["GUINESS", "WAHLBERG", "CHASE", "DAVIS", "LOLLOBRIGIDA", "NICHOLSON", "MOSTEL", "JOHANSSON", "SWANK",
        "GABLE", "CAGE", "BERRY", "WOOD", "BERGEN", "OLIVIER", "COSTNER", "VOIGHT", "TORN", "FAWCETT", "TRACY",
        "PALTROW", "MARX", "KILMER", "STREEP", "BLOOM", "CRAWFORD", "MCQUEEN", "HOFFMAN", "WAYNE", "PECK", "SOBIESKI",
        "SMITH", "JOHNSON", "WILLIAMS", "JONES", "BROWN", "MILLER", "WILSON", "MOORE", "TAYLOR", "ANDERSON"]
LOAD = dt.datetime(2006, 2, 15, 4, 34, 33)  # the bulk load that stamps last_update
BURSTS = [(dt.datetime(2005, 5, 24, 22), 8, 1156), (dt.datetime(2005, 6, 14, 1), 8, 2311),
          (dt.datetime(2005, 7, 5, 22), 27, 6709), (dt.datetime(2005, 8, 1, 0), 23, 5686)]  # start, days, rentals


def _stamp(n: int, when: dt.datetime = LOAD) -> tuple[pa.DataType, list]:
    return (pa.timestamp("us"), [when] * n)


def tables(seed: int = 1) -> dict[str, Table]:
    """Every Sakila table (but ``film_text`` and the geometry column) as columns (name → (arrow type, values))."""
    rng = random.Random(seed)
    t: dict[str, Table] = {}
    t["actor"] = table(actor_id=(pa.int64(), list(range(1, 201))),
                       first_name=(pa.string(), [rng.choice(FIRST) for _ in range(200)]),
                       last_name=(pa.string(), [rng.choice(LAST) for _ in range(200)]), last_update=_stamp(200))
    t["category"] = table(category_id=(pa.int64(), list(range(1, 17))), name=(pa.string(), CATEGORIES),
                          last_update=_stamp(16, dt.datetime(2006, 2, 15, 4, 46, 27)))
    t["language"] = table(language_id=(pa.int64(), list(range(1, 7))), name=(pa.string(), LANGUAGES),
                          last_update=_stamp(6, dt.datetime(2006, 2, 15, 5, 2, 19)))
    t["country"] = table(country_id=(pa.int64(), list(range(1, 110))),
                         country=(pa.string(), [f"{rng.choice(WORDS).title()}ia {i}" for i in range(1, 110)]),
                         last_update=_stamp(109, dt.datetime(2006, 2, 15, 4, 44)))
    t["city"] = table(city_id=(pa.int64(), list(range(1, 601))),
                      city=(pa.string(), [f"{rng.choice(WORDS).title()} {i}" for i in range(1, 601)]),
                      country_id=(pa.int64(), [rng.randint(1, 109) for _ in range(600)]),
                      last_update=_stamp(600, dt.datetime(2006, 2, 15, 4, 45, 25)))
    n_addr = 603
    t["address"] = table(
        address_id=(pa.int64(), list(range(1, n_addr + 1))),
        address=(pa.string(), [f"{rng.randint(1, 1999)} {rng.choice(WORDS).title()} Street" for _ in range(n_addr)]),
        address2=(pa.string(), [None] * 4 + [""] * (n_addr - 4)),
        district=(pa.string(), [rng.choice(["Alberta", "QLD", "Nagasaki", "California", "Buenos Aires", "Texas",
                                            "England", "Hamilton", "Gujarat", "Punjab", "Shandong", "West Java"])
                                for _ in range(n_addr)]),
        city_id=(pa.int64(), [min(600, i) for i in range(1, n_addr + 1)]),
        postal_code=(pa.string(), ["" if i < 4 or rng.random() < 0.007 else str(rng.randint(1000, 99999))
                                   for i in range(n_addr)]),
        phone=(pa.string(), ["" if i < 4 else str(rng.randint(10**10, 10**12 - 1)) for i in range(n_addr)]),
        last_update=_stamp(n_addr, dt.datetime(2006, 2, 15, 4, 45, 30)),
    )
    n_film = 1000
    rates = [rng.choice([0.99, 2.99, 4.99]) for _ in range(n_film)]
    durations = [rng.randint(3, 7) for _ in range(n_film)]
    t["film"] = table(
        film_id=(pa.int64(), list(range(1, n_film + 1))),
        title=(pa.string(), [f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}" for i in range(n_film)]),
        description=(pa.string(), [f"A {rng.choice(['Epic', 'Astounding', 'Fanciful'])} Drama of a "
                                   f"{rng.choice(['Dog', 'Cat', 'Robot'])} in {rng.choice(['Ancient China', 'A Shark Tank'])}"
                                   for _ in range(n_film)]),
        release_year=(pa.int64(), [2006] * n_film),
        language_id=(pa.int64(), [1] * n_film),
        original_language_id=(pa.int64(), [None] * n_film),
        rental_duration=(pa.int64(), durations),
        rental_rate=money(rates),
        length=(pa.int64(), [rng.randint(46, 185) for _ in range(n_film)]),
        replacement_cost=money([rng.choice([9.99 + 1.0 * k for k in range(21)]) for _ in range(n_film)]),
        rating=(pa.string(), [rng.choice(RATINGS) for _ in range(n_film)]),
        special_features=(pa.string(), [",".join(sorted(rng.sample(FEATURES, rng.randint(1, 3)))) for _ in range(n_film)]),
        last_update=_stamp(n_film, dt.datetime(2006, 2, 15, 5, 3, 42)),
    )
    fa = sorted({(rng.randint(1, 200), rng.randint(1, n_film)) for _ in range(5600)})
    t["film_actor"] = table(actor_id=(pa.int64(), [a for a, _ in fa]), film_id=(pa.int64(), [f for _, f in fa]),
                            last_update=_stamp(len(fa), dt.datetime(2006, 2, 15, 5, 5, 3)))
    t["film_category"] = table(film_id=(pa.int64(), list(range(1, n_film + 1))),
                               category_id=(pa.int64(), [rng.randint(1, 16) for _ in range(n_film)]),
                               last_update=_stamp(n_film, dt.datetime(2006, 2, 15, 5, 7, 9)))
    t["store"] = table(store_id=(pa.int64(), [1, 2]), manager_staff_id=(pa.int64(), [1, 2]),
                       address_id=(pa.int64(), [1, 2]), last_update=_stamp(2, dt.datetime(2006, 2, 15, 4, 57, 12)))
    t["staff"] = table(
        staff_id=(pa.int64(), [1, 2]), first_name=(pa.string(), ["Mike", "Jon"]),
        last_name=(pa.string(), ["Hillyer", "Stephens"]), address_id=(pa.int64(), [3, 4]),
        email=(pa.string(), ["Mike.Hillyer@sakilastaff.com", "Jon.Stephens@sakilastaff.com"]),
        store_id=(pa.int64(), [1, 2]), active=(pa.int64(), [1, 1]), username=(pa.string(), ["Mike", "Jon"]),
        password=(pa.string(), ["8cb2237d0679ca88db6464eac60da96345513964", None]),
        last_update=_stamp(2, dt.datetime(2006, 2, 15, 3, 57, 16)),
    )
    films_in_stock = sorted(rng.sample(range(1, n_film + 1), 958))
    inv = [(f, s) for f in films_in_stock for s in (1, 2) for _ in range(rng.choice([0, 2, 2, 3, 4]))]
    inv = inv[:4581]
    t["inventory"] = table(inventory_id=(pa.int64(), list(range(1, len(inv) + 1))),
                           film_id=(pa.int64(), [f for f, _ in inv]), store_id=(pa.int64(), [s for _, s in inv]),
                           last_update=_stamp(len(inv), dt.datetime(2006, 2, 15, 5, 9, 17)))
    n_cust = 599
    first, last = [rng.choice(FIRST) for _ in range(n_cust)], [rng.choice(LAST) for _ in range(n_cust)]
    t["customer"] = table(
        customer_id=(pa.int64(), list(range(1, n_cust + 1))),
        store_id=(pa.int64(), [rng.choice([1, 1, 2]) for _ in range(n_cust)]),
        first_name=(pa.string(), first), last_name=(pa.string(), last),
        email=(pa.string(), [f"{f}.{x}{i}@sakilacustomer.org" for i, (f, x) in enumerate(zip(first, last, strict=True))]),
        address_id=(pa.int64(), list(range(5, n_cust + 5))),
        active=(pa.int64(), [0 if rng.random() < 0.025 else 1 for _ in range(n_cust)]),
        create_date=(pa.timestamp("us"), [dt.datetime(2006, 2, 14, 22, 4, 36 + (i % 7 == 0)) for i in range(n_cust)]),
        last_update=_stamp(n_cust, dt.datetime(2006, 2, 15, 4, 57, 20)),
    )
    r: dict[str, list] = {k: [] for k in ("rental_id", "rental_date", "inventory_id", "customer_id", "return_date",
                                          "staff_id", "last_update")}
    p: dict[str, list] = {k: [] for k in ("payment_id", "customer_id", "staff_id", "rental_id", "amount",
                                          "payment_date", "last_update")}
    inv_film = t["inventory"]["film_id"][1]
    dates = sorted(start + dt.timedelta(seconds=rng.randrange(days * 86400)) for start, days, n in BURSTS
                   for _ in range(n))
    dates += [dt.datetime(2006, 2, 14, 15, 16, 3)] * 182
    for i, when in enumerate(dates):
        item = rng.randint(1, len(inv))
        film = inv_film[item - 1]
        late = when.year == 2006
        kept = rng.randint(1, 10)
        cust = rng.randint(1, n_cust)
        staff = rng.randint(1, 2)
        for k, v in (("rental_id", i + 1), ("rental_date", when), ("inventory_id", item), ("customer_id", cust),
                     ("return_date", None if late else when + dt.timedelta(days=kept, seconds=rng.randrange(86400))),
                     ("staff_id", staff),
                     ("last_update", dt.datetime(2006, 2, 23, 4, 12, 8) if late else dt.datetime(2006, 2, 15, 21, 30, 53))):
            r[k].append(v)
        fee = max(0, kept - durations[film - 1])
        amount = 0.0 if rng.random() < 0.0015 else rates[film - 1] + fee
        for k, v in (("payment_id", i + 1), ("customer_id", cust), ("staff_id", staff), ("rental_id", i + 1),
                     ("amount", round(amount, 2)), ("payment_date", when),
                     ("last_update", dt.datetime(2006, 2, 15, 22, 12, 30) + dt.timedelta(seconds=i // 20))):
            p[k].append(v)
    for k in range(5):  # five payments without a rental
        for col, v in (("payment_id", len(dates) + k + 1), ("customer_id", rng.randint(1, n_cust)),
                       ("staff_id", 1), ("rental_id", None), ("amount", 0.99 + k),
                       ("payment_date", dt.datetime(2005, 8, 20, 12) + dt.timedelta(hours=k)),
                       ("last_update", dt.datetime(2006, 2, 15, 22, 24, 13))):
            p[col].append(v)
    ts = pa.timestamp("us")
    t["rental"] = table(rental_id=(pa.int64(), r["rental_id"]), rental_date=(ts, r["rental_date"]),
                        inventory_id=(pa.int64(), r["inventory_id"]), customer_id=(pa.int64(), r["customer_id"]),
                        return_date=(ts, r["return_date"]), staff_id=(pa.int64(), r["staff_id"]),
                        last_update=(ts, r["last_update"]))
    t["payment"] = table(payment_id=(pa.int64(), p["payment_id"]), customer_id=(pa.int64(), p["customer_id"]),
                         staff_id=(pa.int64(), p["staff_id"]), rental_id=(pa.int64(), p["rental_id"]),
                         amount=money(p["amount"]), payment_date=(ts, p["payment_date"]),
                         last_update=(ts, p["last_update"]))
    return t
