"""Pieces of SQL DDL as sqlglot parses them: a column's type as a DSL type (:func:`dsl_type`), and what a
``CHECK`` says of a column (:func:`bound`: allowed values, a low or high bound).

>>> import sqlglot
>>> check = sqlglot.parse_one("SELECT 1 WHERE status IN ('a', 'b') AND qty BETWEEN 1 AND 9", read="postgres")
>>> [bound(p) for p in conjuncts(check.args["where"].this)]
[('status', ['a', 'b'], None, None), ('qty', None, 1.0, 9.0)]
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError


def dsl_type(kind: Any, dialect: str, enums: dict[str, list[str]]) -> tuple[str, list[Any] | None, bool]:
    """(DSL type, the values of an enum type, whether the type numbers itself: SERIAL…)."""
    if not isinstance(kind, exp.DataType):
        return "string", None, False
    t = kind.this
    T = exp.DataType.Type
    name = kind.sql(dialect=dialect).lower()
    if t == T.USERDEFINED or t.name == "USERDEFINED":
        enum = enums.get(name.split(".")[-1].strip('"`[]'))
        return "string", enum, False
    if t == T.ENUM or t.name.startswith("ENUM"):
        return "string", [v.name for v in kind.expressions if isinstance(v, exp.Literal)] or None, False
    if t == T.BOOLEAN or (t == T.BIT and (not kind.expressions or kind.expressions[0].sql() == "1")):
        return "bool", None, False
    serial = t.name in ("SERIAL", "BIGSERIAL", "SMALLSERIAL")
    if serial or kind.is_type(*exp.DataType.INTEGER_TYPES):
        return "int", None, serial
    if t in (T.DECIMAL, T.BIGDECIMAL) or t.name in ("NUMBER", "NUMERIC"):
        # DECIMAL(p) and DECIMAL(p, 0) hold whole numbers (SQL's default scale is 0); DECIMAL alone any number —
        # but Snowflake's NUMBER alone is NUMBER(38, 0), and its catalogs write integer columns so
        args = [e.sql() for e in kind.expressions]
        whole = len(args) == 1 or args[1:2] == ["0"] or (not args and dialect == "snowflake")
        return ("int" if whole else "float"), None, False
    if kind.is_type(*exp.DataType.REAL_TYPES) or t.name in ("MONEY", "SMALLMONEY"):
        return "float", None, False
    if t in (T.DATE, T.DATE32):
        return "date", None, False
    if t.name.startswith(("TIMESTAMP", "DATETIME")):
        return "datetime", None, False
    return "string", None, False


#: what an integer type holds, by sqlglot's type name
_INT_RANGES = {"TINYINT": (-128, 127), "UTINYINT": (0, 255), "SMALLINT": (-32768, 32767), "USMALLINT": (0, 65535),
               "MEDIUMINT": (-8388608, 8388607), "UMEDIUMINT": (0, 16777215), "INT": (-2**31, 2**31 - 1),
               "UINT": (0, 2**32 - 1), "SMALLMONEY": (-214748.3648, 214748.3647)}


def capacity(kind: Any) -> tuple[float | None, float | None, int | None]:
    """(lowest, highest, decimals) a column's type can store, where narrower than any number: a TINYINT's 127,
    a DECIMAL(5, 2)'s 999.99 and its 2 decimals — values generated beyond them would not load back into the table;
    MySQL's TINYINT(1) (its BOOLEAN) holds a flag, 0 or 1.

    >>> import sqlglot
    >>> kinds = [c.args["kind"] for c in sqlglot.parse_one(
    ...     "CREATE TABLE t (a TINYINT UNSIGNED, b DECIMAL(5, 2), c NUMERIC(3), d BIGINT, e TEXT)", read="mysql").find_all(exp.ColumnDef)]
    >>> [capacity(k) for k in kinds]
    [(0, 255, None), (-999.99, 999.99, 2), (-999.0, 999.0, 0), (None, None, None), (None, None, None)]
    """
    if not isinstance(kind, exp.DataType):
        return None, None, None
    name = kind.this.name
    if name == "TINYINT" and [e.sql() for e in kind.expressions] == ["1"]:
        return 0, 1, None  # MySQL's BOOLEAN is TINYINT(1): a flag, 0 or 1
    if name in _INT_RANGES:
        lo, hi = _INT_RANGES[name]
        return lo, hi, (4 if name == "SMALLMONEY" else None)
    args = [e.sql() for e in kind.expressions]
    if name in ("DECIMAL", "BIGDECIMAL") and args and all(a.isdigit() for a in args):
        digits, scale = int(args[0]), int(args[1]) if len(args) > 1 else 0
        if 0 <= scale <= digits <= 30:
            top = round(10.0 ** (digits - scale) - 10.0 ** -scale, scale)
            return -top, top, scale
    return None, None, None


def text_length(kind: Any) -> int | None:
    """The characters a ``VARCHAR(n)``, ``CHAR(n)``, ``NVARCHAR(n)``, ``VARCHAR2(n)`` holds (None: unbounded, ``MAX``).

    >>> import sqlglot
    >>> kinds = [c.args["kind"] for c in sqlglot.parse_one(
    ...     "CREATE TABLE t (a NVARCHAR(40), b VARCHAR(MAX), c TEXT, d CHAR(2))", read="tsql").find_all(exp.ColumnDef)]
    >>> [text_length(k) for k in kinds]
    [40, None, None, 2]
    """
    if not isinstance(kind, exp.DataType) or not kind.is_type(*exp.DataType.TEXT_TYPES, exp.DataType.Type.CHAR,
                                                                exp.DataType.Type.NCHAR):
        return None
    args = [e.sql() for e in kind.expressions]
    return int(args[0]) if args and args[0].isdigit() and int(args[0]) >= 1 else None


def column_type(kind: str) -> tuple[str, tuple[float | None, float | None], int | None, int | None]:
    """A column type written as SQL (DBML's ``varchar(40)``, Prisma's ``@db.Decimal(8, 2)``): (DSL type, what it can
    store, decimals, maximum length); text for what SQL does not read.

    >>> column_type("varchar(40)"), column_type("decimal(5,2)"), column_type("smallint"), column_type("geometry[]")
    (('string', (None, None), None, 40), ('float', (-999.99, 999.99), 2, None), ('int', (-32768, 32767), None, None), ('string', (None, None), None, None))
    """
    if kind.endswith("[]"):
        return "string", (None, None), None, None
    try:
        parsed = sqlglot.parse_one(f"CREATE TABLE t (c {kind})", read="postgres")
        dtype = next(iter(parsed.find_all(exp.ColumnDef))).args.get("kind")
    except (SqlglotError, StopIteration, ValueError):
        return "string", (None, None), None, None
    dsl, _, _ = dsl_type(dtype, "postgres", {})
    lo, hi, decimals = capacity(dtype) if dsl in ("int", "float") else (None, None, None)
    return dsl, (lo, hi), decimals, text_length(dtype) if dsl == "string" else None


def names(items: list[Any]) -> list[str]:
    out = []
    for i in items:
        i = i.this if isinstance(i, exp.Ordered) else i
        out.append(i.name if hasattr(i, "name") else str(i))
    return out


def conjuncts(cond: Any) -> list[Any]:
    cond = cond.this if isinstance(cond, exp.Paren) else cond
    if isinstance(cond, exp.And):
        return conjuncts(cond.this) + conjuncts(cond.expression)
    return [cond]


def uncast(e: Any) -> Any:
    while isinstance(e, exp.Cast | exp.Paren | exp.TryCast):
        e = e.this
    return e


def literal(e: Any) -> Any:
    """A literal's value (numbers as float, text as str, a negated number), else None."""
    e = uncast(e)
    if isinstance(e, exp.Neg) and isinstance(uncast(e.this), exp.Literal) and not uncast(e.this).is_string:
        return -float(uncast(e.this).name)
    if isinstance(e, exp.Literal):
        return e.name if e.is_string else float(e.name)
    if isinstance(e, exp.Boolean):
        return bool(e.this)
    return None


def bound(e: Any) -> tuple[str | None, list[Any] | None, float | None, float | None]:
    """(column, allowed values, low, high) that one comparison says — also when it allows NULL besides
    (``tier IN (…) OR tier IS NULL``: a nullable column's usual CHECK)."""
    e = uncast(e)
    if isinstance(e, exp.Or):
        sides = [uncast(e.this), uncast(e.expression)]
        nulls = [s for s in sides if isinstance(s, exp.Is) and isinstance(uncast(s.expression), exp.Null)
                 and isinstance(uncast(s.this), exp.Column)]
        if len(nulls) == 1:
            found = bound(next(s for s in sides if s is not nulls[0]))
            if found[0] == uncast(nulls[0].this).name:
                return found
        return None, None, None, None
    if isinstance(e, exp.In) and isinstance(uncast(e.this), exp.Column):
        values = [literal(v) for v in e.expressions]
        return (uncast(e.this).name, values, None, None) if values and None not in values else (None, None, None, None)
    if isinstance(e, exp.EQ) and isinstance(uncast(e.this), exp.Column) and isinstance(uncast(e.expression), exp.Any):
        arr = uncast(uncast(e.expression).this)
        values = [literal(v) for v in (arr.expressions if isinstance(arr, exp.Array) else [])]
        return (uncast(e.this).name, values, None, None) if values and None not in values else (None, None, None, None)
    if isinstance(e, exp.Between) and isinstance(uncast(e.this), exp.Column):
        lo, hi = literal(e.args.get("low")), literal(e.args.get("high"))
        if isinstance(lo, float) and isinstance(hi, float):
            return uncast(e.this).name, None, lo, hi
    ops = {exp.GTE: "low", exp.GT: "low", exp.LTE: "high", exp.LT: "high"}
    for op, side in ops.items():
        if type(e) is op:
            left, right = uncast(e.this), uncast(e.expression)
            if isinstance(left, exp.Column) and isinstance(literal(right), float):
                v = literal(right)
                return (left.name, None, v, None) if side == "low" else (left.name, None, None, v)
            if isinstance(right, exp.Column) and isinstance(literal(left), float):
                v = literal(left)  # 0 <= x: the bound is on the other side
                return (right.name, None, None, v) if side == "low" else (right.name, None, v, None)
    return None, None, None, None


def typed_value(v: Any, kind: str) -> Any:
    if kind == "int" and isinstance(v, float) and v.is_integer():
        return int(v)
    return v
