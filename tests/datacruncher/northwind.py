"""A Northwind-shaped dataset built in code (the public Northwind sample database cannot be downloaded here).

Northwind models a food importer: plural PascalCase tables with ``<Singular>ID`` keys, customers keyed by
five-letter codes (``ALFKI``), the line table ``Order Details`` — with a space — keyed by (OrderID, ProductID),
``Orders.ShipVia`` naming a ``Shippers.ShipperID``, the ``Employees.ReportsTo`` hierarchy (two employees hired
before their manager, as in the real data), ``Discount`` as a 0–0.25 fraction, order dates at midnight from
1996-07-04 to 1998-05-06, required dates four weeks later and ``ShippedDate`` NULL for the last unshipped orders,
line prices 20% below today's list price for orders placed before 1997 (the real data's price change).
Deterministic (seeded ``random.Random``).
"""

from __future__ import annotations

import datetime as dt
import random
import string

import pyarrow as pa

from .public_shapes import Table, money, table

FOREIGN_KEYS = {  # (child, column) -> (parent, column): every single-column FK of Northwind's DDL
    ("Orders", "CustomerID"): ("Customers", "CustomerID"),
    ("Orders", "EmployeeID"): ("Employees", "EmployeeID"),
    ("Orders", "ShipVia"): ("Shippers", "ShipperID"),
    ("Order Details", "OrderID"): ("Orders", "OrderID"),
    ("Order Details", "ProductID"): ("Products", "ProductID"),
    ("Products", "SupplierID"): ("Suppliers", "SupplierID"),
    ("Products", "CategoryID"): ("Categories", "CategoryID"),
    ("Employees", "ReportsTo"): ("Employees", "EmployeeID"),
    ("Territories", "RegionID"): ("Region", "RegionID"),
    ("EmployeeTerritories", "EmployeeID"): ("Employees", "EmployeeID"),
    ("EmployeeTerritories", "TerritoryID"): ("Territories", "TerritoryID"),
}
PRIMARY_KEYS = {"Customers": "CustomerID", "Employees": "EmployeeID", "Orders": "OrderID", "Products": "ProductID",
                "Categories": "CategoryID", "Suppliers": "SupplierID", "Shippers": "ShipperID", "Region": "RegionID",
                "Territories": "TerritoryID"}
COMPOSITE_KEYS = {"Order Details": ("OrderID", "ProductID"), "EmployeeTerritories": ("EmployeeID", "TerritoryID")}

CATEGORIES = ["Beverages", "Condiments", "Confections", "Dairy Products", "Grains/Cereals", "Meat/Poultry",
              "Produce", "Seafood"]
SHIPPERS = [("Speedy Express", "(503) 555-9831"), ("United Package", "(503) 555-3199"),
            ("Federal Shipping", "(503) 555-9931")]
EMPLOYEES = [  # id, last, first, title, courtesy, birth, hire, city, region, country, reports to
    (1, "Davolio", "Nancy", "Sales Representative", "Ms.", "1948-12-08", "1992-05-01", "Seattle", "WA", "USA", 2),
    (2, "Fuller", "Andrew", "Vice President, Sales", "Dr.", "1952-02-19", "1992-08-14", "Tacoma", "WA", "USA", None),
    (3, "Leverling", "Janet", "Sales Representative", "Ms.", "1963-08-30", "1992-04-01", "Kirkland", "WA", "USA", 2),
    (4, "Peacock", "Margaret", "Sales Representative", "Mrs.", "1937-09-19", "1993-05-03", "Redmond", "WA", "USA", 2),
    (5, "Buchanan", "Steven", "Sales Manager", "Mr.", "1955-03-04", "1993-10-17", "London", None, "UK", 2),
    (6, "Suyama", "Michael", "Sales Representative", "Mr.", "1963-07-02", "1993-10-17", "London", None, "UK", 5),
    (7, "King", "Robert", "Sales Representative", "Mr.", "1960-05-29", "1994-01-02", "London", None, "UK", 5),
    (8, "Callahan", "Laura", "Inside Sales Coordinator", "Ms.", "1958-01-09", "1994-03-05", "Seattle", "WA", "USA", 2),
    (9, "Dodsworth", "Anne", "Sales Representative", "Ms.", "1966-01-27", "1994-11-15", "London", None, "UK", 5),
]
REGIONS = ["Eastern", "Western", "Northern", "Southern"]
TERRITORIES = ["01581", "01730", "01833", "02116", "02139", "02184", "02903", "03049", "03801", "06897", "07960",
               "08837", "10019", "10038", "11747", "14450", "19428", "19713", "20852", "27403", "27511", "29202",
               "30346", "31406", "32859", "33607", "40222", "44122", "45839", "48075", "48084", "48304", "53404",
               "55113", "55439", "60179", "60601", "72716", "75234", "78759", "80202", "80909", "85014", "85251",
               "90405", "94025", "94105", "95008", "95054", "95060", "98004", "98052", "98104"]
COUNTRIES = [("USA", 13), ("Germany", 11), ("France", 11), ("Brazil", 9), ("UK", 7), ("Spain", 5), ("Mexico", 5),
             ("Venezuela", 4), ("Argentina", 3), ("Italy", 3), ("Canada", 3), ("Sweden", 2), ("Belgium", 2),
             ("Portugal", 2), ("Austria", 2), ("Switzerland", 2), ("Denmark", 2), ("Finland", 2), ("Ireland", 1),
             ("Norway", 1), ("Poland", 1)]
CITY = {"USA": "Seattle", "Germany": "Berlin", "France": "Paris", "Brazil": "São Paulo", "UK": "London",
        "Spain": "Madrid", "Mexico": "México D.F.", "Venezuela": "Caracas", "Argentina": "Buenos Aires",
        "Italy": "Torino", "Canada": "Montréal", "Sweden": "Luleå", "Belgium": "Bruxelles", "Portugal": "Lisboa",
        "Austria": "Graz", "Switzerland": "Genève", "Denmark": "København", "Finland": "Oulu", "Ireland": "Cork",
        "Norway": "Stavern", "Poland": "Warszawa"}
REGION_OF = {"USA": ["WA", "OR", "ID", "NM", "AK", "MT", "WY", "CA"], "Brazil": ["SP", "RJ"], "Canada": ["BC", "Québec"],
             "Venezuela": ["Lara", "Táchira", "Nueva Esparta"], "UK": ["Isle of Wight"], "Ireland": ["Co. Cork"]}
WORDS = ["Alfreds", "Futterkiste", "Trujillo", "Emparedados", "Moreno", "Taquería", "Around", "Horn", "Berglunds",
         "Snabbköp", "Blauer", "Delikatessen", "Blondel", "Bólido", "Comidas", "Bon", "Bottom-Dollar", "Markets",
         "Cactus", "Comidas", "Chop-suey", "Chinese", "Consolidated", "Holdings", "Drachenblut", "Eastern",
         "Connection", "Ernst", "Handel", "Familia", "Arquibaldo", "Folk", "Frankenversand", "Gourmet", "Lanchonetes",
         "Great", "Lakes", "Food", "Market", "Hanari", "Carnes", "Island", "Trading", "Königlich", "Essen", "Lazy",
         "Kountry", "Store", "Maison", "Dewey", "Old", "World", "Ottilies", "Käseladen", "Queen", "Cozinha"]
TITLES = ["Sales Representative", "Owner", "Order Administrator", "Marketing Manager", "Accounting Manager",
          "Sales Agent", "Sales Associate", "Marketing Assistant", "Sales Manager", "Assistant Sales Agent"]


def _company(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, rng.randint(2, 3)))


def _phone(rng: random.Random) -> str:
    return f"({rng.randint(10, 999)}) {rng.randint(100, 999)}-{rng.randint(1000, 9999)}"


def _postal(rng: random.Random, country: str) -> str | None:
    if country == "Ireland":
        return None
    if country == "UK":
        return f"{rng.choice(['WX', 'EC', 'SW', 'OX'])}{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDPT')}{rng.choice('LPQT')}"
    if country == "Canada":
        return f"H{rng.randint(1, 9)}J {rng.randint(1, 9)}C{rng.randint(1, 9)}"
    if country == "Brazil":
        return f"{rng.randint(1000, 9999):05d}-{rng.randint(0, 999):03d}"
    return f"{rng.randint(1000, 99999):05d}"


def _codes(rng: random.Random, n: int) -> list[str]:
    out = ["ALFKI", "ANATR", "ANTON", "AROUT", "BERGS"]
    while len(out) < n:
        code = "".join(rng.choice(string.ascii_uppercase) for _ in range(5))
        if code not in out:
            out.append(code)
    return out


def tables(seed: int = 1) -> dict[str, Table]:
    """Every Northwind table as columns (name → (arrow type, values))."""
    rng = random.Random(seed)
    t: dict[str, Table] = {}
    t["Categories"] = table(CategoryID=(pa.int64(), list(range(1, 9))), CategoryName=(pa.string(), CATEGORIES),
                            Description=(pa.string(), [f"{c} and related goods" for c in CATEGORIES]))
    sup_countries = [rng.choice([c for c, _ in COUNTRIES] + ["Japan", "Australia", "Singapore", "Netherlands"])
                     for _ in range(29)]
    t["Suppliers"] = table(
        SupplierID=(pa.int64(), list(range(1, 30))), CompanyName=(pa.string(), [_company(rng) for _ in range(29)]),
        ContactName=(pa.string(), [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(29)]),
        ContactTitle=(pa.string(), [rng.choice(TITLES) for _ in range(29)]),
        City=(pa.string(), [CITY.get(c, "Tokyo") for c in sup_countries]),
        Region=(pa.string(), [rng.choice(REGION_OF[c]) if c in REGION_OF and rng.random() < 0.6 else None
                              for c in sup_countries]),
        PostalCode=(pa.string(), [_postal(rng, c) for c in sup_countries]),
        Country=(pa.string(), sup_countries), Phone=(pa.string(), [_phone(rng) for _ in range(29)]),
        HomePage=(pa.string(), [None if rng.random() < 0.8 else f"http://{rng.choice(WORDS).lower()}.example"
                                for _ in range(29)]),
    )
    list_price = [round(rng.choice([2.5, 4.5, 6, 7, 9.2, 9.5, 10, 12.5, 14, 18, 19, 21, 25, 31, 34.8, 38, 43.9,
                                    55, 62.5, 97, 123.79, 263.5]) + rng.choice([0, 0, 0.25, 0.5]), 2)
                  for _ in range(77)]
    t["Products"] = table(
        ProductID=(pa.int64(), list(range(1, 78))),
        ProductName=(pa.string(), [f"{rng.choice(WORDS)} {rng.choice(CATEGORIES).split('/')[0]}" for _ in range(77)]),
        SupplierID=(pa.int64(), [i % 29 + 1 for i in range(77)]),
        CategoryID=(pa.int64(), [rng.randint(1, 8) for _ in range(77)]),
        QuantityPerUnit=(pa.string(), [f"{rng.randint(1, 48)} - {rng.choice([250, 500, 12, 100])} g pkgs."
                                       for _ in range(77)]),
        UnitPrice=money(list_price),
        UnitsInStock=(pa.int64(), [rng.choice([0, *range(3, 126)]) for _ in range(77)]),
        UnitsOnOrder=(pa.int64(), [rng.choice([0] * 8 + [10, 20, 40, 70, 100]) for _ in range(77)]),
        ReorderLevel=(pa.int64(), [rng.choice([0, 5, 10, 15, 20, 25, 30]) for _ in range(77)]),
        Discontinued=(pa.int64(), [1 if i in (4, 8, 16, 23, 27, 28, 41, 52) else 0 for i in range(77)]),
    )
    t["Shippers"] = table(ShipperID=(pa.int64(), [1, 2, 3]), CompanyName=(pa.string(), [s for s, _ in SHIPPERS]),
                          Phone=(pa.string(), [p for _, p in SHIPPERS]))

    def day(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text)

    e = EMPLOYEES
    t["Employees"] = table(
        EmployeeID=(pa.int64(), [r[0] for r in e]), LastName=(pa.string(), [r[1] for r in e]),
        FirstName=(pa.string(), [r[2] for r in e]), Title=(pa.string(), [r[3] for r in e]),
        TitleOfCourtesy=(pa.string(), [r[4] for r in e]),
        BirthDate=(pa.timestamp("us"), [day(r[5]) for r in e]), HireDate=(pa.timestamp("us"), [day(r[6]) for r in e]),
        Address=(pa.string(), [f"{rng.randint(1, 999)} {rng.choice(WORDS)} Rd." for _ in e]),
        City=(pa.string(), [r[7] for r in e]), Region=(pa.string(), [r[8] for r in e]),
        PostalCode=(pa.string(), [_postal(rng, r[9]) for r in e]), Country=(pa.string(), [r[9] for r in e]),
        HomePhone=(pa.string(), [_phone(rng) for _ in e]),
        Extension=(pa.string(), [str(rng.randint(100, 5999)) for _ in e]),
        Notes=(pa.string(), [f"{r[2]} joined the company as a {r[3].lower()}." for r in e]),
        ReportsTo=(pa.int64(), [r[10] for r in e]),
    )
    t["Region"] = table(RegionID=(pa.int64(), [1, 2, 3, 4]), RegionDescription=(pa.string(), REGIONS))
    t["Territories"] = table(
        TerritoryID=(pa.string(), TERRITORIES),
        TerritoryDescription=(pa.string(), [f"{rng.choice(WORDS)} {rng.choice(['Park', 'Hills', 'Bay', 'Ville'])}"
                                            for _ in TERRITORIES]),
        RegionID=(pa.int64(), [1 + (i * 7) % 4 for i in range(len(TERRITORIES))]),
    )
    et = [(emp, terr) for emp, n in zip(range(1, 10), [2, 7, 4, 3, 7, 5, 10, 4, 7], strict=True)
          for terr in rng.sample(TERRITORIES, n)]
    t["EmployeeTerritories"] = table(EmployeeID=(pa.int64(), [a for a, _ in et]),
                                     TerritoryID=(pa.string(), [b for _, b in et]))

    countries = [c for c, n in COUNTRIES for _ in range(n)]
    rng.shuffle(countries)
    codes = _codes(rng, len(countries))  # 91 customers
    t["Customers"] = table(
        CustomerID=(pa.string(), codes), CompanyName=(pa.string(), [_company(rng) for _ in codes]),
        ContactName=(pa.string(), [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in codes]),
        ContactTitle=(pa.string(), [rng.choice(TITLES) for _ in codes]),
        Address=(pa.string(), [f"{rng.choice(WORDS)}str. {rng.randint(1, 99)}" for _ in codes]),
        City=(pa.string(), [CITY[c] for c in countries]),
        Region=(pa.string(), [rng.choice(REGION_OF[c]) if c in REGION_OF else None for c in countries]),
        PostalCode=(pa.string(), [_postal(rng, c) for c in countries]), Country=(pa.string(), countries),
        Phone=(pa.string(), [_phone(rng) for _ in codes]),
        Fax=(pa.string(), [None if rng.random() < 0.25 else _phone(rng) for _ in codes]),
    )
    # 830 orders, 10248..11077, from 89 customers (two never order): 152 in 1996, 408 in 1997, 270 in 1998
    ordered = [start + dt.timedelta(days=round((end - start).days * i / n))
               for start, end, n in ((dt.datetime(1996, 7, 4), dt.datetime(1996, 12, 31), 152),
                                     (dt.datetime(1997, 1, 1), dt.datetime(1997, 12, 31), 408),
                                     (dt.datetime(1998, 1, 1), dt.datetime(1998, 5, 6), 270)) for i in range(n)]
    o: dict[str, list] = {k: [] for k in ("OrderID", "CustomerID", "EmployeeID", "OrderDate", "RequiredDate",
                                          "ShippedDate", "ShipVia", "Freight", "ShipName", "ShipCity", "ShipRegion",
                                          "ShipPostalCode", "ShipCountry")}
    d: dict[str, list] = {k: [] for k in ("OrderID", "ProductID", "UnitPrice", "Quantity", "Discount")}
    cust = t["Customers"]
    for i, when in enumerate(ordered):
        order_id = 10248 + i
        c = rng.randrange(len(codes) - 2)
        shipped = None if i >= 809 else when + dt.timedelta(days=rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 21,
                                                                             28, 35]))
        for k, v in (("OrderID", order_id), ("CustomerID", codes[c]), ("EmployeeID", rng.randint(1, 9)),
                     ("OrderDate", when), ("RequiredDate", when + dt.timedelta(days=rng.choice([28, 28, 28, 14, 42]))),
                     ("ShippedDate", shipped), ("ShipVia", rng.choice([1, 2, 2, 3])),
                     ("Freight", round(rng.lognormvariate(3.4, 1.3), 2)), ("ShipName", cust["CompanyName"][1][c]),
                     ("ShipCity", cust["City"][1][c]), ("ShipRegion", cust["Region"][1][c]),
                     ("ShipPostalCode", cust["PostalCode"][1][c]), ("ShipCountry", countries[c])):
            o[k].append(v)
        old = when < dt.datetime(1997, 1, 1)
        for product in rng.sample(range(1, 78), min(25, max(1, int(rng.expovariate(1 / 1.7)) + 1))):
            d["OrderID"].append(order_id)
            d["ProductID"].append(product)
            d["UnitPrice"].append(round(list_price[product - 1] * (0.8 if old else 1.0), 2))
            d["Quantity"].append(max(1, min(130, int(rng.lognormvariate(2.9, 0.75)))))
            d["Discount"].append(rng.choice([0.0] * 9 + [0.05, 0.1, 0.15, 0.2, 0.25]))
    t["Orders"] = table(
        OrderID=(pa.int64(), o["OrderID"]), CustomerID=(pa.string(), o["CustomerID"]),
        EmployeeID=(pa.int64(), o["EmployeeID"]), OrderDate=(pa.timestamp("us"), o["OrderDate"]),
        RequiredDate=(pa.timestamp("us"), o["RequiredDate"]), ShippedDate=(pa.timestamp("us"), o["ShippedDate"]),
        ShipVia=(pa.int64(), o["ShipVia"]), Freight=money(o["Freight"]), ShipName=(pa.string(), o["ShipName"]),
        ShipCity=(pa.string(), o["ShipCity"]), ShipRegion=(pa.string(), o["ShipRegion"]),
        ShipPostalCode=(pa.string(), o["ShipPostalCode"]), ShipCountry=(pa.string(), o["ShipCountry"]),
    )
    t["Order Details"] = table(
        OrderID=(pa.int64(), d["OrderID"]), ProductID=(pa.int64(), d["ProductID"]), UnitPrice=money(d["UnitPrice"]),
        Quantity=(pa.int64(), d["Quantity"]), Discount=(pa.float32(), d["Discount"]),
    )
    return t
