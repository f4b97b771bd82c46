"""How one column or one fanout of the data becomes a DSL generator: text shapes (uuid, codes, e-mails, names…),
children-per-parent distributions fitted from exact counts, and time patterns from the profiles."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from datagen_contracts.report import ColumnProfile

from .model.semantic import Column

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
#: what the values look like → the generator that makes such values (checked on a sample, ≥ 90% must match)
VALUE_SHAPES = (
    (re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"), "email"),
    (re.compile(r"^https?://\S+$"), "url"),
    (re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$"), "ipv4"),
    (re.compile(r"^(?!(?:\D*\d){16})\+?[\d(][\d\s().-]{6,18}\d$"), "phone_number"),  # E.164: at most 15 digits
)
#: generic words of a column name → the generator of such values, used only when the values agree (words:
#: ≥ 2 for a person's name, ≤ 4 for a place)
NAME_WORDS = (
    ({"firstname", "first", "given", "forename"}, "first_name", (1, 1.5)),
    ({"lastname", "last", "surname", "family"}, "last_name", (1, 1.5)),
    ({"name", "fullname", "contact", "customer", "person", "author", "employee", "user"}, "name", (1.8, 4)),
    ({"city", "town", "municipality"}, "city", (1, 4)),
    ({"street", "address", "addr"}, "street_address", (2, 8)),
    ({"company", "employer", "organization", "organisation", "org", "vendor", "supplier"}, "company", (1, 6)),
    ({"state", "province", "region"}, "state", (1, 4)),
    ({"zip", "zipcode", "postcode", "postal"}, "postcode", (1, 2)),
    ({"job", "title", "occupation", "position"}, "job", (1, 6)),
)


def rounded(v: float, digits: int = 6) -> float:
    return float(f"{v:.{digits}g}")


def shape_of(value: str) -> str:
    return re.sub(r"[A-Za-z]", "?", re.sub(r"[0-9]", "#", value))


def text_generator(name: str, values: list[str]) -> dict[str, Any]:
    """The faker generator for a text column, from a sample of its values (and its name where they agree).

    >>> text_generator("contact", ["Ann Lee", "Bo Chen", "Cy Diaz"])
    {'method': 'name'}
    >>> text_generator("ref", ["AB-001", "CD-002", "EF-113"])
    {'method': 'bothify', 'text': '??-###'}
    >>> text_generator("x", ["a@b.io", "c@d.com"])["method"], text_generator("city", ["Ann Lee"] * 3)["method"]
    ('email', 'city')
    >>> text_generator("tel", ["+44 20 7946 0958"])["method"], text_generator("h", ["9223372036854775813"])["method"]
    ('phone_number', 'bothify')
    """
    from .model.roles import tokens

    if values and all(UUID.match(v) for v in values):
        return {"method": "uuid4"}
    for pattern, method in VALUE_SHAPES:
        if values and sum(bool(pattern.match(v)) for v in values) >= 0.9 * len(values):
            return {"method": method}
    words = sum(len(v.split()) for v in values) / max(1, len(values))
    letters = sum(any(ch.isalpha() for ch in v) for v in values) >= 0.9 * len(values)
    parts = {w.casefold() for w in tokens(name)}
    for hints, method, (low, high) in NAME_WORDS:
        if parts & hints and letters and low <= words <= high:
            return {"method": method}
    shapes = Counter(shape_of(v) for v in values)
    if shapes and shapes.most_common(1)[0][1] >= 0.5 * len(values) and len(shapes.most_common(1)[0][0]) <= 40 \
            and words < 2:
        return {"method": "bothify", "text": shapes.most_common(1)[0][0]}
    if words >= 8:
        return {"method": "paragraph" if words >= 30 else "sentence"}
    return {"method": "word" if words < 1.5 else "catch_phrase"}


def fit_fanout(parents: int, children: int, sq: float, active: int, most: Any, least: Any) -> dict[str, Any]:
    """A DSL fanout from the children-per-parent moments (``sq`` the sum of squared counts, ``active`` the parents
    with at least one child), its observed ``least`` and ``most`` children kept as ``min``/``max``.

    The generator draws a count and clamps it to ``[min, max]``, so λ is solved for the clamped mean to be the
    observed one: an order's reviews (0 or 1, 99% of orders have one) need λ ≈ 4.6 clamped to 1, not λ = 0.99,
    which would give 37% of the orders none.

    >>> fit_fanout(1000, 3000, 12000.0, 950, 9, 1)["distribution"]
    'poisson'
    >>> f = fit_fanout(1000, 3000, 60000.0, 900, 80, 1); f["distribution"], f["dispersion"]
    ('negative_binomial', 0.19)
    >>> fit_fanout(4000, 3960, 3960.0, 3960, 1, 1)
    {'distribution': 'poisson', 'lambda': 4.60517, 'max': 1}
    """
    if parents == 0 or children == 0:
        return {"distribution": "poisson", "lambda": 0.0, "max": 0}
    mean = children / parents
    var = max(0.0, sq / parents - mean * mean)
    zeros = 1 - active / parents
    low = int(least) if zeros == 0 and least is not None and int(least) > 0 else None
    high = int(most) if most is not None else None

    def solve(target: float, k: float | None) -> float:
        """λ with E[clip(X_λ, low, high)] = target (bisection: the clamped mean grows with λ)."""
        if high is not None and target >= high:
            return target
        a, b = 0.0, max(target, 1.0)
        while _clamped_mean(b, k, low, high)[0] < target and b < 1e12:
            b *= 2
        for _ in range(60):
            a, b = ((a + b) / 2, b) if _clamped_mean((a + b) / 2, k, low, high)[0] < target else (a, (a + b) / 2)
        return (a + b) / 2

    def zeros_at(d: float, k: float | None) -> float:
        """Parents without children: the dormant share, and the others' draws of 0."""
        return d + (1 - d) * _clamped_mean(solve(mean / (1 - d), k), k, low, high)[1]

    def dormant_share(k: float | None) -> float:
        """d with zeros_at(d) = zeros (bisection); 0 when the distribution explains the zeros."""
        if zeros <= zeros_at(0.0, k) + 0.02:
            return 0.0
        a, b = 0.0, zeros
        for _ in range(40):
            a, b = ((a + b) / 2, b) if zeros_at((a + b) / 2, k) < zeros else (a, (a + b) / 2)
        return a

    k: float | None = None
    d = dormant_share(None)
    active_mean = mean / (1 - d)
    poisson_var = (1 - d) * active_mean + d * (1 - d) * active_mean ** 2  # a Poisson mixed with a dormant share
    out: dict[str, Any] = {"distribution": "poisson"}
    if var > 1.3 * poisson_var:  # over-dispersed beyond that: negative binomial, k from the moments
        k = rounded(max(0.05, mean * mean / max(var - mean, 1e-9)), 2)
        out = {"distribution": "negative_binomial"}
        d = dormant_share(k)
    out["lambda"] = rounded(solve(mean / (1 - d), k) * (1 - d), 6)
    if k is not None:
        out["dispersion"] = k
    if 0 < d < 0.95:
        out["dormant"] = rounded(d, 3)
    if low is not None:
        out["min"] = low
    if high is not None:
        out["max"] = high
    return out


def _clamped_mean(lam: float, k: float | None, low: int | None, high: int | None) -> tuple[float, float]:
    """(E[clip(X, low, high)], P(X = 0)) for X ~ Poisson(λ), or negative binomial of mean λ and dispersion ``k``
    (a Poisson of gamma-distributed rate: the generator's draw), from the probabilities of the counts below
    ``high`` — none to add up when neither bound is within twelve standard deviations of λ.

    >>> _clamped_mean(2.0, None, None, None), [round(v, 4) for v in _clamped_mean(4.60517, None, None, 1)]
    ((2.0, 0.1353352832366127), [0.99, 0.01])
    """
    if lam <= 0:
        return float(low or 0), 1.0
    log_q = math.log(lam / (k + lam)) if k else math.log(lam)
    base = k * math.log(k / (k + lam)) if k else -lam  # log P(X = 0)
    sd = math.sqrt(lam + (lam * lam / k if k else 0.0))
    if (high is None or high > lam + 12 * sd) and (low is None or low < lam - 12 * sd):
        return lam, math.exp(base)
    end = min(high if high is not None else math.inf, math.ceil(lam + 12 * sd) + 1)
    mean = mass = 0.0
    n = 0
    while n < end:
        log_p = base + n * log_q + ((math.lgamma(n + k) - math.lgamma(k)) if k else 0.0) - math.lgamma(n + 1)
        p = math.exp(log_p)
        mean += max(n, low or 0) * p
        mass += p
        n += 1
    rest = max(0.0, 1.0 - mass)  # counts from ``end`` on: clamped to ``high``, or (no clamp) about their mean
    mean += rest * (high if high is not None and n >= high else max(lam + sd, n))
    return mean, math.exp(base)


INT64 = (-(2**63), 2**63 - 1)


def dsl_type(c: Column) -> str:
    """The DSL type of a column: its kind's, and text for what the DSL has no type for (lists, structs, times of
    day, bytes) and for integers past 64 bits (a UBIGINT hash), whose digits a 64-bit int cannot hold.

    >>> dsl_type(Column("n", "UBIGINT", "integer", lo=0, hi=2**64 - 1)), dsl_type(Column("n", "BIGINT", "integer"))
    ('string', 'int')
    """
    if c.kind == "integer" and any(v is not None and not INT64[0] <= int(v) <= INT64[1] for v in (c.lo, c.hi)):
        return "string"
    return {"integer": "int", "float": "float", "decimal": "float", "bool": "bool", "date": "date",
            "timestamp": "datetime"}.get(c.kind, "string")


def plain_value(v: Any, c: Column) -> Any:
    """A value read from the data as the DSL literal of the column's type; a list or struct as its JSON text.

    >>> plain_value(["a", "b"], Column("tags", "VARCHAR[]", "other")), plain_value(3, Column("n", "INTEGER", "integer"))
    ('["a", "b"]', 3)
    """
    kind = dsl_type(c)
    if kind == "int":
        return int(v)
    if kind == "float":
        return float(v)
    if isinstance(v, list | tuple | dict):
        return json.dumps(v, default=str, ensure_ascii=False)
    return str(v)


def stamp(epoch: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(float(epoch), dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def time_patterns(p: ColumnProfile) -> list[dict[str, Any]]:
    """Hour and weekday patterns from the weekday × hour grid; a month pattern when a whole year is covered."""
    out = []
    if p.week_hours and sum(map(sum, p.week_hours)):
        hours = [sum(day[h] for day in p.week_hours) for h in range(24)]
        days = [sum(day) for day in p.week_hours]
        out.append({"dimension": "hour", "weights": normalized(hours)})
        out.append({"dimension": "dow", "weights": normalized(days)})
    if len(p.months) >= 12:
        by_month = [0.0] * 12
        seen = [0] * 12
        for ym, n in p.months[1:-1] or p.months:  # the first and last month may be partial
            m = int(ym[5:7]) - 1
            by_month[m] += n
            seen[m] += 1
        if all(seen):
            out.append({"dimension": "month", "weights": normalized([by_month[i] / seen[i] for i in range(12)])})
    return out


def normalized(xs: Sequence[float]) -> list[float]:
    total = sum(xs) or 1.0
    return [rounded(max(x, 0.0) / total * len(xs), 4) for x in xs]
