"""Snowfakery recipes: a list of ``object`` templates. A top-level object's ``count`` is its rows; an object under
``friends`` (or given as a field's value) is made ``count`` times per row of the object around it — a fact under
it. Every object has Snowfakery's implicit ``id`` (1, 2, …), the key ``reference: Account`` points at.

A ``count`` of ``random_number`` (or ``${{random_number(1, 5)}}``) under a parent is a range of rows per parent.
``macro`` templates are merged into the objects that ``include`` them (the object's own fields win), a
``reference`` may name an object by its ``nickname``, and a ``var`` holding a literal is put in place of
``${{name}}``.

Fields: a literal is a one-value choice; ``fake: FirstName`` the Faker method ``first_name``; ``random_choice``
(a list, or values with weights such as ``Hot: 20%``) a choice; ``random_number`` (``min``/``max``) a uniform
number; ``date_between`` a date within its ``start_date``/``end_date``, where Snowfakery's relative dates
(``-30y``, ``+1y``, ``today``) count from the end of the timeframe (so that a run is the same every day);
``reference`` a lookup. A formula (``${{…}}``) that is one ``fake.X``, ``random_choice("a", "b")`` or
``random_number(0, 100)`` is read as the field would be; other formulas, ``if`` and plugins are beyond a schema
and noted.

>>> tables, notes = read([{"object": "Account", "count": 5, "fields": {"Name": {"fake": "Company"},
...   "Rating": {"random_choice": {"Hot": "20%", "Cold": "80%"}}},
...   "friends": [{"object": "Contact", "count": 2, "fields": {"AccountId": {"reference": "Account"},
...                                                            "FirstName": {"fake": "FirstName"}}}]}])
>>> [(t.name, t.rows, t.per_parent, t.pk, t.fks) for t in tables]
[('Account', 5, None, 'id', []), ('Contact', None, 2, 'id', [('AccountId', 'Account', 'id')])]
>>> tables[1].under
'Account'
>>> [(f.name, f.type, f.hint, f.enum, f.weights) for f in tables[0].fields]
[('id', 'int', None, None, None), ('Name', 'string', 'company', None, None), ('Rating', 'string', None, ['Hot', 'Cold'], [0.2, 0.8])]
"""

from __future__ import annotations

import ast
import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .layout import Field, Table
from .values import faker_method

_FAKE = re.compile(r"^\$\{\{\s*fake\.(\w+)\s*\}\}$")
_CALL = re.compile(r"^\$\{\{\s*(random_choice|random_number)\s*\((.*)\)\s*\}\}$", re.DOTALL)
_VAR = re.compile(r"\$\{\{\s*(\w+)\s*\}\}")
_OFFSET = re.compile(r"([+-]?\d+)([yMwdhms])")  # Faker's relative dates: M months, m minutes
_OFFSETS = re.compile(r"(?:[+-]?\d+[yMwdhms])+")


@dataclass
class _Recipe:
    """What the whole recipe declares that one object's template reads: macros, nicknames, literal variables."""

    end: dt.date  # where Snowfakery's "today" falls: the end of the timeframe
    macros: dict[str, dict[str, Any]] = field(default_factory=dict)
    nicknames: dict[str, str] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read(recipe: list[Any], notes: list[str] | None = None, *, end: str = "2024-12-31") -> tuple[list[Table], list[str]]:
    """The tables of ``recipe``; ``end`` (an ISO date, the timeframe's end) is the "today" of relative dates."""
    r = _Recipe(dt.date.fromisoformat(end[:10]), notes=[] if notes is None else notes)
    values: dict[str, Any] = {}
    for item in recipe:
        if isinstance(item, dict) and "macro" in item:
            r.macros[str(item["macro"])] = item
        elif isinstance(item, dict) and "var" in item:
            if isinstance(item.get("value"), str | int | float | dt.date) and not isinstance(item.get("value"), bool):
                values[str(item["var"])] = item["value"]
            else:
                r.notes.append(f"recipe: the variable {item['var']!r} is a formula; not converted")
        elif isinstance(item, dict) and "object" in item:
            _nicknames(item, r.nicknames)
    recipe = _substituted(recipe, values)
    for item in recipe:
        if isinstance(item, dict) and "object" in item:
            _object(item, None, r)
        elif isinstance(item, dict) and item and not {"macro", "var", "snowfakery_version"} & set(item):
            r.notes.append(f"recipe: '{next(iter(item))}' entries are not converted")
    return list(r.tables.values()), r.notes


def _nicknames(spec: dict[str, Any], into: dict[str, str]) -> None:
    if spec.get("nickname"):
        into[str(spec["nickname"])] = str(spec.get("object") or spec.get("table"))
    for friend in spec.get("friends") or []:
        if isinstance(friend, dict) and "object" in friend:
            _nicknames(friend, into)
    for value in (spec.get("fields") or {}).values() if isinstance(spec.get("fields"), dict) else ():
        if isinstance(value, dict) and "object" in value:
            _nicknames(value, into)


def _substituted(node: Any, values: dict[str, Any]) -> Any:
    """``node`` with each ``${{name}}`` of a literal variable replaced by its value (the whole string: the value
    itself, keeping its type)."""
    if not values:
        return node
    if isinstance(node, str):
        whole = _VAR.fullmatch(node.strip())
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return _VAR.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), node)
    if isinstance(node, list):
        return [_substituted(v, values) for v in node]
    if isinstance(node, dict):
        return {k: _substituted(v, values) for k, v in node.items()}
    return node


def _fields(spec: dict[str, Any], r: _Recipe, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of ``spec`` after those of the macros it includes (its own win; a macro may include others)."""
    out: dict[str, Any] = {}
    include = spec.get("include") or []
    for name in [n.strip() for n in include.split(",")] if isinstance(include, str) else include:
        macro = r.macros.get(str(name))
        if macro is None or str(name) in seen:
            r.notes.append(f"{spec.get('object') or spec.get('macro')}: includes {name!r}, "
                           + ("which includes itself" if macro is not None else "which the recipe does not define"))
            continue
        out |= _fields(macro, r, (*seen, str(name)))
    return out | (spec["fields"] if isinstance(spec.get("fields"), dict) else {})


def _count(count: Any) -> tuple[int, int] | None:
    """A count as (fewest, most): a whole number, ``random_number: {min, max}`` or its formula."""
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        return count, count
    if isinstance(count, dict) and isinstance(count.get("random_number"), dict):
        arg = count["random_number"]
        low, high = arg.get("min", 0), arg.get("max", 1)
    elif isinstance(count, str) and (m := _CALL.match(count.strip())) and m.group(1) == "random_number":
        low, high, *_ = [*_args(m.group(2), ("min", "max")), None, None]
    else:
        return None
    if all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (low, high)) and low <= high:
        return low, high
    return None


def _args(text: str, names: tuple[str, ...]) -> list[Any]:
    """The literal arguments of a formula's call (positional, then by the keyword ``names``); [] if not literals."""
    try:
        call = ast.parse(f"f({text})", mode="eval").body
        assert isinstance(call, ast.Call)
        positional = [ast.literal_eval(a) for a in call.args]
        named = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    except (SyntaxError, ValueError, AssertionError):
        return []
    return positional + [named[n] for n in names if n in named]


def _object(spec: dict[str, Any], parent: str | None, r: _Recipe) -> str:
    name = str(spec.get("object") or spec.get("table"))
    count = spec.get("count", 1)
    span = _count(count)
    if span is None:
        r.notes.append(f"{name}: count {count!r} is a formula; "
                       + ("the default row count used" if parent is None else "1 per parent used"))
    if name in r.tables:  # a second template for the same table: its first one stands
        r.notes.append(f"{name}: defined again; only its first template is converted")
        return name
    t = Table(name, [Field("id", "int", required=True, unique=True)], pk="id")
    r.tables[name] = t
    if parent is None:
        t.rows = None if span is None else round(sum(span) / 2)
    else:
        t.under, t.per_parent = parent, 1 if span is None else span[0]
        t.per_parent_max = None if span is None or span[0] == span[1] else span[1]
    for fname, value in _fields(spec, r).items():
        if str(fname) == "id":
            continue
        made = _field(t, str(fname), value, r)
        if made is not None:
            t.fields = [f for f in t.fields if f.name != made.name] + [made]
    for friend in spec.get("friends") or []:
        if isinstance(friend, dict) and "object" in friend:
            _object(friend, name, r)
    return name


def _field(t: Table, name: str, value: Any, r: _Recipe) -> Field | None:
    tables, notes = r.tables, r.notes
    where = f"{t.name}.{name}"
    if isinstance(value, bool):
        return Field(name, "bool", enum=[value])
    if isinstance(value, int | float):
        return Field(name, "int" if isinstance(value, int) else "float", enum=[value])
    if isinstance(value, str):
        if m := _FAKE.match(value.strip()):
            return Field(name, "string", hint=faker_method(m.group(1)))
        if (m := _CALL.match(value.strip())) and (args := _args(m.group(2), ("min", "max"))):
            if m.group(1) == "random_choice":
                return _choice(name, args)
            if len(args) >= 2 and all(isinstance(v, int | float) and not isinstance(v, bool) for v in args[:2]):
                return _field(t, name, {"random_number": {"min": args[0], "max": args[1]}}, r)
        if "${{" in value:
            notes.append(f"{where}: the formula {value[:60]!r} is not converted; generated as words")
            return Field(name, "string", hint="word")
        return Field(name, "string", enum=[value])
    if isinstance(value, list) and value and isinstance(value[0], dict) and "object" in value[0]:
        value = value[0]
    if not isinstance(value, dict) or not value:
        return Field(name, "string")
    if "object" in value:  # a row made for each row of this table: referenced from here
        child = _object({**value, "count": 1}, None, r)
        tables[child].rows = None
        notes.append(f"{where}: a {child} made for each {t.name} is a {child} table of the default size, referenced")
        t.fks.append((name, child, "id"))
        return Field(name, "int")
    kind, arg = next(iter(value.items()))
    if kind == "fake":
        method = faker_method(str(arg))
        if method is None:
            notes.append(f"{where}: fake {arg!r} is not a Faker method here; generated as words")
        return Field(name, "string", hint=method or "word")
    if kind == "reference":
        target = str(arg.get("object", arg) if isinstance(arg, dict) else arg)
        target = r.nicknames.get(target, target)
        t.fks = [fk for fk in t.fks if fk[0] != name] + [(name, target, "id")]
        return Field(name, "int")
    if kind == "random_choice":
        return _choice(name, arg)
    if kind == "random_number" and isinstance(arg, dict):
        low, high = arg.get("min", 0), arg.get("max", 100)
        whole = all(isinstance(v, int) for v in (low, high))
        return Field(name, "int" if whole else "float", low=float(low), high=float(high))
    if kind in ("date_between", "date", "datetime_between", "datetime"):
        window = None
        if isinstance(arg, dict):
            ends = [_date(arg.get(k), r.end) for k in ("start_date", "end_date")]
            if None not in ends and ends[0] <= ends[1]:  # type: ignore[operator]
                window = (ends[0].isoformat(), ends[1].isoformat())  # type: ignore[union-attr]
            elif any(arg.get(k) is not None for k in ("start_date", "end_date")):
                notes.append(f"{where}: {kind} {arg!r} is not converted; generated within the timeframe")
        return Field(name, "datetime" if kind.startswith("datetime") else "date", window=window)
    notes.append(f"{where}: '{kind}' is not converted; generated as words")
    return Field(name, "string", hint="word")


def _choice(name: str, arg: Any) -> Field:
    if isinstance(arg, dict):
        values, weights = list(arg), [_weight(w) for w in arg.values()]
    else:
        values, weights = list(arg or []), None
    values = [v.get("choice", v) if isinstance(v, dict) else v for v in values]
    kind = ("bool" if all(isinstance(v, bool) for v in values) else
            "int" if all(isinstance(v, int) and not isinstance(v, bool) for v in values) else
            "float" if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values) else "string")
    total = sum(weights) if weights else 0
    return Field(name, kind, enum=values or None,
                 weights=[w / total for w in weights] if weights and total > 0 else None)


def _weight(w: Any) -> float:
    try:
        return float(str(w).strip().rstrip("%"))
    except ValueError:
        return 1.0


def _date(value: Any, today: dt.date) -> dt.date | None:
    """A ``date_between`` end: a date, an ISO string, or Snowfakery's (Faker's) ``today`` / ``-30y`` / ``+1y -2M``
    (``y`` years, ``M`` months, ``w`` weeks, ``d`` days; hours and smaller ignored) counted from ``today``; None for
    anything else (a formula).

    >>> [_date(v, dt.date(2024, 12, 31)) for v in ("today", "-30y", "+2M", "-2w", "2020-02-03", "${{x}}", "soon")]
    [datetime.date(2024, 12, 31), datetime.date(1994, 12, 31), datetime.date(2025, 2, 28), datetime.date(2024, 12, 17), datetime.date(2020, 2, 3), None, None]
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip() if value is not None else ""
    if text.lower() in ("today", "now"):
        return today
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    compact = text.replace(" ", "")
    if not _OFFSETS.fullmatch(compact):
        return None
    parts = _OFFSET.findall(compact)
    months = today.month - 1 + sum(int(n) * (12 if u == "y" else 1) for n, u in parts if u in "yM")
    year, month = today.year + months // 12, months % 12 + 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day) + dt.timedelta(days=sum(int(n) * (7 if u == "w" else 1)
                                                             for n, u in parts if u in "wd"))
