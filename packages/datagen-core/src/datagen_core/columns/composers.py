"""Values composed vectorized — random digits and small pools assembled in one pass per chunk, with check digits
computed, not drawn by rejection: payment card numbers (Luhn), IBANs (ISO 7064 mod 97-10), EAN-13/8, UPC-A,
ISBN-13/10, hashes of the right length, IPv6 and MAC addresses, sentences and paragraphs from word pools, phone
numbers and street addresses in the locale's own formats, US SSNs, and email domains (free-mail providers by
their shares and a Zipf tail of company domains). Nearly all distinct at any size.

>>> sorted(set(COMPOSERS) & {"credit_card_number", "iban", "ean13", "sha256"})
['credit_card_number', 'ean13', 'iban', 'sha256']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..arrays import fixed_width, from_numpy, indices, strings, text

_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UPPER = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)

# ------------------------------------------------------------------------------------------- composers


def _digits(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return rng.integers(0, 10, (n, k), dtype=np.int64)


def luhn_digit(digits: np.ndarray) -> np.ndarray:
    """The Luhn check digit of each row of ``digits`` (the payload, most significant first).

    >>> luhn_digit(np.array([[7, 9, 9, 2, 7, 3, 9, 8, 7, 1]])).tolist()  # 79927398713
    [3]
    """
    rev = digits[:, ::-1]
    doubled = rev.copy()
    doubled[:, 0::2] *= 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    return (10 - doubled.sum(axis=1) % 10) % 10


def _codes(parts: list[np.ndarray]) -> pa.Array:
    return fixed_width(np.concatenate(parts, axis=1).astype(np.uint8))


#: (prefix, length) of the card schemes, by Faker's card type names
CARD_SCHEMES = {"visa": [("4", 16)], "mastercard": [("51", 16), ("52", 16), ("53", 16), ("54", 16), ("55", 16),
                                                     ("2221", 16), ("2720", 16)],
                "amex": [("34", 15), ("37", 15)], "discover": [("6011", 16), ("65", 16)],
                "jcb": [("3528", 16), ("3589", 16)], "diners": [("36", 14), ("38", 14)]}


def credit_card_number(rng: np.random.Generator, n: int, card_type: str | None = None) -> pa.Array:
    """Card numbers with a scheme prefix, random digits and a valid Luhn check digit (one length per scheme)."""
    schemes = CARD_SCHEMES.get(card_type or "") or [s for v in CARD_SCHEMES.values() for s in v]
    pick = rng.integers(0, len(schemes), n)
    out: pa.Array | None = None
    for k, (prefix, length) in enumerate(schemes):
        rows = pick == k
        m = int(rows.sum())
        if not m:
            continue
        head = np.tile(np.array([int(c) for c in prefix], dtype=np.int64), (m, 1))
        payload = np.concatenate([head, _digits(rng, m, length - len(prefix) - 1)], axis=1)
        codes = _codes([_DIGITS[payload], _DIGITS[luhn_digit(payload)][:, None]])
        part = np.nonzero(rows)[0]
        out = scatter(out, n, part, codes)
    return out


def scatter(out: pa.Array | None, n: int, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """``values`` placed at ``rows`` of a column of ``n`` rows, over ``out`` (nulls when None)."""
    base = out if out is not None else pa.nulls(n, values.type)
    positions = np.full(n, -1, dtype=np.int64)
    positions[rows] = np.arange(len(rows))
    taken = values.take(indices(np.where(positions >= 0, positions, 0)))
    return pc.if_else(from_numpy(positions >= 0), taken, base)


#: ISO 13616 BBAN shapes (``9``: digit, ``A``: upper-case letter) of common IBAN countries
IBAN_FORMATS = {"DE": "999999999999999999", "GB": "AAAA99999999999999", "FR": "9999999999AAAAAAAAAAA99",
                "ES": "99999999999999999999", "IT": "A9999999999AAAAAAAAAAAA", "NL": "AAAA9999999999",
                "BE": "999999999999", "AT": "9999999999999999", "CH": "99999AAAAAAAAAAAA", "PL": "999999999999999999999999",
                "SE": "99999999999999999999", "DK": "99999999999999", "FI": "99999999999999",
                "NO": "99999999999", "PT": "999999999999999999999", "IE": "AAAA99999999999999",
                "CZ": "99999999999999999999", "SK": "99999999999999999999", "HU": "999999999999999999999999"}
_LOCALE_COUNTRY = {"en": "GB", "en-gb": "GB", "de": "DE", "de-at": "AT", "de-ch": "CH", "fr": "FR", "es": "ES",
                   "it": "IT", "nl": "NL", "nl-be": "BE", "pl": "PL", "sv": "SE", "da": "DK", "fi": "FI", "no": "NO",
                   "pt": "PT", "cs": "CZ", "sk": "SK", "hu": "HU"}


def iban(rng: np.random.Generator, n: int, locale: str = "en") -> pa.Array:
    """IBANs of the locale's country (GB for English, DE when unknown) with valid ISO 7064 mod 97-10 check
    digits, computed column by column over the whole chunk.

    >>> v = iban(np.random.default_rng(1), 3, "de").to_pylist()
    >>> [len(x) for x in v], all(int("".join(str(int(c, 36)) for c in x[4:] + x[:4])) % 97 == 1 for x in v)
    ([22, 22, 22], True)
    """
    country = _LOCALE_COUNTRY.get(locale.lower(), _LOCALE_COUNTRY.get(locale.lower()[:2], "DE"))
    shape = IBAN_FORMATS[country]
    letters = np.array([c == "A" for c in shape])
    values = np.where(letters[None, :], rng.integers(0, 26, (n, len(shape))), rng.integers(0, 10, (n, len(shape))))
    # mod 97 of BBAN + country letters (A=10 … Z=35) + "00", one character at a time
    r = np.zeros(n, dtype=np.int64)
    for j, is_letter in enumerate(letters):
        v = values[:, j] + (10 if is_letter else 0)
        r = (r * (100 if is_letter else 10) + v) % 97
    for ch in country:
        r = (r * 100 + (ord(ch) - 55)) % 97
    check = 98 - (r * 100) % 97
    bban = np.where(letters[None, :], _UPPER[np.minimum(values, 25)], _DIGITS[np.minimum(values, 9)])
    head = np.tile(np.frombuffer(country.encode(), dtype=np.uint8), (n, 1))
    return _codes([head, _DIGITS[check // 10][:, None], _DIGITS[check % 10][:, None], bban])


def _gtin(rng: np.random.Generator, n: int, length: int, prefix: str = "") -> pa.Array:
    """GTIN (EAN-13, EAN-8, UPC-A) with the mod-10 check digit (weights 3 and 1 from the right)."""
    head = np.tile(np.array([int(c) for c in prefix], dtype=np.int64), (n, 1)) if prefix else np.zeros((n, 0), np.int64)
    payload = np.concatenate([head, _digits(rng, n, length - 1 - len(prefix))], axis=1)
    weights = np.where(np.arange(length - 1)[::-1] % 2 == 0, 3, 1)
    check = (10 - (payload * weights).sum(axis=1) % 10) % 10
    return _codes([_DIGITS[payload], _DIGITS[check][:, None]])


def isbn13(rng: np.random.Generator, n: int) -> pa.Array:
    """``978-…`` ISBN-13 with hyphens (prefix-group-registrant-publication-check) and a valid check digit."""
    plain = _gtin(rng, n, 13, "978")
    return _hyphenate(plain, (3, 1, 4, 4, 1))


def isbn10(rng: np.random.Generator, n: int) -> pa.Array:
    """ISBN-10 with hyphens and the mod-11 check character (``X`` for 10)."""
    payload = _digits(rng, n, 9)
    check = (11 - (payload * np.arange(10, 1, -1)).sum(axis=1) % 11) % 11
    last = np.where(check == 10, ord("X"), _DIGITS[np.minimum(check, 9)])
    return _hyphenate(_codes([_DIGITS[payload], last[:, None].astype(np.uint8)]), (1, 4, 4, 1))


def _hyphenate(values: pa.Array, groups: tuple[int, ...]) -> pa.Array:
    parts, start = [], 0
    for g in groups:
        parts.append(pc.utf8_slice_codeunits(values, start, start + g))
        start += g
    return pc.binary_join_element_wise(*parts, text("-"))


def hex_string(rng: np.random.Generator, n: int, length: int) -> pa.Array:
    return fixed_width(_HEX[rng.integers(0, 16, (n, length))])


def ipv6(rng: np.random.Generator, n: int) -> pa.Array:
    groups = [hex_string(rng, n, 4) for _ in range(8)]
    return pc.binary_join_element_wise(*groups, text(":"))


def mac_address(rng: np.random.Generator, n: int) -> pa.Array:
    octets = rng.integers(0, 16, (n, 12))
    octets[:, 1] &= 0b1110  # a unicast address
    pairs = [fixed_width(_HEX[octets[:, 2 * k:2 * k + 2]]) for k in range(6)]
    return pc.binary_join_element_wise(*pairs, text(":"))


def compose_text(words: pa.Array, rng: np.random.Generator, n: int, sentences: tuple[int, int],
                 words_per: tuple[int, int] = (6, 14)) -> pa.Array:
    """Sentences of ``words_per`` words drawn from a word pool, capitalised, ending in a full stop; ``sentences``
    of them per value, joined by spaces — combinations enough that text columns are mostly distinct."""
    k = rng.integers(sentences[0], sentences[1] + 1, n)
    total = int(k.sum())
    lengths = rng.integers(words_per[0], words_per[1] + 1, total)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    drawn = words.take(indices(rng.integers(0, len(words), int(offsets[-1]))))
    sentence = pc.utf8_capitalize(pc.binary_join(pa.ListArray.from_arrays(from_numpy(offsets), drawn), text(" ")))
    sentence = pc.binary_join_element_wise(sentence, text("."), text(""))
    per = np.concatenate([[0], np.cumsum(k)]).astype(np.int32)
    return pc.binary_join(pa.ListArray.from_arrays(from_numpy(per), sentence), text(" "))


#: method -> composer(rng, n, locale, args) -> values
COMPOSERS: dict[str, Callable[..., pa.Array]] = {
    "credit_card_number": lambda rng, n, loc, a: credit_card_number(rng, n, a.get("card_type")),
    "iban": lambda rng, n, loc, a: iban(rng, n, loc),
    "ean": lambda rng, n, loc, a: _gtin(rng, n, int(a.get("length", 13))),
    "ean13": lambda rng, n, loc, a: _gtin(rng, n, 13), "ean8": lambda rng, n, loc, a: _gtin(rng, n, 8),
    "localized_ean13": lambda rng, n, loc, a: _gtin(rng, n, 13), "localized_ean8": lambda rng, n, loc, a: _gtin(rng, n, 8),
    "upc_a": lambda rng, n, loc, a: _gtin(rng, n, 12),
    "isbn13": lambda rng, n, loc, a: isbn13(rng, n), "isbn10": lambda rng, n, loc, a: isbn10(rng, n),
    "md5": lambda rng, n, loc, a: hex_string(rng, n, 32), "sha1": lambda rng, n, loc, a: hex_string(rng, n, 40),
    "sha256": lambda rng, n, loc, a: hex_string(rng, n, 64),
    "ipv6": lambda rng, n, loc, a: ipv6(rng, n), "mac_address": lambda rng, n, loc, a: mac_address(rng, n),
}


# ------------------------------------------------------------------------------------------- people and places
# (composed from mimesis' locale data — its masks, street names and formats — so values are locale-true and
# almost all distinct; ``_dataset`` is mimesis' loaded locale file: when a release renames it, the pools serve)


def _mimesis_data(provider: str, locale: str) -> dict[str, Any]:
    import mimesis

    try:
        return dict(getattr(getattr(mimesis, provider)(mimesis.Locale(locale)), "_dataset", {}) or {})
    except (ValueError, KeyError, AttributeError):
        return {}


def phone_numbers(rng: np.random.Generator, n: int, locale: str) -> pa.Array | None:
    """Numbers in the locale's own formats (mimesis' masks), every ``#`` a random digit."""
    from .faker_pools import template

    masks = [m for m in _mimesis_data("Person", locale).get("telephone_fmt", []) if "#" in m]
    if not masks:
        return None
    if n == 0:
        return strings([])
    pick = rng.integers(0, len(masks), n)
    out = None
    for k, mask in enumerate(masks):
        rows = np.nonzero(pick == k)[0]
        if len(rows):
            out = scatter(out, n, rows, template(mask, rows, rng, False))
    return out


_FIELD = re.compile(r"\{(\w*)\}")


def street_addresses(rng: np.random.Generator, n: int, locale: str) -> pa.Array | None:
    """``{st_num} {st_name} {st_sfx}`` in the locale's order (``Salzachstraße 276``, ``276 Boulevard Du Preche``):
    house numbers mostly small (a long tail to four digits), street names and suffixes from the locale's lists."""
    data = _mimesis_data("Address", locale)
    fmt, street = data.get("address_fmt"), data.get("street") or {}
    names, suffixes = list(street.get("name") or []), list(street.get("suffix") or [])
    fields = _FIELD.findall(fmt or "")
    if not names or not fields or set(fields) - {"st_num", "st_name", "st_sfx"}:
        return None
    number = np.minimum(np.ceil(rng.lognormal(4.5, 1.3, n)), 9999).astype(np.int64)
    parts = {"st_num": pc.cast(from_numpy(number), pa.string()),
             "st_name": strings(names).take(indices(rng.integers(0, len(names), n))),
             "st_sfx": strings(suffixes or [""]).take(indices(rng.integers(0, max(len(suffixes), 1), n)))}
    pieces: list[pa.Array | pa.Scalar] = []
    for i, literal in enumerate(_FIELD.split(fmt or "")):
        if i % 2:
            pieces.append(parts[literal])
        elif literal:
            pieces.append(text(literal))
    return pc.binary_join_element_wise(*pieces, text(""))


#: free-mail providers and their rough shares of personal addresses, worldwide and per language
FREE_MAIL = {"gmail.com": 40, "yahoo.com": 9, "hotmail.com": 7, "outlook.com": 6, "icloud.com": 5, "aol.com": 2,
             "proton.me": 1, "live.com": 1, "msn.com": 1, "mail.com": 1}
LOCAL_MAIL = {"de": {"gmx.de": 12, "web.de": 12, "t-online.de": 6}, "fr": {"orange.fr": 10, "free.fr": 8, "laposte.net": 4},
              "en-gb": {"btinternet.com": 6, "sky.com": 3}, "it": {"libero.it": 10, "virgilio.it": 4},
              "es": {"telefonica.net": 3}, "ru": {"mail.ru": 20, "yandex.ru": 18}, "ja": {"yahoo.co.jp": 15},
              "pl": {"wp.pl": 12, "o2.pl": 8}, "cs": {"seznam.cz": 25}, "nl": {"ziggo.nl": 6, "kpnmail.nl": 4},
              "pt-br": {"uol.com.br": 8, "bol.com.br": 5}, "zh": {"qq.com": 30, "163.com": 15}}
COMPANY_SHARE = 0.3  # addresses at a company domain: a long tail, a few large employers
_TLDS = ("com", "com", "com", "net", "io", "co", "org", "biz")


@functools.lru_cache(maxsize=64)
def _company_domains(locale: str, seed: int) -> pa.Array:
    from .faker_pools import build_pool, slug

    words = build_pool("last_name", locale, seed).values.to_pylist()
    extra = build_pool("word", locale, seed + 1).values.to_pylist()
    rng = np.random.default_rng(seed)
    out = []
    for i, w in enumerate(words):
        stem = slug(w)
        if i % 3 == 0:
            stem += "-" + slug(extra[i % len(extra)])
        out.append(f"{stem}.{_TLDS[int(rng.integers(0, len(_TLDS)))]}")
    return strings(out)


@functools.lru_cache(maxsize=64)
def _free_mail(locale: str) -> tuple[list[str], np.ndarray]:
    """The free-mail providers of a locale (the worldwide ones and its own) and their cumulative shares."""
    shares = {**FREE_MAIL, **LOCAL_MAIL.get(locale.lower(), LOCAL_MAIL.get(locale.lower()[:2], {}))}
    weights = np.array(list(shares.values()), dtype=np.float64)
    return list(shares), np.cumsum(weights) / weights.sum()


def _free_index(rng: np.random.Generator, n: int, locale: str) -> np.ndarray:
    names, cdf = _free_mail(locale)
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(names) - 1)


def free_domains(rng: np.random.Generator, n: int, locale: str) -> pa.Array:
    """Free-mail providers by their shares, the locale's own among them."""
    return strings(_free_mail(locale)[0]).take(indices(_free_index(rng, n, locale)))


@functools.lru_cache(maxsize=8)
def _zipf_cdf(size: int, exponent: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1, dtype=np.float64) ** exponent
    return np.cumsum(weights) / weights.sum()


def _company_index(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    return np.minimum(np.searchsorted(_zipf_cdf(size), rng.random(n), side="right"), size - 1)


def company_domains(rng: np.random.Generator, n: int, locale: str, seed: int) -> pa.Array:
    """Company domains with Zipf weights (rank r ∝ 1/r^1.1) over thousands: a few large employers, a long tail —
    drawn through the inverse CDF (numpy's own zipf sampler is slow this close to 1)."""
    companies = _company_domains(locale, seed)
    return companies.take(indices(_company_index(rng, n, len(companies))))


def email_domains(rng: np.random.Generator, n: int, locale: str, seed: int) -> pa.Array:
    """A domain per row: a free-mail provider, or — for ``COMPANY_SHARE`` of rows — a company domain."""
    names = _free_mail(locale)[0]
    companies = _company_domains(locale, seed)
    at_company = rng.random(n) < COMPANY_SHARE
    index = np.where(at_company, len(names) + _company_index(rng, n, len(companies)), _free_index(rng, n, locale))
    return _all_domains(locale, seed).take(indices(index))  # one take from free-mail + company domains


@functools.lru_cache(maxsize=64)
def _all_domains(locale: str, seed: int) -> pa.Array:
    return pa.concat_arrays([strings(_free_mail(locale)[0]), _company_domains(locale, seed)])


def us_ssn(rng: np.random.Generator, n: int, locale: str) -> pa.Array | None:
    """US Social Security numbers ``AAA-GG-SSSS`` as issued: area 001–899 but 666, group 01–99, serial
    0001–9999 (None for other locales: their national numbers come from Faker's pools)."""
    if locale.lower().replace("_", "-") not in ("en", "en-us"):
        return None
    area = rng.integers(1, 899, n)
    area = np.where(area >= 666, area + 1, area)  # 666 is never issued
    parts = [area // 100, area // 10 % 10, area % 10]
    group, serial = rng.integers(1, 100, n), rng.integers(1, 10_000, n)
    parts += [group // 10, group % 10, serial // 1000, serial // 100 % 10, serial // 10 % 10, serial % 10]
    d = np.stack(parts, axis=1)
    dash = np.full((n, 1), ord("-"), dtype=np.uint8)
    return _codes([_DIGITS[d[:, :3]], dash, _DIGITS[d[:, 3:5]], dash, _DIGITS[d[:, 5:]]])
