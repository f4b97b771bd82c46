"""Snowfakery recipes: a list of ``object`` templates. A top-level object's ``count`` is its rows; an object under
``friends`` (or given as a field's value) is made ``count`` times per row of the object around it — a fact under
it. Every object has Snowfakery's implicit ``id`` (1, 2, …), the key ``reference: Account`` points at.

Fields: a literal is a one-value choice; ``fake: FirstName`` the Faker method ``first_name``; ``random_choice``
(a list, or values with weights such as ``Hot: 20%``) a choice; ``random_number`` (``min``/``max``) a uniform
number; ``date_between`` a date; ``reference`` a lookup. A formula (``${{…}}``) holding one ``fake.X`` is that
Faker method; other formulas, ``if``, macros, variables and plugins are beyond a schema and noted.

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

import re
from typing import Any

from .layout import Field, Table, faker_method

_FAKE = re.compile(r"^\$\{\{\s*fake\.(\w+)\s*\}\}$")


def read(recipe: list[Any], notes: list[str] | None = None) -> tuple[list[Table], list[str]]:
    notes = [] if notes is None else notes
    tables: dict[str, Table] = {}
    for item in recipe:
        if isinstance(item, dict) and "object" in item:
            _object(item, None, tables, notes)
        elif isinstance(item, dict) and item:
            notes.append(f"recipe: '{next(iter(item))}' entries (macros, variables, plugins) are not converted")
    return list(tables.values()), notes


def _object(spec: dict[str, Any], parent: str | None, tables: dict[str, Table], notes: list[str]) -> str:
    name = str(spec.get("object") or spec.get("table"))
    count = spec.get("count", 1)
    exact = count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else None
    if exact is None:
        notes.append(f"{name}: count {count!r} is a formula; "
                     + ("the default row count used" if parent is None else "1 per parent used"))
    if name in tables:  # a second template for the same table: its first one stands
        notes.append(f"{name}: defined again; only its first template is converted")
        return name
    t = Table(name, [Field("id", "int", required=True, unique=True)], pk="id")
    tables[name] = t
    if parent is None:
        t.rows = exact
    else:
        t.under, t.per_parent = parent, 1 if exact is None else exact
    fields: dict[str, Any] = spec["fields"] if isinstance(spec.get("fields"), dict) else {}
    for fname, value in fields.items():
        if str(fname) == "id":
            continue
        field = _field(t, str(fname), value, tables, notes)
        if field is not None:
            t.fields = [f for f in t.fields if f.name != field.name] + [field]
    for friend in spec.get("friends") or []:
        if isinstance(friend, dict) and "object" in friend:
            _object(friend, name, tables, notes)
    return name


def _field(t: Table, name: str, value: Any, tables: dict[str, Table], notes: list[str]) -> Field | None:
    where = f"{t.name}.{name}"
    if isinstance(value, bool):
        return Field(name, "bool", enum=[value])
    if isinstance(value, int | float):
        return Field(name, "int" if isinstance(value, int) else "float", enum=[value])
    if isinstance(value, str):
        if m := _FAKE.match(value.strip()):
            return Field(name, "string", hint=faker_method(m.group(1)))
        if "${{" in value:
            notes.append(f"{where}: the formula {value[:60]!r} is not converted; generated as words")
            return Field(name, "string", hint="word")
        return Field(name, "string", enum=[value])
    if isinstance(value, list) and value and isinstance(value[0], dict) and "object" in value[0]:
        value = value[0]
    if not isinstance(value, dict) or not value:
        return Field(name, "string")
    if "object" in value:  # a row made for each row of this table: referenced from here
        child = _object({**value, "count": 1}, None, tables, notes)
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
        t.fks = [fk for fk in t.fks if fk[0] != name] + [(name, target, "id")]
        return Field(name, "int")
    if kind == "random_choice":
        return _choice(name, arg)
    if kind == "random_number" and isinstance(arg, dict):
        low, high = arg.get("min", 0), arg.get("max", 100)
        whole = all(isinstance(v, int) for v in (low, high))
        return Field(name, "int" if whole else "float", low=float(low), high=float(high))
    if kind in ("date_between", "date", "datetime_between", "datetime"):
        if isinstance(arg, dict) and any(isinstance(v, str) and v.strip().startswith(("-", "+", "today", "now"))
                                         for v in arg.values()):
            notes.append(f"{where}: {kind} relative to today; generated within the timeframe")
        return Field(name, "datetime" if kind.startswith("datetime") else "date")
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
