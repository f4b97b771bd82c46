"""DBML (dbdiagram.io, dbdocs): each ``Table`` is a table, each ``Enum`` the values of the columns typed by it.

- Column settings: ``pk`` / ``primary key``, ``unique``, ``not null`` / ``null``, ``increment``, ``note: '…'`` (a
  description), ``ref: > t.c`` (an inline reference); a table's ``Note`` its description; ``indexes { (a, b) [pk] }``
  a key of several columns (the table gets a key column of its own, noted).
- Types as SQL names them (``int``, ``varchar(40)``, ``decimal(8,2)``, ``timestamp``, ``bool``…), read by the SQL
  DDL reader's rules (:mod:`.sql_parts`): so ``varchar(40)`` is a ``max_length`` and ``decimal(8, 2)`` keeps its digits.
- ``Ref: a.x > b.y`` (many-to-one: ``a.x`` references ``b.y``), ``<`` the other way, ``-`` one-to-one (the left
  side references the right, unique), ``<>`` many-to-many (a link table ``a_b`` of both keys, noted); the long
  form ``Ref name { … }`` and table aliases (``Table users as U``) too; ``schema.table`` names keep the table's.

>>> tables, notes = read('''
... Enum status { active  "on hold" [note: 'paused'] }
... Table users as U {
...   id int [pk, increment]
...   email varchar(120) [unique, not null]
...   status status
...   Note: 'people who sign in'
... }
... Table posts { id int [pk]
...   author_id int [ref: > U.id]
...   title varchar }''')
>>> [(t.name, t.pk, t.fks, t.description) for t in tables]
[('users', 'id', [], 'people who sign in'), ('posts', 'id', [('author_id', 'users', 'id')], None)]
>>> [(f.name, f.type, f.enum, f.max_length, f.unique) for f in tables[0].fields]
[('id', 'int', None, None, True), ('email', 'string', None, 120, True), ('status', 'string', ['active', 'on hold'], None, False)]
"""

from __future__ import annotations

import re

from .layout import Field, Table
from .sql_parts import column_type

_NAME = r'(?:"[^"]+"|`[^`]+`|[\w.]+)'
_BLOCK = re.compile(r"^\s*(Table|Enum|Ref|TableGroup|Project|Note|TablePartial)\b\s*([^{\n]*?)\s*\{", re.I | re.M)
_REF = re.compile(rf"({_NAME}(?:\.\(?[^)\s<>-]*\)?)?)\s*(<>|<|>|-)\s*({_NAME}(?:\.\(?[^)\s]*\)?)?)")


def is_dbml(text: str) -> bool:
    """Whether ``text`` reads as DBML: a ``Table name {`` block (SQL DDL has ``CREATE TABLE``, not this)."""
    return bool(re.search(r"(?im)^\s*Table\s+" + _NAME + r"(\s+as\s+\w+)?\s*(\[[^\]]*\])?\s*\{", _clean(text)))


def read(text: str) -> tuple[list[Table], list[str]]:
    """The tables of a DBML document and the notes of what was read loosely."""
    text = _clean(text)
    notes: list[str] = []
    enums: dict[str, list[str]] = {}
    tables: dict[str, Table] = {}
    alias: dict[str, str] = {}
    refs: list[tuple[str, str, str]] = []  # (left, op, right) as written
    for kind, head, body in _blocks(text):
        kind = kind.lower()
        if kind == "enum":
            values = re.findall(r'"[^"]+"|[^\s\[\]]+', re.sub(r"\[[^\]]*\]", " ", body))
            enums[_bare(head).split(".")[-1]] = [_bare(v) for v in values]
        elif kind == "ref":
            refs += [(m.group(1), m.group(2), m.group(3)) for m in _REF.finditer(body)]
    for kind, head, body in _blocks(text):
        if kind.lower() != "table":
            continue
        m = re.match(rf"({_NAME})(?:\s+as\s+(\w+))?", head, re.I)
        if m is None:
            continue
        name = _bare(m.group(1)).split(".")[-1]
        t = tables[name] = Table(name, [])
        if m.group(2):
            alias[m.group(2)] = name
        _table_body(t, body, enums, refs, notes)
    refs += [(m.group(1), m.group(2), m.group(3)) for m in _REF.finditer("\n".join(re.findall(r"(?im)^\s*Ref\s*\w*\s*:\s*(.+)$", text)))]
    for left, op, right in refs:
        _reference(tables, alias, left, op, right, notes)
    return list(tables.values()), notes


def _table_body(t: Table, body: str, enums: dict[str, list[str]], refs: list[tuple[str, str, str]],
                notes: list[str]) -> None:
    indexes = re.search(r"(?is)\bindexes\s*\{(.*?)\}", body)
    note = re.search(r"(?ims)^\s*Note\s*:\s*('''.*?'''|'(?:[^'\\]|\\.)*'|\"[^\"]*\")", body)
    t.description = _text(note.group(1)) if note else None
    rest = body.replace(indexes.group(0), "") if indexes else body
    rest = rest.replace(note.group(0), "") if note else rest  # a note's lines are no columns
    for line in rest.splitlines():
        m = re.match(rf"\s*({_NAME})\s+([\w.]+(?:\s*\([^)]*\))?(?:\[\])?)\s*(\[.*\])?\s*$", line)
        if m is None or m.group(1).lower() == "note":
            continue
        col, kind, settings = _bare(m.group(1)), m.group(2), (m.group(3) or "")[1:-1]
        f = Field(col, "string", description=_setting(settings, "note"))
        base = kind.split("(")[0].split(".")[-1]
        if base in enums:
            f.enum = enums[base]
        else:
            f.type, f.cap, f.decimals, f.max_length = column_type(kind)
        words = {w.strip().lower() for w in re.sub(r"'[^']*'|\"[^\"]*\"", "", settings).split(",")}
        if words & {"pk", "primary key"}:
            t.pk, f.required, f.unique = col, True, True
        f.unique = f.unique or "unique" in words
        f.required = f.required or "not null" in words
        if ref := re.search(r"ref\s*:\s*(<>|<|>|-)\s*(" + _NAME + r"(?:\.\S+)?)", settings):
            refs.append((f"{t.name}.{col}", ref.group(1), ref.group(2).rstrip(",]")))
        t.fields.append(f)
    if indexes and t.pk is None and (key := re.search(r"\(([^)]*)\)\s*\[[^\]]*\bpk\b", indexes.group(1))):
        notes.append(f"{t.name}: a key of several columns ({key.group(1).strip()}); the table gets a key column of its own")


def _reference(tables: dict[str, Table], alias: dict[str, str], left: str, op: str, right: str,
               notes: list[str]) -> None:
    (lt, lc), (rt, rc) = _column(left, alias), _column(right, alias)
    if op == "<":
        (lt, lc), (rt, rc) = (rt, rc), (lt, lc)
    if lt not in tables or rt not in tables or "," in lc or "," in rc:
        if "," in lc or "," in rc:
            notes.append(f"{lt}.({lc}) → {rt}.({rc}): a reference of several columns; the columns stay plain")
        return
    if op == "<>":  # many-to-many: a link table of both keys
        link = Table(f"{lt}_{rt}", [Field(f"{lt}_{lc}", _type_of(tables[lt], lc), required=True),
                                    Field(f"{rt}_{rc}", _type_of(tables[rt], rc), required=True)])
        link.fks = [(f"{lt}_{lc}", lt, lc), (f"{rt}_{rc}", rt, rc)]
        tables[link.name] = link
        notes.append(f"{link.name}: the link table of the many-to-many reference {lt}.{lc} <> {rt}.{rc}")
        return
    if op == "-" and (f := tables[lt].field(lc)) is not None:
        f.unique = True  # one-to-one
    if (lc, rt, rc) not in tables[lt].fks:
        tables[lt].fks.append((lc, rt, rc))


def _type_of(t: Table, column: str) -> str:
    f = t.field(column)
    return f.type if f is not None else "int"


def _column(ref: str, alias: dict[str, str]) -> tuple[str, str]:
    parts = [_bare(p) for p in re.findall(r'"[^"]+"|`[^`]+`|\([^)]*\)|[^.]+', ref.strip())]
    table, column = (parts[-2] if len(parts) > 1 else ""), parts[-1].strip("()")
    return alias.get(table, table), column


def _blocks(text: str) -> list[tuple[str, str, str]]:
    """(keyword, header, body) of every top-level block; braces inside quotes do not count."""
    out = []
    for m in _BLOCK.finditer(text):
        depth, i, quote = 1, m.end(), ""
        while i < len(text) and depth:
            ch = text[i]
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"`":
                quote = ch
            elif ch in "{}":
                depth += 1 if ch == "{" else -1
            i += 1
        out.append((m.group(1), m.group(2).strip(), text[m.end(): i - 1]))
    return out


def _setting(settings: str, key: str) -> str | None:
    m = re.search(key + r"\s*:\s*('''.*?'''|'(?:[^'\\]|\\.)*'|\"[^\"]*\")", settings, re.I | re.S)
    return _text(m.group(1)) if m else None


def _text(quoted: str) -> str:
    return quoted.strip("'\"").strip().replace("\\'", "'")


def _bare(name: str) -> str:
    return name.strip().strip('"`')


def _clean(text: str) -> str:
    """DBML without its ``//`` and ``/* */`` comments (outside strings)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(re.sub(r"""^((?:[^'"/]|'[^']*'|"[^"]*"|/(?!/))*)//.*$""", r"\1", line) for line in text.splitlines())
