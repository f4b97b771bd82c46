"""A Chinook-shaped dataset built in code (the public Chinook sample database cannot be downloaded here).

Chinook models a digital music store: PascalCase tables and ``<Table>Id`` keys, a composite-key link table
``PlaylistTrack``, a customer's ``SupportRepId`` naming an ``Employee``, the ``Employee.ReportsTo`` hierarchy, and
invoices whose ``Total`` is the sum of their lines (``UnitPrice`` × ``Quantity``, one track per line, in the
repeating 1, 2, 2, 4, 6, 9, 14-line cycle of the real data). Sizes, NULL patterns (``Track.Composer``,
``Customer.Company``/``State``/``Fax``), the eight employees (two hired before their own manager, as in the real
data) and the value rules (0.99 audio / 1.99 video prices, video tracks ten times longer) follow the original.
Deterministic (seeded ``random.Random``).
"""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from .public_shapes import Table, money, table

FOREIGN_KEYS = {  # (child, column) -> (parent, column): every single-column FK of Chinook's DDL
    ("Album", "ArtistId"): ("Artist", "ArtistId"),
    ("Track", "AlbumId"): ("Album", "AlbumId"),
    ("Track", "MediaTypeId"): ("MediaType", "MediaTypeId"),
    ("Track", "GenreId"): ("Genre", "GenreId"),
    ("PlaylistTrack", "PlaylistId"): ("Playlist", "PlaylistId"),
    ("PlaylistTrack", "TrackId"): ("Track", "TrackId"),
    ("Customer", "SupportRepId"): ("Employee", "EmployeeId"),
    ("Employee", "ReportsTo"): ("Employee", "EmployeeId"),
    ("Invoice", "CustomerId"): ("Customer", "CustomerId"),
    ("InvoiceLine", "InvoiceId"): ("Invoice", "InvoiceId"),
    ("InvoiceLine", "TrackId"): ("Track", "TrackId"),
}
PRIMARY_KEYS = {"Artist": "ArtistId", "Album": "AlbumId", "MediaType": "MediaTypeId", "Genre": "GenreId",
                "Track": "TrackId", "Playlist": "PlaylistId", "Employee": "EmployeeId", "Customer": "CustomerId",
                "Invoice": "InvoiceId", "InvoiceLine": "InvoiceLineId"}
COMPOSITE_KEYS = {"PlaylistTrack": ("PlaylistId", "TrackId")}

MEDIA_TYPES = [("MPEG audio file", 3034), ("Protected AAC audio file", 237), ("Protected MPEG-4 video file", 214),
               ("Purchased AAC audio file", 7), ("AAC audio file", 11)]
GENRES = ["Rock", "Jazz", "Metal", "Alternative & Punk", "Rock And Roll", "Blues", "Latin", "Reggae", "Pop",
          "Soundtrack", "Bossa Nova", "Easy Listening", "Heavy Metal", "R&B/Soul", "Electronica/Dance", "World",
          "Hip Hop/Rap", "Science Fiction", "TV Shows", "Sci Fi & Fantasy", "Drama", "Comedy", "Alternative",
          "Classical", "Opera"]
GENRE_WEIGHTS = [1297, 130, 374, 332, 12, 81, 579, 58, 48, 43, 15, 24, 28, 61, 30, 28, 35, 13, 93, 26, 64, 17, 40,
                 74, 1]
PLAYLISTS = ["Music", "Movies", "TV Shows", "Audiobooks", "90’s Music", "Audiobooks", "Movies", "Music",
             "Music Videos", "TV Shows", "Brazilian Music", "Classical", "Classical 101 - Deep Cuts",
             "Classical 101 - Next Steps", "Classical 101 - The Basics", "Grunge", "Heavy Metal Classic",
             "On-The-Go 1"]
PLAYLIST_SIZES = [3290, 0, 213, 0, 1477, 0, 0, 3290, 1, 213, 39, 75, 25, 25, 25, 15, 26, 1]
EMPLOYEES = [  # id, last, first, title, reports to, birth, hire, city, state
    (1, "Adams", "Andrew", "General Manager", None, "1962-02-18", "2002-08-14", "Edmonton", "AB"),
    (2, "Edwards", "Nancy", "Sales Manager", 1, "1958-12-08", "2002-05-01", "Calgary", "AB"),
    (3, "Peacock", "Jane", "Sales Support Agent", 2, "1973-08-29", "2002-04-01", "Calgary", "AB"),
    (4, "Park", "Margaret", "Sales Support Agent", 2, "1947-09-19", "2003-05-03", "Calgary", "AB"),
    (5, "Johnson", "Steve", "Sales Support Agent", 2, "1965-03-03", "2003-10-17", "Calgary", "AB"),
    (6, "Mitchell", "Michael", "IT Manager", 1, "1973-07-01", "2003-10-17", "Calgary", "AB"),
    (7, "King", "Robert", "IT Staff", 6, "1970-05-29", "2004-01-02", "Lethbridge", "AB"),
    (8, "Callahan", "Laura", "IT Staff", 6, "1968-01-09", "2004-03-04", "Lethbridge", "AB"),
]
COUNTRIES = [("USA", 13), ("Canada", 8), ("France", 5), ("Brazil", 5), ("Germany", 4), ("United Kingdom", 3),
             ("Portugal", 2), ("Czech Republic", 2), ("India", 2), ("Argentina", 1), ("Australia", 1),
             ("Austria", 1), ("Belgium", 1), ("Chile", 1), ("Denmark", 1), ("Finland", 1), ("Hungary", 1),
             ("Ireland", 1), ("Italy", 1), ("Netherlands", 1), ("Norway", 1), ("Poland", 1), ("Spain", 1),
             ("Sweden", 1)]
CITIES = {"USA": ["New York", "Chicago", "Boston", "Seattle", "Reno"], "Canada": ["Toronto", "Montréal", "Ottawa"],
          "Brazil": ["São Paulo", "Rio de Janeiro", "Brasília"], "United Kingdom": ["London", "Edinburgh"]}
STATES = {"USA": ["NY", "IL", "MA", "WA", "NV", "CA", "TX"], "Canada": ["ON", "QC", "BC", "AB"],
          "Brazil": ["SP", "RJ", "DF"]}
WORDS = ["Black", "Iron", "Velvet", "Crimson", "Electric", "Silent", "Golden", "Broken", "Midnight", "Stone",
         "River", "Fire", "Echo", "Shadow", "Thunder", "Glass", "Wild", "Blue", "Northern", "Lost", "Sonic",
         "Paper", "Neon", "Desert", "Ocean", "Machine", "Garden", "Royal", "Savage", "Quiet"]
FIRST = ["Luís", "Leonie", "François", "Bjørn", "František", "Helena", "Astrid", "Daan", "Kara", "Eduardo",
         "Alexandre", "Roberto", "Fernanda", "Mark", "Jennifer", "Frank", "Jack", "Michelle", "Tim", "Dan", "Kathy",
         "Heather", "John", "Robert", "Victor", "Richard", "Patrick", "Julia", "Martha", "Aaron", "Ellie", "João",
         "Madalena", "Hannah", "Fynn", "Niklas", "Camille", "Dominique", "Marc", "Wyatt", "Isabelle", "Terhi",
         "Ladislav", "Hugh", "Lucas", "Johannes", "Stanisław", "Enrique", "Joakim", "Emma", "Phil", "Steve",
         "Mark", "Diego", "Luis", "Manoj", "Puja", "Edward", "Sven"]
LAST = ["Gonçalves", "Köhler", "Tremblay", "Hansen", "Wichterlová", "Holý", "Schneider", "Peeters", "Nielsen",
        "Martins", "Rocha", "Almeida", "Ramos", "Philips", "Peterson", "Harris", "Miller", "Brooks", "Goyer",
        "Gordon", "Van Stevens", "Murray", "Smith", "Fernandes", "Sampaio", "Schröder", "Zimmermann", "Girard",
        "Dubois", "Mercier", "Bernard", "Lefebvre", "Hämäläinen", "Kovács", "Mitchell", "Johnson", "Pereira",
        "Silva", "Cunningham", "Stevens", "Taylor", "Chase", "Brown", "Gray", "Ruiz", "Lindqvist", "Jones",
        "Murphy", "Sullivan", "Pareek", "Srivastava", "Francis", "Rojas", "Muñoz", "O'Reilly", "Weber", "Lopez",
        "Kowalski", "Karlsson"]


def _name(rng: random.Random, words: int) -> str:
    return " ".join(rng.sample(WORDS, words))


def tables(seed: int = 1) -> dict[str, Table]:
    """Every Chinook table as columns (name → (arrow type, values))."""
    rng = random.Random(seed)
    t: dict[str, Table] = {}
    t["Artist"] = table(ArtistId=(pa.int64(), list(range(1, 276))),
                        Name=(pa.string(), [_name(rng, 2) for _ in range(275)]))
    album_artist = [rng.randint(1, 204) for _ in range(347)]  # 71 artists have no album, as in the real data
    t["Album"] = table(AlbumId=(pa.int64(), list(range(1, 348))),
                       Title=(pa.string(), [_name(rng, 3) for _ in range(347)]),
                       ArtistId=(pa.int64(), album_artist))
    t["MediaType"] = table(MediaTypeId=(pa.int64(), list(range(1, 6))),
                           Name=(pa.string(), [m for m, _ in MEDIA_TYPES]))
    t["Genre"] = table(GenreId=(pa.int64(), list(range(1, 26))), Name=(pa.string(), GENRES))

    media = [i + 1 for i, (_, n) in enumerate(MEDIA_TYPES) for _ in range(n)]
    rng.shuffle(media)
    n_tracks = len(media)  # 3503
    albums = sorted(list(range(1, 348)) + [rng.randint(1, 347) for _ in range(n_tracks - 347)])
    ms = [int(rng.lognormvariate(12.4, 0.35)) * (10 if m == 3 else 1) for m in media]
    t["Track"] = table(
        TrackId=(pa.int64(), list(range(1, n_tracks + 1))),
        Name=(pa.string(), [_name(rng, rng.randint(1, 3)) for _ in range(n_tracks)]),
        AlbumId=(pa.int64(), albums),
        MediaTypeId=(pa.int64(), media),
        GenreId=(pa.int64(), rng.choices(range(1, 26), GENRE_WEIGHTS, k=n_tracks)),
        Composer=(pa.string(), [None if rng.random() < 0.279 else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                                for _ in range(n_tracks)]),
        Milliseconds=(pa.int64(), ms),
        Bytes=(pa.int64(), [m * 32 + rng.randint(0, 4096) for m in ms]),
        UnitPrice=money([1.99 if m == 3 else 0.99 for m in media]),
    )
    t["Playlist"] = table(PlaylistId=(pa.int64(), list(range(1, 19))), Name=(pa.string(), PLAYLISTS))
    music = sorted(rng.sample(range(1, n_tracks + 1), 3290))
    pl: list[tuple[int, int]] = []
    for pid, size in enumerate(PLAYLIST_SIZES, start=1):
        tracks = music if size == 3290 else sorted(rng.sample(range(1, n_tracks + 1), size))
        pl += [(pid, tr) for tr in tracks]
    t["PlaylistTrack"] = table(PlaylistId=(pa.int64(), [p for p, _ in pl]), TrackId=(pa.int64(), [k for _, k in pl]))

    def when(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text)

    t["Employee"] = table(
        EmployeeId=(pa.int64(), [e[0] for e in EMPLOYEES]), LastName=(pa.string(), [e[1] for e in EMPLOYEES]),
        FirstName=(pa.string(), [e[2] for e in EMPLOYEES]), Title=(pa.string(), [e[3] for e in EMPLOYEES]),
        ReportsTo=(pa.int64(), [e[4] for e in EMPLOYEES]),
        BirthDate=(pa.timestamp("us"), [when(e[5]) for e in EMPLOYEES]),
        HireDate=(pa.timestamp("us"), [when(e[6]) for e in EMPLOYEES]),
        Address=(pa.string(), [f"{rng.randint(100, 9999)} {rng.choice(WORDS)} Ave SW" for _ in EMPLOYEES]),
        City=(pa.string(), [e[7] for e in EMPLOYEES]), State=(pa.string(), [e[8] for e in EMPLOYEES]),
        Country=(pa.string(), ["Canada"] * len(EMPLOYEES)),
        PostalCode=(pa.string(), [f"T{rng.randint(1, 9)}K {rng.randint(1, 9)}N{rng.randint(1, 9)}" for _ in EMPLOYEES]),
        Phone=(pa.string(), [f"+1 (403) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}" for _ in EMPLOYEES]),
        Fax=(pa.string(), [f"+1 (403) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}" for _ in EMPLOYEES]),
        Email=(pa.string(), [f"{e[2].lower()}@chinookcorp.com" for e in EMPLOYEES]),
    )
    countries = [c for c, n in COUNTRIES for _ in range(n)]
    rng.shuffle(countries)
    n_cust = len(countries)  # 59
    first, last = rng.sample(FIRST, n_cust), rng.sample(LAST, n_cust)
    t["Customer"] = table(
        CustomerId=(pa.int64(), list(range(1, n_cust + 1))),
        FirstName=(pa.string(), first), LastName=(pa.string(), last),
        Company=(pa.string(), [None if rng.random() < 0.83 else f"{rng.choice(WORDS)} Inc." for _ in countries]),
        Address=(pa.string(), [f"{rng.randint(1, 999)} {rng.choice(WORDS)} Street" for _ in countries]),
        City=(pa.string(), [rng.choice(CITIES.get(c, [c + " City"])) for c in countries]),
        State=(pa.string(), [rng.choice(STATES[c]) if c in STATES else None for c in countries]),
        Country=(pa.string(), countries),
        PostalCode=(pa.string(), [None if rng.random() < 0.07 else f"{rng.randint(1000, 99999)}" for _ in countries]),
        Phone=(pa.string(), [f"+{rng.randint(1, 99)} {rng.randint(10, 999)} {rng.randint(100000, 9999999)}"
                             for _ in countries]),
        Fax=(pa.string(), [None if rng.random() < 0.8 else f"+{rng.randint(1, 99)} {rng.randint(100000, 9999999)}"
                           for _ in countries]),
        Email=(pa.string(), [f"{f.lower()}.{x.lower().replace(' ', '')}{i}@example.com"
                             for i, (f, x) in enumerate(zip(first, last, strict=True))]),
        SupportRepId=(pa.int64(), [rng.choice([3, 4, 5]) for _ in countries]),
    )
    # seven invoices per customer in the real data's 1, 2, 2, 4, 6, 9, 14-line cycle, about one every 4.4 days
    prices = t["Track"]["UnitPrice"][1]
    inv: dict[str, list] = {k: [] for k in ("InvoiceId", "CustomerId", "InvoiceDate", "BillingAddress", "BillingCity",
                                            "BillingState", "BillingCountry", "BillingPostalCode", "Total")}
    lines: dict[str, list] = {k: [] for k in ("InvoiceLineId", "InvoiceId", "TrackId", "UnitPrice", "Quantity")}
    cust = t["Customer"]
    day, cycle = dt.datetime(2009, 1, 1), [1, 2, 2, 4, 6, 9, 14]
    for i in range(412):
        c = (i * 8) % n_cust  # the real data walks the customers in a fixed stride
        invoice_id, size = i + 1, cycle[i % 7]
        start = rng.randint(1, n_tracks - 40)
        total = 0.0
        for k in range(size):
            track = start + 2 * k
            lines["InvoiceLineId"].append(len(lines["InvoiceLineId"]) + 1)
            lines["InvoiceId"].append(invoice_id)
            lines["TrackId"].append(track)
            lines["UnitPrice"].append(prices[track - 1])
            lines["Quantity"].append(1)
            total += prices[track - 1]
        for k, v in (("InvoiceId", invoice_id), ("CustomerId", c + 1), ("InvoiceDate", day),
                     ("BillingAddress", cust["Address"][1][c]), ("BillingCity", cust["City"][1][c]),
                     ("BillingState", cust["State"][1][c]), ("BillingCountry", cust["Country"][1][c]),
                     ("BillingPostalCode", cust["PostalCode"][1][c]), ("Total", round(total, 2))):
            inv[k].append(v)
        day += dt.timedelta(days=rng.choice([3, 4, 5, 5, 6]))
    t["Invoice"] = table(
        InvoiceId=(pa.int64(), inv["InvoiceId"]), CustomerId=(pa.int64(), inv["CustomerId"]),
        InvoiceDate=(pa.timestamp("us"), inv["InvoiceDate"]), BillingAddress=(pa.string(), inv["BillingAddress"]),
        BillingCity=(pa.string(), inv["BillingCity"]), BillingState=(pa.string(), inv["BillingState"]),
        BillingCountry=(pa.string(), inv["BillingCountry"]),
        BillingPostalCode=(pa.string(), inv["BillingPostalCode"]), Total=money(inv["Total"]),
    )
    t["InvoiceLine"] = table(
        InvoiceLineId=(pa.int64(), lines["InvoiceLineId"]), InvoiceId=(pa.int64(), lines["InvoiceId"]),
        TrackId=(pa.int64(), lines["TrackId"]), UnitPrice=money(lines["UnitPrice"]),
        Quantity=(pa.int64(), lines["Quantity"]),
    )
    return t
