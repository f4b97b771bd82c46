r"""A column's generator when the source says no more than its name, type and perhaps a pattern.

- **Names** (:func:`hinted`): a text column named like what it holds (``customer_email``, ``zip``) gets that Faker
  method; a number named like a measure (:func:`measure`: ``quantity``, ``unit_price``, ``age``, ``rating``,
  ``duration_minutes``) gets that measure's usual shape instead of a flat 0..1000.
- **Patterns** (:func:`template_of`): a source's regular expression for a text column (SDV's ``regex_format``, a
  Frictionless or data-contract ``pattern``) as the generator's ``bothify`` template, when the expression is simple
  enough for one template to match it in full: literal characters, digits (``\d``, ``[0-9]``) and capital letters
  (``[A-Z]``), each with a fixed or bounded count. ``#`` is a digit of the template and ``?`` a capital letter. A
  key made from a template is unique by construction, up to the template's number of combinations. Anything else
  (alternatives, groups, other character classes, lower-case letters) gives ``None``: the pattern stays a
  constraint and the importer says its generated values do not follow it.

>>> [template_of(r) for r in ("HID_[0-9]{3,4}", r"^\d{3}-\d{2}-\d{4}$", "[A-Z]{2}[0-9]+", r"INV\.\d{2,}")]
['HID_####', '###-##-####', '??######', 'INV.######']
>>> [template_of(r) for r in ("(a|b)", "[a-z]+", "x.y", r"#\d", "")]
[None, None, None, None, None]
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from datagen_contracts.dsl.base import FAKER_METHODS
from datagen_contracts.text import name_words as words

if TYPE_CHECKING:
    from .layout import Field

#: Faker methods the generator keeps unique when the column is declared unique (a unique ``email`` stays e-mails)
UNIQUE_BY_CONSTRUCTION = ("email", "user_name")

#: a token of the subset: a digit or capital-letter class, an escaped punctuation character or a plain literal,
#: then an optional count
_TOKEN = re.compile(r"(\\d|\[0-9\]|\[A-Z\]|\\[^\w\s]|[^\\\[\](){}|.*+?^$#])(\{(\d+)(?:(,)(\d*))?\}|[+*?])?")
UNBOUNDED = 6  # the repetitions of ``+``, ``*`` and ``{n,}``: enough combinations for a key of a million rows


def template_of(regex: str) -> str | None:
    """The bothify template every value of which ``regex`` matches in full, or None (see the module)."""
    body = regex.removeprefix("^").removesuffix("$")
    out: list[str] = []
    pos = 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if m is None:
            return None
        atom, count = m.group(1), m.group(2)
        slot = "#" if atom in (r"\d", "[0-9]") else "?" if atom == "[A-Z]" else atom.removeprefix("\\")
        if slot in "#?" and len(atom) == 2 and atom.startswith("\\") and atom != r"\d":
            return None  # an escaped # or ? would read as a slot
        out.append(slot * _repetitions(count, m.group(3), m.group(4), m.group(5)))
        pos = m.end()
    template = "".join(out)
    if not template:
        return None
    sample = template.replace("#", "0").replace("?", "A")
    return template if re.fullmatch(regex, sample) else None


def _repetitions(count: str | None, low: str | None, comma: str | None, high: str | None) -> int:
    if count is None or count == "?":  # an optional character is written
        return 1
    if count in ("+", "*"):
        return UNBOUNDED
    if comma is None:  # {n}
        return int(low or 1)
    return int(high) if high else max(int(low or 0), UNBOUNDED)  # {n,m}: the most; {n,}: n or more


def capacity(template: str) -> int:
    """How many distinct values a template makes (10 per ``#``, 26 per ``?``).

    >>> capacity("HID_###"), capacity("??-#")
    (1000, 6760)
    """
    return 10 ** template.count("#") * 26 ** template.count("?")


#: words of a column name → the Faker method that makes such values (used when the source names none)
NAME_HINTS = (
    ({"email", "mail", "emailaddress"}, "email"), ({"phone", "telephone", "mobile", "phonenumber"}, "phone_number"),
    ({"firstname", "givenname", "forename"}, "first_name"), ({"lastname", "surname", "familyname"}, "last_name"),
    ({"city", "town"}, "city"), ({"country"}, "country"), ({"province"}, "state"),
    ({"street", "address", "streetaddress"}, "street_address"),
    ({"zip", "zipcode", "postcode", "postal", "postalcode"}, "postcode"),
    ({"url", "website", "homepage"}, "url"), ({"company", "employer", "companyname"}, "company"),
    ({"uuid", "guid"}, "uuid4"), ({"ip", "ipaddress"}, "ipv4"), ({"occupation", "jobtitle"}, "job"),
    ({"description", "comment", "comments", "notes", "note", "body", "message"}, "sentence"),
    ({"currency"}, "currency_code"), ({"color", "colour"}, "color_name"), ({"username", "login"}, "user_name"),
)
#: a text format another tool declares (JSON Schema / Frictionless / a data contract ``format``) → its Faker method
FORMAT_METHODS = {"email": "email", "idn-email": "email", "uri": "url", "url": "url", "uuid": "uuid4", "ipv4": "ipv4",
                  "hostname": "domain_name"}
#: a person's full name: ``name`` alone or beside words that say whose (``customer_name``), not ``product_name``
_PERSON = {"name", "full", "fullname", "customer", "contact", "person", "user", "employee", "author", "owner"}


def faker_method(name: str) -> str | None:
    """A Faker method of ours spelled as another tool spells it (``FirstName``, ``first_name``, ``phone_number``)."""
    snake = "_".join(words(name))
    return snake if snake in FAKER_METHODS else None


def hinted(name: str) -> str | None:
    """The Faker method a column's name asks for, if one of :data:`NAME_HINTS` does (the whole name first, then
    its words from the last: ``customer_email`` is an email).

    >>> [hinted(n) for n in ("first_name", "customerEmail", "contact_name", "product_name", "last_seen", "state")]
    ['first_name', 'email', 'name', None, None, None]
    """
    toks = words(name)
    for tok in ["".join(toks), *reversed(toks)]:
        for names, method in NAME_HINTS:
            if tok in names:
                return method
    return "name" if toks and set(toks) <= _PERSON and ("name" in toks or "fullname" in toks) else None


def values_of(f: Field, where: str, notes: list[str]) -> dict[str, Any]:
    """The column's ``generator`` (and ``decimals`` for a measure of money) from what the source says of ``f``."""
    if f.type == "bool":
        return {"generator": {"choice": {"choices": [True, False]}}}
    if f.type in ("date", "datetime"):
        within: Any = {"start": f.window[0], "end": f.window[1]} if f.window else "timeframe"
        return {"generator": {"datetime_series": {"within": within, **({"freq": "D"} if f.type == "date" else {})}}}
    if f.type in ("int", "float"):
        return _number(f, where, notes)
    method = (f.hint if f.hint in FAKER_METHODS else None) or hinted(f.name)
    if method is None and f.category:
        labels = [f"{words(f.name)[-1] if words(f.name) else 'value'} {c}" for c in "ABCDE"]
        if f.max_length is not None and len(labels[0]) > f.max_length:  # a CHAR(1) status: "A" … "E", still five
            labels = list("ABCDE")
        notes.append(f"{where}: a category whose values the source does not list; five placeholders "
                     f"({labels[0]!r} …) in equal shares (edit its choices)")
        return {"generator": {"choice": {"choices": labels}}}
    if method is None:
        notes.append(f"{where}: text with no format or name to go by; generated as words (edit its generator)")
        method = "word"
    return {"generator": {"faker": {"method": method}}}


#: a number's usual shape by the last word of its name (``unit_price``, ``order_total``, ``session_minutes``):
#: (words, what it is, distribution and parameters, clamp, decimals of a float). Medians, not means, for money
_MEASURES: tuple[tuple[frozenset[str], str, str, dict[str, float], tuple[float, float], int], ...] = (
    (frozenset({"age"}), "an age", "normal", {"mean": 38, "std": 14}, (18, 90), 0),
    (frozenset({"quantity", "qty", "quantities", "units"}), "a quantity", "poisson", {"lambda": 2}, (1, 100), 0),
    (frozenset({"count", "visits", "views", "clicks", "sessions", "attempts", "nights", "guests", "seats", "pages",
                "logins"}), "a count", "poisson", {"lambda": 3}, (0, 1000), 0),
    (frozenset({"price", "msrp", "rrp"}), "a price", "lognormal", {"mean": math.log(25), "sigma": 0.9}, (0.5, 10_000), 2),
    (frozenset({"amount", "total", "subtotal", "revenue", "cost", "balance", "charge", "payment", "spend", "sales"}),
     "an amount of money", "lognormal", {"mean": math.log(80), "sigma": 1.0}, (0, 100_000), 2),
    (frozenset({"fee", "fees", "tax", "tip", "shipping", "freight", "surcharge"}), "a fee", "lognormal",
     {"mean": math.log(6), "sigma": 0.7}, (0, 1_000), 2),
    (frozenset({"salary", "income", "wage", "wages", "compensation"}), "a salary", "lognormal",
     {"mean": math.log(55_000), "sigma": 0.45}, (10_000, 1_000_000), 2),
    (frozenset({"cents"}), "money in cents", "lognormal", {"mean": math.log(8_000), "sigma": 1.0}, (0, 10_000_000), 0),
    (frozenset({"rating", "stars"}), "a rating", "normal", {"mean": 4.0, "std": 0.9}, (1, 5), 1),
    (frozenset({"score"}), "a score", "normal", {"mean": 70, "std": 15}, (0, 100), 1),
    (frozenset({"percent", "percentage", "pct"}), "a percentage", "uniform", {"low": 0, "high": 100}, (0, 100), 1),
    (frozenset({"ratio", "probability", "share", "fraction", "proportion", "likelihood"}), "a share", "uniform",
     {"low": 0, "high": 1}, (0, 1), 3),
    (frozenset({"seconds", "secs", "duration"}), "a duration in seconds", "lognormal", {"mean": math.log(90), "sigma": 1.2},
     (0, 86_400), 1),
    (frozenset({"minutes", "mins"}), "minutes", "lognormal", {"mean": math.log(20), "sigma": 0.8}, (0, 1_440), 1),
    (frozenset({"hours", "hrs"}), "hours", "lognormal", {"mean": math.log(2), "sigma": 0.8}, (0, 168), 1),
    (frozenset({"days"}), "days", "lognormal", {"mean": math.log(5), "sigma": 1.0}, (0, 3_650), 1),
    (frozenset({"latitude", "lat"}), "a latitude", "uniform", {"low": -90, "high": 90}, (-90, 90), 6),
    (frozenset({"longitude", "lng", "lon"}), "a longitude", "uniform", {"low": -180, "high": 180}, (-180, 180), 6),
)
_COUNT_PREFIX = {"num", "n", "number", "nb", "no", "total"}  # num_orders, n_items, number_of_seats, total_visits
_COUNT = next(m[1:] for m in _MEASURES if m[1] == "a count")


def measure(name: str) -> tuple[str, str, dict[str, float], tuple[float, float], int] | None:
    """What a number's name says it measures, by its last word (``num_``/``n_`` + a plural: a count), if anything.

    >>> [measure(n)[0] if measure(n) else None for n in ("unitPrice", "order_total", "num_orders", "age", "tax_rate",
    ...                                                   "avg_session_minutes", "zip")]
    ['a price', 'an amount of money', 'a count', 'an age', None, 'minutes', None]
    """
    toks = words(name)
    if not toks:
        return None
    for names, what, kind, params, clamp, decimals in _MEASURES:
        if toks[-1] in names:
            return what, kind, params, clamp, decimals
    if len(toks) > 1 and toks[0] in _COUNT_PREFIX and toks[-1].endswith("s") and toks[-1] not in ("sales", "ss"):
        return _COUNT
    return None


def _number(f: Field, where: str, notes: list[str]) -> dict[str, Any]:
    """A number the source bounds on both sides is uniform between the bounds; else its name's measure, clamped to
    what the source and its type allow; else uniform from 0 to 1000. Each choice is a note."""
    lo_cap = f.cap[0] if f.cap[0] is not None else -math.inf
    hi_cap = f.cap[1] if f.cap[1] is not None else math.inf
    shape = measure(f.name) if f.low is None or f.high is None else None
    if shape is not None:
        what, kind, params, (low, high), decimals = shape
        low, high = max(low, lo_cap, f.low if f.low is not None else -math.inf), min(high, hi_cap, f.high if f.high is not None else math.inf)
        if low < high:
            median = math.exp(params["mean"]) if kind == "lognormal" else None
            said = f"lognormal, median {median:,.4g}" if median else kind
            notes.append(f"{where}: {what} by its name: {said}, within {low:g}..{high:g} (the source gives no "
                         f"{'range' if f.low is None and f.high is None else 'bound on one side'}); edit its distribution")
            params = {"low": low, "high": high} if kind == "uniform" else params  # no mass piled on a bound
            out: dict[str, Any] = {"generator": {"distribution": {"type": kind, "params": dict(params),
                                                                   "clamp": [low, high]}}}
            if f.type == "float" and f.decimals is None and decimals:
                out["decimals"] = decimals
            return out
    low = f.low if f.low is not None else max(0, f.cap[0] if f.cap[0] is not None else 0)
    high = f.high if f.high is not None else min(max(low, 0) + 1000, f.cap[1] if f.cap[1] is not None else 1e308)
    if f.low is None or f.high is None:
        notes.append(f"{where}: numbers drawn uniformly from {low:g} to {high:g} (the source gives no "
                     f"{'range' if f.low is None and f.high is None else 'bound on one side'}); edit its distribution")
    return {"generator": {"distribution": {"type": "uniform", "params": {"low": low, "high": high}, "clamp": [low, high]}}}


    method = (f.hint if f.hint in FAKER_METHODS else None) or hinted(f.name)
    if method is None and f.category:
        labels = [f"{words(f.name)[-1] if words(f.name) else 'value'} {c}" for c in "ABCDE"]
        if f.max_length is not None and len(labels[0]) > f.max_length:  # a CHAR(1) status: "A" … "E", still five
            labels = list("ABCDE")
        notes.append(f"{where}: a category whose values the source does not list; five placeholders "
                     f"({labels[0]!r} …) in equal shares (edit its choices)")
        return {"choice": {"choices": labels}}
    if method is None:
        notes.append(f"{where}: text with no format or name to go by; generated as words (edit its generator)")
        method = "word"
    return {"faker": {"method": method}}


def typed(value: Any, kind: str) -> Any:
    try:
        return int(value) if kind == "int" else float(value) if kind == "float" else (
            value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")) if kind == "bool" else str(value)
    except (TypeError, ValueError):
        return str(value)
