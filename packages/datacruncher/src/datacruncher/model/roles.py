"""Column roles from names, types and cardinality: what a column *means* to a business check.

Roles: ``id``, ``money``, ``price``, ``quantity``, ``status``, ``category``, ``email``, ``country``, ``channel``,
``segment`` (plan/tier), ``feature`` (feature or event type), ``balance`` (money that may be negative by
nature: balances, net amounts, changes), ``code`` (digits that are not a number: postal codes, phone numbers),
``time``, ``created_at``.

>>> tokens("o_totalprice"), tokens("signupDate"), tokens("Customer ID")
(['totalprice'], ['signup', 'date'], ['customer', 'id'])
>>> name_roles("o_totalprice", "decimal"), name_roles("utm_source", "string"), name_roles("plan_tier", "string")
(['money'], ['channel'], ['segment'])
>>> name_roles("discount_pct", "float"), name_roles("discount", "float")
([], ['money'])
"""

from __future__ import annotations

from typing import Any

from datagen_contracts.text import name_tokens as tokens

ROLES = (
    "id", "money", "price", "quantity", "status", "category", "email", "country", "channel", "segment", "feature",
    "balance", "code", "time", "created_at",
)

_MONEY = {
    "amount", "price", "revenue", "total", "cost", "fee", "fees", "spend", "mrr", "arr", "paid", "refund",
    "refunded", "balance", "salary", "ltv", "subtotal", "tax", "discount", "income", "payment", "charge", "gmv",
    "totalprice", "extendedprice", "acctbal", "retailprice", "supplycost", "unitprice", "usd", "eur",
}
_PRICE = {"price", "unitprice", "retailprice", "listprice"}
_NOT_UNIT_PRICE = ("total", "extended", "gross", "sum")
#: a ratio, not an amount: ``discount_pct``, ``fee_percent``, ``margin_ratio`` are never money ("rate" stays
#: ambiguous: ``hourly_rate`` is money, ``churn_rate`` is not; the type and checks decide)
_RATIO = {"pct", "percent", "percentage", "ratio", "fraction", "bps"}
_SIGNED = {"balance", "acctbal", "bal", "net", "profit", "pnl", "margin", "delta", "change", "adjustment", "variance"}
_QUANTITY = {"qty", "quantity", "units", "seats", "items", "licenses"}
_STATUS = {"status", "orderstatus", "linestatus", "lifecycle"}
_COUNTRY = {"country", "nation", "countrycode"}
_DURATION = {"duration", "elapsed", "seconds", "secs", "minutes", "mins", "hours", "hrs", "days", "ttl", "latency",
             "runtime", "delay", "lag", "tenure"}
_CHANNEL = {"channel", "source", "medium", "campaign", "utm", "referrer", "acquisition"}
_SEGMENT = {"plan", "tier", "segment", "subscription", "mktsegment", "cohort", "package"}
_FEATURE = {"feature", "event", "action", "activity", "screen", "page"}
_CATEGORY = {"category", "type", "kind", "class", "group", "brand", "priority", "gender", "level", "reason"}
_CODE = {"postal", "postcode", "zip", "zipcode", "phone", "telephone", "fax", "mobile", "cell", "extension", "ext",
         "isbn", "ean", "upc", "gtin", "sku", "iban", "ssn"}



def _has(toks: list[str], words: set[str]) -> bool:
    return any(t in words for t in toks)


def name_roles(name: str, kind: str) -> list[str]:
    """Roles implied by a column's name and type class alone."""
    toks = tokens(name)
    joined = "".join(toks)
    roles: list[str] = []
    numeric = kind in ("integer", "float", "decimal")
    text = kind == "string"
    is_id = joined == "id" or toks[-1:] in (["id"], ["key"]) or joined.endswith(("key", "uuid")) or toks[-1:] == ["uuid"]
    if is_id and kind in ("integer", "string", "uuid", "float", "decimal"):
        roles.append("id")
    if numeric and not is_id:
        ratio = _has(toks, _RATIO) or joined.endswith(("pct", "percent", "percentage", "ratio"))
        if (_has(toks, _MONEY) or joined.endswith(("price", "amount", "revenue", "cost"))) and not ratio:
            roles.append("money")
        if (_has(toks, _PRICE) or joined.endswith("price")) and not any(w in joined for w in _NOT_UNIT_PRICE):
            roles.append("price")  # a unit price: a line's extended price or an order's total is an amount
        if _has(toks, _SIGNED) or joined.endswith(("balance", "acctbal")):
            roles.append("balance")  # may be negative by nature (balances, net amounts, changes)
        if (kind == "integer" and _has(toks, _QUANTITY)) or joined == "quantity":
            roles.append("quantity")
        if _has(toks, _DURATION) and "money" not in roles:
            roles.append("duration")  # an amount of time (a delay may be negative: early)
    if text:
        if _has(toks, _CODE) and not is_id:
            roles.append("code")
        if _has(toks, _STATUS) or joined.endswith("status"):
            roles.append("status")
        if "email" in toks or joined.endswith("email"):
            roles.append("email")
        if _has(toks, _COUNTRY) or joined.endswith("countrycode"):
            roles.append("country")
        if _has(toks, _CHANNEL) and not is_id:
            roles.append("channel")
        if _has(toks, _SEGMENT) and not is_id:
            roles.append("segment")
        if _has(toks, _FEATURE) and not is_id:
            roles.append("feature")
        if _has(toks, _CATEGORY) and not is_id:
            roles.append("category")
    if kind in ("date", "timestamp"):
        roles.append("time")
    return roles


def categorical(rows: int, non_null: int, distinct: int) -> bool:
    """A string column with few distinct values relative to its rows reads as a category."""
    return non_null >= 20 and 1 <= distinct <= 100 and distinct <= 0.2 * non_null


SIGNED_SHARE = 0.2  # a "money" column this often negative is a signed measure (delays, balances, differences)


def weigh_roles(c: Any) -> None:
    """Check name-given roles against the values: each gets a confidence and a reason, and a money column that
    is negative in a fifth of its rows or more is a signed measure, not an amount (refunds are rarer than that)."""
    for role in c.roles:
        c.role_evidence[role] = ("medium", "named so")
    if c.numeric and c.non_null:
        share = c.negatives / c.non_null
        if "money" in c.roles and share >= SIGNED_SHARE:
            c.roles.remove("money")
            c.roles = [r for r in c.roles if r != "price"]
            c.roles.append("signed")
            c.role_evidence.pop("money", None)
            c.role_evidence["signed"] = ("medium", f"named like an amount, but {share:.0%} of its values are negative")
        elif "money" in c.roles and share > 0.05:
            c.role_evidence["money"] = ("low", f"named like an amount, but {share:.0%} of its values are negative")
        elif "money" in c.roles:
            c.role_evidence["money"] = ("medium", "named like an amount, and its values are (nearly) all >= 0")
        if "quantity" in c.roles and share > 0.05:
            c.role_evidence["quantity"] = ("low", f"named like a count, but {share:.0%} of its values are negative")
        small = c.kind == "integer" and c.lo is not None and c.lo >= 0 and c.hi is not None and c.hi <= 10_000
        if small and not share and not {"id", "quantity", "money"} & set(c.roles) and c.distinct <= 1000:
            c.roles.append("count")
            c.role_evidence["count"] = ("low", f"whole numbers from {c.lo} to {c.hi}, none negative (a count, "
                                                "a rank or a small code: the values alone cannot say which)")
    if c.kind == "string" and c.non_null and c.leading_zeros >= 0.01 * c.non_null and "code" not in c.roles:
        c.roles.append("code")  # "02134" is a code: as a number it would lose its zero
        c.role_evidence["code"] = ("medium", f"{c.leading_zeros} values are digits with a leading zero")
    if c.kind == "string" and c.non_null >= 20 and c.avg_length >= 25 and c.distinct >= 0.5 * c.non_null \
            and not {"id", "email"} & set(c.roles):
        c.roles.append("text")
        c.role_evidence["text"] = ("medium", f"mostly distinct values {c.avg_length:.0f} characters long on average")


#: seconds per unit a duration column may be counted in
DURATION_UNITS = (("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400))
DURATION_SHARE = 0.9  # of the rows compared, at least this many must equal the difference of the two times
DURATION_ROWS = 20_000  # the first rows of a table are compared (deterministic: DuckDB keeps the files' order)


def find_durations(catalog: Any, tables: dict[str, Any]) -> None:
    """Durations from values and context: a numeric column that equals the difference of two time columns of its
    row (in seconds, minutes, hours or days, to within one unit) for ``DURATION_SHARE`` of the rows is a duration
    — whatever its name — with high confidence, and no longer an amount, quantity or count. An INTERVAL column is
    a duration by its type. One query per table with two time columns or more, on its first ``DURATION_ROWS``.

    Chance is ruled out by the share: an unrelated small count (1..5) beside differences of 1..5 days agrees to
    within one unit about half the time, far from nine rows in ten."""
    sqls, probes = [], []
    for t in tables.values():
        for c in t.columns:
            if c.type.upper().startswith("INTERVAL") and "duration" not in c.roles:
                c.roles.append("duration")
                c.role_evidence["duration"] = ("high", "its type is INTERVAL")
        times = [c for c in t.columns if c.temporal and c.non_null]
        nums = [c for c in t.columns if c.numeric and c.non_null >= 20 and c.distinct >= 3 and "id" not in c.roles]
        if len(times) < 2 or not nums or t.rows < 20:
            continue
        pairs = [(a, b) for i, a in enumerate(times) for b in times[i + 1:]][:15]
        tests, parts = [], []
        for c in nums:
            for a, b in pairs:
                diff = f"abs(epoch(CAST({b.sql} AS TIMESTAMP)) - epoch(CAST({a.sql} AS TIMESTAMP)))"
                for unit, seconds in DURATION_UNITS:
                    tests.append((c, a, b, unit))
                    parts.append(f"sum((abs(abs({c.sql}::DOUBLE) - {diff} / {seconds}) < 1)::INTEGER)")
            parts.append(f"count({c.sql})")
        sqls.append(f"SELECT {', '.join(parts)} FROM (SELECT * FROM {t.sql} LIMIT {DURATION_ROWS})")
        probes.append((tests, nums, len(pairs) * len(DURATION_UNITS)))
    for row, (tests, nums, per_col) in zip(catalog.fetchone_each(sqls), probes, strict=True):
        for k, c in enumerate(nums):
            base = k * (per_col + 1)
            compared = int(row[base + per_col] or 0)
            hits = [(int(row[base + j] or 0), j) for j in range(per_col)]
            best, j = max(hits, key=lambda h: (h[0], -h[1]))
            if compared < 20 or best < DURATION_SHARE * compared:
                continue
            _, a, b, unit = tests[k * per_col + j]
            c.roles = [r for r in c.roles if r not in ("money", "price", "quantity", "count", "balance", "signed")]
            for role in ("money", "price", "quantity", "count", "balance", "signed"):
                c.role_evidence.pop(role, None)
            if "duration" not in c.roles:
                c.roles.append("duration")
            c.role_evidence["duration"] = ("high", f"equals {b.name} - {a.name} in {unit} for {best / compared:.0%} "
                                                   f"of the first {compared} rows")
