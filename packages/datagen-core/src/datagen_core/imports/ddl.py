"""SQL DDL: ``CREATE TABLE`` statements (a warehouse's schema dump, a migration, ``pg_dump --schema-only``), read
with sqlglot in the dialect given or the first of :data:`DIALECTS` that reads the file.

Columns and their types; ``PRIMARY KEY``, ``UNIQUE``, ``NOT NULL``; ``REFERENCES`` / ``FOREIGN KEY`` (inline, in the
table, or added by ``ALTER TABLE … ADD CONSTRAINT``, a referenced table's key when no column is named); ``CHECK``s
that bound a column (``IN (…)``, ``= ANY (ARRAY[…])``, ``BETWEEN``, ``>=``/``<=``…); ``ENUM(…)`` types, inline or
made by ``CREATE TYPE … AS ENUM``; ``COMMENT ON``. Every other statement (indexes, views, functions, grants, data)
is skipped, and a statement that does not parse is noted with its line.

>>> tables, notes, dialect = read('''
... CREATE TABLE customers (id SERIAL PRIMARY KEY, email VARCHAR(200) UNIQUE NOT NULL);
... CREATE TABLE orders (
...   id BIGINT PRIMARY KEY, customer_id INT NOT NULL REFERENCES customers,
...   status TEXT CHECK (status IN ('placed', 'shipped')), total NUMERIC(10, 2) CHECK (total >= 0));
... ''')
>>> dialect, [(t.name, t.pk, t.fks) for t in tables]
('postgres', [('customers', 'id', []), ('orders', 'id', [('customer_id', 'customers', 'id')])])
>>> [(f.name, f.type, f.enum, f.low) for f in tables[1].fields]
[('id', 'int', None, None), ('customer_id', 'int', None, None), ('status', 'string', ['placed', 'shipped'], None), ('total', 'float', None, 0.0)]
"""

from __future__ import annotations

import logging
import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from datagen_contracts.dsl.decode import CREATE_TABLE

from ..errors import DatagenError
from .layout import Field, Table, words
from .sql_parts import bound, capacity, conjuncts, dsl_type, names, text_length, typed_value, uncast

#: dialects tried in turn when none is given (sqlglot's names); the first that reads every CREATE TABLE wins
DIALECTS = ("postgres", "mysql", "tsql", "snowflake", "bigquery", "duckdb", "sqlite", "oracle")
#: what only one dialect writes (strong marks first, then weaker ones): a file showing one is tried in it first
_MARKS = (("mysql", r"\bAUTO_INCREMENT\b|\bENGINE\s*=|\bUNSIGNED\b"),
          ("bigquery", r"\b(?:INT64|FLOAT64|BIGNUMERIC)\b|\bNOT\s+ENFORCED\b|\bSTRUCT\s*<"),
          ("tsql", r"\[\w[^\]\n]*\]|\bIDENTITY\s*\(|\bNVARCHAR\b|\bDATETIME2\b|^\s*GO\s*$"),
          ("snowflake", r"\b(?:TIMESTAMP_NTZ|TIMESTAMP_LTZ|VARIANT)\b|\bautoincrement\s+start\b"),
          ("oracle", r"\bVARCHAR2\b|\bNUMBER\s*\(\s*\d+\s*\)"),
          ("bigquery", r"`[^`\n]+\.[^`\n]+`"), ("mysql", r"`"))

#: ``pg_dump``'s data blocks (``COPY t (…) FROM stdin;`` … ``\.``): rows, not statements
_COPY_DATA = re.compile(r"(?ims)^COPY\s+(?P<table>(?:\"[^\"]+\"|[^\s(.]+)(?:\.(?:\"[^\"]+\"|[^\s(.]+))*)[^;]*\bFROM\s+stdin;"
                        r"\n?(?P<rows>.*?)^\\\.\s*$")
#: SQL Server's batch separator (a client command, not SQL): a statement ends there
_GO = re.compile(r"(?im)^[ \t]*GO(?:[ \t]+\d+)?[ \t]*;?[ \t]*$")
#: a column named so is a category (its values are few labels) when the DDL does not list them
_CATEGORY = {"status", "type", "kind", "category", "level", "tier", "stage", "channel", "segment", "plan", "role",
             "priority", "gender", "method", "mode", "grade", "rating", "class", "state"}


def is_ddl(text: str) -> bool:
    return CREATE_TABLE.search(text) is not None


def read(text: str, dialect: str | None = None) -> tuple[list[Table], list[str], str]:
    """The tables ``text`` creates, the notes of what was skipped and the dialect that read it;
    :class:`DatagenError` when no dialect reads its ``CREATE TABLE`` statements (with the first dialect's error
    and its line)."""
    if dialect is not None and dialect.lower() not in sqlglot.Dialect.classes:
        known = ", ".join(sorted(d for d in sqlglot.Dialect.classes if d))
        raise DatagenError(f"unknown SQL dialect {dialect!r}; sqlglot reads {known}")
    log = logging.getLogger("sqlglot")
    level = log.level
    log.setLevel(logging.ERROR)  # its warning on a statement it reads loosely: such statements are skipped here
    try:
        return _read(text, dialect)
    finally:
        log.setLevel(level)


def _read(text: str, dialect: str | None) -> tuple[list[Table], list[str], str]:
    counts = {_unquoted(m["table"]): n for m in _COPY_DATA.finditer(text) if (n := m["rows"].count("\n"))}
    text = _GO.sub(";", _COPY_DATA.sub("", text))
    tried = [dialect.lower()] if dialect else likely_dialects(text)
    first_error = ""
    for d in tried:
        statements, failed = _parse(text, d)
        creates = [s for s in statements if _is_create_table(s)]
        if creates and not any(_looks_like_create(chunk) for chunk, _, _ in failed):
            tables, notes = _Reader(d).tables(statements, failed)
            for t in tables:  # pg_dump's data blocks: each table's rows
                t.rows = counts.get(t.name, counts.get(t.name.lower()))
            if counts:
                notes.append(f"row counts from the dump's data ({len(counts)} COPY block(s)); the rows are not read")
            return tables, notes, d
        if not first_error:
            bad = next((f for f in failed if _looks_like_create(f[0])), failed[0]) if failed else None
            first_error = (f"the statement at line {bad[1]} ({_first_line(bad[0])!r}) does not parse as {d} SQL: {bad[2]}"
                           if bad else f"no CREATE TABLE statement that {d} reads")
    hint = "" if dialect else f" (tried {', '.join(DIALECTS)}; name yours with --dialect)"
    raise DatagenError(f"cannot read the SQL DDL: {first_error}{hint}")


def likely_dialects(text: str) -> list[str]:
    """:data:`DIALECTS`, those whose own syntax the file shows first.

    >>> likely_dialects("CREATE TABLE `a.b.c` (x INT64)")[:2], likely_dialects("CREATE TABLE t (x int)")[0]
    (['bigquery', 'mysql'], 'postgres')
    """
    marked = [d for d, mark in _MARKS if re.search(mark, text, re.IGNORECASE | re.MULTILINE)]
    return list(dict.fromkeys([*marked, *DIALECTS]))


def _parse(text: str, dialect: str) -> tuple[list[Any], list[tuple[str, int, str]]]:
    """Each statement of ``text`` parsed alone, so one that ``dialect`` does not read (a function body, a grant)
    costs only itself: (parsed statements, [(text, line) of those that failed])."""
    try:
        tokens = sqlglot.Dialect.get_or_raise(dialect).tokenize(text)
    except (SqlglotError, ValueError) as exc:
        return [], [(text, 1, _reason(exc, 1))]
    starts, out, failed = [0], [], []
    starts += [t.end + 1 for t in tokens if t.token_type == TokenType.SEMICOLON]
    ends = [t.end + 1 for t in tokens if t.token_type == TokenType.SEMICOLON] + [len(text)]
    for a, b in zip(starts, ends, strict=True):
        chunk = text[a:b].strip().rstrip(";").strip()
        if not _strip_comments(chunk).strip():  # comments only
            continue
        first = text.count("\n", 0, a + len(text[a:b]) - len(text[a:b].lstrip())) + 1
        try:
            parsed = [s for s in sqlglot.parse(chunk, read=dialect) if s is not None]
        except (SqlglotError, ValueError, RecursionError) as exc:
            failed.append((chunk, first, _reason(exc, first)))
            continue
        if any(isinstance(s, exp.Command) for s in parsed) and _looks_like_create(chunk):
            failed.append((chunk, first, "syntax this dialect does not know"))  # sqlglot kept it as raw text
            continue
        out += parsed
    return out, failed


def _reason(exc: Exception, first: int) -> str:
    """sqlglot's first error in a sentence: what it expected, where in the file (``first``: the statement's first
    line), without the token's internals."""
    errors = getattr(exc, "errors", None) or []
    if not errors:
        return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    e = errors[0]
    what = re.sub(r"<Token token_type: \w+\.(\w+), text: (.*?), line:.*?>", r"'\2'", str(e.get("description", "")))
    what = re.sub(r"<class '(?:\w+\.)*(\w+)'?>?", r"\1", what)
    near = str(e.get("highlight") or "").strip()
    line = first + int(e.get("line") or 1) - 1
    return f"{what[:100]} at line {line}, column {e.get('col')}" + (f", near {near[:30]!r}" if near else "")


def _unquoted(qualified: str) -> str:
    """A table's name from ``schema."Table Name"``."""
    last = re.findall(r'"([^"]+)"|([^."]+)', qualified)[-1]
    return last[0] or last[1]


def _strip_comments(sql: str) -> str:
    return re.sub(r"(?s)/\*.*?\*/|--[^\n]*", "", sql)


def _looks_like_create(chunk: str) -> bool:
    return is_ddl(_strip_comments(chunk))


def _first_line(chunk: str) -> str:
    line = next((x.strip() for x in _strip_comments(chunk).splitlines() if x.strip()), chunk.strip())
    return line[:80]


def _is_create_table(s: Any) -> bool:
    return isinstance(s, exp.Create) and str(s.args.get("kind") or "").upper() == "TABLE"


class _Reader:
    """Statements → :class:`Table`s: tables first, then what later statements add to them."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.by_key: dict[tuple[str, str], Table] = {}  # (schema, table) → table
        self.enums: dict[str, list[str]] = {}  # CREATE TYPE … AS ENUM
        self.notes: list[str] = []
        self.pending: list[tuple[Table, list[str], Any]] = []  # foreign keys, resolved once every table is read
        self.links: list[tuple[Table, str, Table, str]] = []  # (table, column, parent, parent column)

    def tables(self, statements: list[Any], failed: list[tuple[str, int, str]]) -> tuple[list[Table], list[str]]:
        for s in statements:
            if isinstance(s, exp.Create) and str(s.args.get("kind") or "").upper() == "TYPE":
                self._enum_type(s)
        for s in statements:
            if _is_create_table(s):
                self._create(s)
        skipped = 0
        for s in statements:
            if _is_create_table(s):
                continue
            if type(s).__name__ in ("Alter", "AlterTable"):
                self._alter(s)
            elif isinstance(s, exp.Comment):
                self._comment(s)
            else:
                skipped += 1
        for t, columns, ref in self.pending:
            self._foreign_key(t, columns, ref)
        self.notes += [f"the statement at line {line} ({_first_line(chunk)!r}) does not parse as {self.dialect} SQL "
                       f"({why}); skipped"
                       for chunk, line, why in failed]
        if skipped:
            self.notes.append(f"{skipped} other statement(s) (indexes, views, functions, grants…) skipped: a schema "
                              "holds tables")
        names = [t.name for t in self.by_key.values()]
        dupes = {n for n in names if names.count(n) > 1}
        for (db, _), t in self.by_key.items():
            if t.name in dupes and db:
                t.name = f"{db}_{t.name}"
        for t, column, parent, remote in self.links:  # by identity: a parent's name may have changed above
            t.fks.append((column, parent.name, remote))
        return list(self.by_key.values()), self.notes

    # -- statements ------------------------------------------------------------------------------------------------

    def _create(self, s: Any) -> None:
        schema = s.this
        table = schema.this if isinstance(schema, exp.Schema) else schema
        if not isinstance(table, exp.Table) or not table.name:
            return
        where = table.name
        if not isinstance(schema, exp.Schema) or not any(isinstance(e, exp.ColumnDef) for e in schema.expressions):
            self.notes.append(f"{where}: created from a query or another table, not from columns; skipped")
            return
        t = Table(table.name, [])
        self.by_key[(table.db, table.name)] = t
        keys: list[str] = []
        for e in schema.expressions:
            if isinstance(e, exp.ColumnDef):
                keys += self._column(t, e)
            else:
                keys += self._table_constraint(t, e)
        if keys:
            t.pk = keys[0]

    def _column(self, t: Table, e: Any) -> list[str]:
        f = Field(e.name, "string")
        f.type, f.enum, serial = dsl_type(e.args.get("kind"), self.dialect, self.enums)
        if f.type in ("int", "float"):
            *f.cap, f.decimals = capacity(e.args.get("kind"))  # type: ignore[assignment]
        elif f.type == "string" and f.enum is None:
            f.max_length = text_length(e.args.get("kind"))
        keys = [f.name] if serial else []
        for c in e.args.get("constraints") or []:
            kind = c.args.get("kind") if isinstance(c, exp.ColumnConstraint) else c
            if isinstance(kind, exp.NotNullColumnConstraint) and not kind.args.get("allow_null"):
                f.required = True
            elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                f.required = f.unique = True
                keys.insert(0, f.name)
            elif isinstance(kind, exp.UniqueColumnConstraint):
                f.unique = True
            elif isinstance(kind, exp.CheckColumnConstraint):
                self._check(t, kind.this, f)
            elif isinstance(kind, exp.Reference):
                self.pending.append((t, [f.name], kind))
            elif isinstance(kind, exp.CommentColumnConstraint) and isinstance(kind.this, exp.Literal):
                f.description = kind.this.name
            elif type(kind).__name__ in ("AutoIncrementColumnConstraint", "GeneratedAsIdentityColumnConstraint"):
                keys.append(f.name)
        if f.type == "string" and f.enum is None and words(f.name)[-1:] and words(f.name)[-1] in _CATEGORY:
            f.category = True
        t.fields.append(f)
        return keys

    def _table_constraint(self, t: Table, e: Any) -> list[str]:
        if isinstance(e, exp.Constraint):  # CONSTRAINT name <kind>
            return [k for inner in e.expressions for k in self._table_constraint(t, inner)]
        if isinstance(e, exp.PrimaryKey):
            cols = names(e.expressions)
            for name in cols:
                if (f := t.field(name)) is not None:
                    f.required = True
            if len(cols) == 1:
                if (f := t.field(cols[0])) is not None:
                    f.unique = True
                return cols
            self.notes.append(f"{t.name}: its primary key ({', '.join(cols)}) has several columns; a key column "
                              "is added (the DSL keys a table by one column)")
            return []
        if isinstance(e, exp.ForeignKey):
            self.pending.append((t, names(e.expressions), e.args.get("reference")))
        elif isinstance(e, exp.UniqueColumnConstraint):
            cols = names(e.this.expressions if isinstance(e.this, exp.Schema) else [e.this])
            if len(cols) == 1 and (f := t.field(cols[0])) is not None:
                f.unique = True
        elif isinstance(e, exp.CheckColumnConstraint):
            self._check(t, e.this, None)
        return []

    def _alter(self, s: Any) -> None:
        table = s.this
        t = self._table(table.db, table.name) if isinstance(table, exp.Table) else None
        if t is None:
            return
        for action in s.args.get("actions") or []:
            for e in action.expressions if isinstance(action, exp.AddConstraint) else [action]:
                keys = self._table_constraint(t, e)
                if keys and t.pk is None:
                    t.pk = keys[0]

    def _comment(self, s: Any) -> None:
        kind, target, text = str(s.args.get("kind") or "").upper(), s.this, s.args.get("expression")
        if not isinstance(text, exp.Literal):
            return
        if kind == "TABLE" and isinstance(target, exp.Table) and (t := self._table(target.db, target.name)):
            t.description = text.name
        elif kind == "COLUMN" and isinstance(target, exp.Column):
            t = self._table(target.args["db"].name if target.args.get("db") else "", target.table)
            if t is not None and (f := t.field(target.name)) is not None:
                f.description = text.name

    def _enum_type(self, s: Any) -> None:
        values = [v.name for v in s.find_all(exp.Literal) if v.is_string]
        target = s.this
        if values and isinstance(target, exp.Table | exp.Identifier | exp.Dot):
            self.enums[target.name.lower()] = values

    # -- pieces ----------------------------------------------------------------------------------------------------

    def _check(self, t: Table, cond: Any, only: Field | None) -> None:
        """A CHECK's bounds and allowed values on its columns (``only``: a column's own check); other checks are
        noted, not carried."""
        carried = False
        for part in conjuncts(cond):
            part = uncast(part)
            col, values, low, high = bound(part)
            f = only if only is not None else t.field(col or "")  # a column's own CHECK may name only itself
            if f is None or col != f.name:
                continue
            if values is not None:
                f.enum = [typed_value(v, f.type) for v in values]
            if low is not None:
                f.low = low if f.low is None else max(f.low, low)
            if high is not None:
                f.high = high if f.high is None else min(f.high, high)
            carried = carried or values is not None or low is not None or high is not None
        if not carried:
            self.notes.append(f"{t.name}: CHECK ({_first_line(cond.sql(dialect=self.dialect))}) is not a bound or a "
                              "list of values; not carried")

    def _foreign_key(self, t: Table, columns: list[str], ref: Any) -> None:
        target = ref.this if ref is not None else None
        table = target.this if isinstance(target, exp.Schema) else target
        if not isinstance(table, exp.Table):
            return
        remote = names(target.expressions) if isinstance(target, exp.Schema) else []
        parent = self._table(table.db, table.name)
        if parent is None:  # layout notes a reference to a table the source does not describe
            t.fks.append((columns[0], table.name, remote[0] if remote else columns[0]))
            return
        remote = remote or ([parent.pk] if parent.pk else [])
        if len(columns) != 1 or len(remote) != 1:
            self.notes.append(f"{t.name} ({', '.join(columns)}) → {parent.name}: a foreign key of several columns; "
                              "generated as plain columns")
            return
        if not any(x is t and c == columns[0] for x, c, _, _ in self.links):
            self.links.append((t, columns[0], parent, remote[0]))

    def _table(self, db: str, name: str) -> Table | None:
        if (db, name) in self.by_key:
            return self.by_key[(db, name)]
        same = [t for (d, n), t in self.by_key.items() if n == name or n.lower() == name.lower()]
        return same[0] if len(same) == 1 else None
