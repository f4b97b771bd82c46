"""Realistic strings from mimesis, built once per (method, locale, seed) into pools sampled by index.

A pool is built with a seeded mimesis provider (one Python call per pool entry, a few thousand per pool), then
every row is a vectorized ``take`` from it — no per-row Python on the hot path. Methods that are pure arithmetic
(uuid4, ipv4, coordinates, numerify/bothify templates) are generated directly from the random stream.

>>> pool = build_pool("first_name", "de", 7, size=50)
>>> len(pool.values) == 50 and all(isinstance(v, str) for v in pool.values.to_pylist())
True
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..arrays import fixed_width, indices, strings, text
from ..errors import required

POOL_SIZE = 4096

#: country codes / names and cities → mimesis locale; anything unknown falls back to English
COUNTRY_LOCALES = {
    "US": "en", "USA": "en", "UK": "en-gb", "GB": "en-gb", "IE": "en-gb", "CA": "en-ca", "AU": "en-au",
    "NZ": "en-au", "DE": "de", "AT": "de-at", "CH": "de-ch", "FR": "fr", "BE": "nl-be", "NL": "nl", "CZ": "cs",
    "SK": "sk", "PL": "pl", "ES": "es", "MX": "es-mx", "IT": "it", "PT": "pt", "BR": "pt-br", "SE": "sv",
    "NO": "no", "DK": "da", "FI": "fi", "EE": "et", "HU": "hu", "HR": "hr", "GR": "el", "TR": "tr", "RU": "ru",
    "UA": "uk", "JP": "ja", "KR": "ko", "CN": "zh", "IS": "is", "KZ": "kk",
    "UNITED STATES": "en", "UNITED KINGDOM": "en-gb", "GERMANY": "de", "FRANCE": "fr", "SPAIN": "es",
    "ITALY": "it", "CZECHIA": "cs", "CZECH REPUBLIC": "cs", "POLAND": "pl", "JAPAN": "ja", "BRAZIL": "pt-br",
    "CANADA": "en-ca", "AUSTRALIA": "en-au", "NETHERLANDS": "nl", "SWEDEN": "sv", "MEXICO": "es-mx",
    "NEW YORK": "en", "LONDON": "en-gb", "BERLIN": "de", "MUNICH": "de", "PARIS": "fr", "MADRID": "es",
    "BARCELONA": "es", "ROME": "it", "MILAN": "it", "PRAGUE": "cs", "WARSAW": "pl", "TOKYO": "ja",
    "SAO PAULO": "pt-br", "TORONTO": "en-ca", "SYDNEY": "en-au", "AMSTERDAM": "nl", "STOCKHOLM": "sv",
    "SAN FRANCISCO": "en", "CHICAGO": "en", "LOS ANGELES": "en", "VIENNA": "de-at", "ZURICH": "de-ch",
}


def locale_for(value: object) -> str:
    """A mimesis locale for a country code, country name or city (``"DE"`` → ``"de"``); English when unknown."""
    key = str(value).strip().upper()
    if key in COUNTRY_LOCALES:
        return COUNTRY_LOCALES[key]
    low = str(value).strip().lower().replace("_", "-")
    from mimesis import Locale

    return low if low in {loc.value for loc in Locale} else "en"


def normalize_locale(value: str | None) -> str:
    """Faker-style ``en_US``/``de_DE`` or mimesis ``en``/``de`` → a mimesis locale."""
    if not value:
        return "en"
    low = value.replace("_", "-").lower()
    from mimesis import Locale

    known = {loc.value for loc in Locale}
    if low in known:
        return low
    lang, _, region = low.partition("-")
    if region and region.upper() in COUNTRY_LOCALES:
        return COUNTRY_LOCALES[region.upper()]
    return lang if lang in known else "en"


def slug(text: str) -> str:
    """ASCII, lowercase, letters/digits only (``"Zoë O'Neil"`` → ``"zoeoneil"``) — email local parts."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", folded.lower()) or "user"


@dataclass(frozen=True)
class Pool:
    values: pa.Array  # the strings (or numbers) rows are sampled from
    slugs: pa.Array | None = None  # ascii slugs of name pools, for emails that agree with names


#: method -> (mimesis provider, localized?, call on the provider); only the one provider a pool needs is built
#: (each provider loads its locale's data set, which dominates a small run's start-up)
CALLS = {
    "name": ("Person", True, lambda p: p.full_name()), "first_name": ("Person", True, lambda p: p.first_name()),
    "last_name": ("Person", True, lambda p: p.last_name()), "job": ("Person", True, lambda p: p.occupation()),
    "phone_number": ("Person", True, lambda p: p.telephone()), "address": ("Address", True, lambda a: a.address()),
    "street_address": ("Address", True, lambda a: a.address()), "city": ("Address", True, lambda a: a.city()),
    "state": ("Address", True, lambda a: a.state(abbr=True)), "postcode": ("Address", True, lambda a: a.postal_code()),
    "zipcode": ("Address", True, lambda a: a.zip_code()), "country": ("Address", True, lambda a: a.country()),
    "country_code": ("Address", True, lambda a: a.country_code()), "company": ("Finance", True, lambda f: f.company()),
    "company_suffix": ("Finance", True, lambda f: f.company_type(abbr=True)),
    # half the locale's own currency, half any ISO code (mimesis alone returns the locale's: a constant column)
    "currency_code": ("Finance", True, lambda f: f.currency_iso_code(allow_random=f.random.random() < 0.5)),
    "text": ("Text", True, lambda t: t.text(quantity=2)), "paragraph": ("Text", True, lambda t: t.text(quantity=5)),
    "sentence": ("Text", True, lambda t: t.sentence()), "word": ("Text", True, lambda t: t.word()),
    "color": ("Text", True, lambda t: t.color()), "url": ("Internet", False, lambda i: i.url()),
    "domain_name": ("Internet", False, lambda i: i.hostname()), "slug": ("Internet", False, lambda i: i.slug()),
    "user_agent": ("Internet", False, lambda i: i.user_agent()), "locale": ("Code", False, lambda c: c.locale_code()),
    "language_code": ("Code", False, lambda c: c.locale_code()[:2]),
    "date_of_birth": ("Datetime", False, lambda d: d.date(start=1950, end=2005).isoformat()),
}


def _provider_call(method: str, locale: str, seed: int):
    import mimesis

    provider, localized, call = CALLS[method]
    cls = getattr(mimesis, provider)
    instance = cls(mimesis.Locale(locale), seed=seed) if localized else cls(seed=seed)
    return lambda: call(instance)


@functools.lru_cache(maxsize=256)
def build_pool(method: str, locale: str, seed: int, size: int = POOL_SIZE) -> Pool:
    """``size`` values of ``method`` in ``locale``; name pools also carry ascii slugs for emails."""
    call = _provider_call(method, locale, seed)
    values = [call() for _ in range(size)]
    slugs = strings([slug(v) for v in values]) if method in ("first_name", "last_name", "name") else None
    return Pool(strings(values), slugs)


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_LETTERS = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)


def uuid4(rng: np.random.Generator, n: int) -> pa.Array:
    """RFC-4122 version-4 UUID strings from the stream: ASCII codes assembled in one uint8 matrix.

    >>> s = uuid4(np.random.default_rng(0), 2).to_pylist()
    >>> [len(x) for x in s], s[0][14], s[0][8] + s[0][13] + s[0][18] + s[0][23]
    ([36, 36], '4', '----')
    """
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    nibbles = np.stack([raw >> 4, raw & 0x0F], axis=2).reshape(n, 32)
    codes = np.full((n, 36), ord("-"), dtype=np.uint8)
    codes[:, [i for i in range(36) if i not in (8, 13, 18, 23)]] = _HEX[nibbles]
    return fixed_width(codes)


def ipv4(rng: np.random.Generator, n: int) -> pa.Array:
    """Dotted quads with octets 1–254, joined from a table of the octets' strings (vectorized)."""
    octets, drawn = strings([str(v) for v in range(256)]), rng.integers(1, 255, (n, 4))
    return pc.binary_join_element_wise(*(octets.take(indices(drawn[:, k])) for k in range(4)), text("."))


def template(text_: str, index: np.ndarray, rng: np.random.Generator | None, unique: bool) -> pa.Array:
    """Fill ``#`` (digit) and ``?`` (letter) of a bothify/numerify template, per row.

    With ``unique`` the filled positions encode a bijection of the global row index (an affine permutation mod
    the template's capacity), so a primary key made from a template is unique by construction. The rows are one
    uint8 matrix of UTF-8 bytes (literal characters, even non-ASCII ones, are the same bytes in every row).

    >>> template("Ü-#?", np.arange(2), np.random.default_rng(0), True).to_pylist()
    ['Ü-4P', 'Ü-0U']
    """
    n = len(index)
    pieces = [ch.encode("utf-8") for ch in text_]
    starts = np.cumsum([0] + [len(b) for b in pieces])
    codes = np.tile(np.frombuffer(b"".join(pieces), dtype=np.uint8), (n, 1))
    slots = [(starts[i], ch) for i, ch in enumerate(text_) if ch in "#?"]
    if slots:
        capacity = template_capacity(text_)
        code = None
        if unique:  # int64 while the product cannot overflow, Python ints (object arrays) beyond
            wide = (int(index.max(initial=0)) + 1) * capacity >= 2**62
            code = (index.astype(object if wide else np.int64) * _coprime_multiplier(capacity) + 7919) % capacity
        for pos, ch in reversed(slots):
            radix = 10 if ch == "#" else 26
            if code is not None:
                digit = np.asarray(code % radix, dtype=np.int64)
                code = code // radix
            else:
                digit = required(rng, "a random stream (not unique)").integers(0, radix, n)
            codes[:, pos] = (_DIGITS if ch == "#" else _LETTERS)[digit]
    return fixed_width(codes)


def template_capacity(text: str) -> int:
    cap = 1
    for ch in text:
        cap *= 10 if ch == "#" else 26 if ch == "?" else 1
    return cap


def _coprime_multiplier(capacity: int) -> int:
    import math

    m = int(capacity * 0.6180339887) | 1
    while math.gcd(m, capacity) != 1:
        m += 2
    return m % capacity or 1
