"""A Prisma schema (``schema.prisma``): each ``model`` is a table, each ``enum`` the values of the fields typed by it.

- Scalar types: ``String``, ``Boolean``, ``Int``/``BigInt``, ``Float``/``Decimal``, ``DateTime`` (``@db.Date`` a
  date), ``Json`` and ``Bytes`` as text; ``Type?`` is optional; a scalar list (``String[]``) is text, noted.
- ``@id`` is the key (``@@id([a, b])``: a key of several columns, so the table gets one added, noted),
  ``@unique`` unique, ``@default(uuid())`` / ``cuid()`` text keys, ``@db.VarChar(n)`` / ``@db.Char(n)`` a
  ``max_length``, ``@db.Decimal(p, s)`` its digits and decimals, ``@db.SmallInt`` its range.
- A relation field with ``@relation(fields: [authorId], references: [id])`` makes ``authorId`` a foreign key; the
  other side (``posts Post[]``) is no column. Two models listing each other with no ``fields`` (an implicit
  many-to-many) get Prisma's own link table ``_PostToTag(A, B)``, ``A`` the model first in alphabetical order.
- ``@map`` / ``@@map`` name the columns and tables as the database does (the data goes there); ``///`` comments
  are descriptions.

>>> tables, notes = read('''
... enum Role { USER ADMIN }
... model User {
...   id    Int     @id @default(autoincrement())
...   email String  @unique @db.VarChar(120)
...   role  Role    @default(USER)
...   posts Post[]
... }
... model Post {
...   id       String @id @default(cuid())
...   author   User   @relation(fields: [authorId], references: [id])
...   authorId Int    @map("author_id")
...   @@map("posts")
... }''')
>>> [(t.name, t.pk, t.fks) for t in tables]
[('User', 'id', []), ('posts', 'id', [('author_id', 'User', 'id')])]
>>> [(f.name, f.type, f.enum, f.max_length) for f in tables[0].fields]
[('id', 'int', None, None), ('email', 'string', None, 120), ('role', 'string', ['USER', 'ADMIN'], None)]
"""

from __future__ import annotations

import re

from .layout import Field, Table
from .sql_parts import column_type

_TYPES = {"String": "string", "Boolean": "bool", "Int": "int", "BigInt": "int", "Float": "float",
          "Decimal": "float", "DateTime": "datetime", "Json": "string", "Bytes": "string"}
_BLOCK = re.compile(r"^\s*(model|enum|view|type)\s+(\w+)\s*\{(?:([^\n{}]*)\}|(.*?)^\s*\})", re.S | re.M)
_FIELD = re.compile(r"^\s*(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$")
_SMALL = {"SmallInt": (-32768, 32767), "TinyInt": (-128, 127), "UnsignedTinyInt": (0, 255), "Int2": (-32768, 32767)}


def is_prisma(text: str) -> bool:
    """Whether ``text`` reads as a Prisma schema: a ``model Name {`` block with a field in it."""
    return any(m.group(1) in ("model", "view") for m in _BLOCK.finditer(_strip(text)))


def read(text: str) -> tuple[list[Table], list[str]]:
    """The tables of a Prisma schema and the notes of what was read loosely."""
    notes: list[str] = []
    source = _strip(text, keep_docs=True)
    blocks = list(_BLOCK.finditer(source))
    bodies = {m.group(2): m.group(3) if m.group(3) is not None else m.group(4) for m in blocks}
    enums = {m.group(2): [w for line in bodies[m.group(2)].splitlines() if not line.strip().startswith("//")
                          for w in re.sub(r"@+[\w.]+(\([^)]*\))?", " ", _plain(line)).split()]
             for m in blocks if m.group(1) == "enum"}
    models = {m.group(2): bodies[m.group(2)] for m in blocks if m.group(1) in ("model", "view")}
    names = {name: _mapped(body, "@@map") or name for name, body in models.items()}
    tables: dict[str, Table] = {}
    lists: dict[str, set[str]] = {}  # model -> models it lists with no fields of its own (a many-to-many side)
    docs = {m.group(2): _doc_above(source[:m.start()]) for m in blocks}
    for model, body in models.items():
        t = tables[model] = Table(names[model], [], description=docs.get(model))
        columns: dict[str, str] = {}  # Prisma field name -> column name
        doc: list[str] = []
        for line in body.splitlines():
            stripped = line.strip()
            if stripped.startswith("///"):
                doc.append(stripped[3:].strip())
                continue
            m = _FIELD.match(_plain(line))
            if m is None or stripped.startswith("@@"):
                doc = []
                continue
            field_name, kind, many, optional, attrs = m.groups()
            description, doc = " ".join(doc) or None, []
            if kind in models:  # a relation: its scalar fields carry the key, the other side is no column
                ref = re.search(r"@relation\(([^)]*)\)", attrs)
                fields = re.search(r"fields\s*:\s*\[([^\]]*)\]", ref.group(1)) if ref else None
                refs = re.search(r"references\s*:\s*\[([^\]]*)\]", ref.group(1)) if ref else None
                if fields and refs:
                    for own, other in zip(_words(fields.group(1)), _words(refs.group(1)), strict=False):
                        t.fks.append((own, kind, other))  # Prisma names, mapped below
                elif many:
                    lists.setdefault(model, set()).add(kind)
                continue
            f = Field(_mapped(attrs, "@map") or field_name, _TYPES.get(kind, "string"), required=not optional,
                      unique="@unique" in attrs, description=description)
            columns[field_name] = f.name
            if kind in enums:
                f.enum = enums[kind]
            elif many:
                f.type = "string"
                notes.append(f"{t.name}.{f.name}: a list of {kind}, generated as text")
            elif kind not in _TYPES:
                notes.append(f"{t.name}.{f.name}: type {kind} (a composite type or unsupported), generated as text")
            _native(f, attrs)
            if re.search(r"@id\b", attrs):
                t.pk, f.required, f.unique = f.name, True, True
                f.hint = "uuid4" if f.type == "string" and re.search(r"@default\((uuid|cuid|nanoid)", attrs) else None
            t.fields.append(f)
        compound = re.search(r"@@id\(\s*(?:fields\s*:\s*)?\[([^\]]*)\]", body)
        if compound and t.pk is None:
            notes.append(f"{t.name}: a key of several columns ({', '.join(_words(compound.group(1)))}); "
                         "the table gets a key column of its own")
        t.fks = [(columns.get(own, own), parent, other) for own, parent, other in t.fks]
    for t in tables.values():  # the referenced columns by their database names, tables by theirs
        t.fks = [(own, names[parent], _column_name(models[parent], other)) for own, parent, other in t.fks]
    out = list(tables.values())
    for a in sorted(lists):
        for b in sorted(lists[a]):
            if a < b and a in lists.get(b, set()):  # each side lists the other: Prisma's implicit link table
                out.append(_link(tables[a], tables[b], f"_{a}To{b}"))
    return out, notes


def _doc_above(before: str) -> str | None:
    """The ``///`` lines right above a block: its description."""
    lines: list[str] = []
    for line in reversed(before.rstrip().splitlines()):
        if not line.strip().startswith("///"):
            break
        lines.insert(0, line.strip()[3:].strip())
    return " ".join(lines) or None


def _link(a: Table, b: Table, name: str) -> Table:
    def side(column: str, t: Table) -> Field:
        key = t.field(t.pk) if t.pk else None
        return Field(column, key.type if key else "int", required=True)

    link = Table(name, [side("A", a), side("B", b)])
    link.fks = [("A", a.name, a.pk or "id"), ("B", b.name, b.pk or "id")]
    return link


def _native(f: Field, attrs: str) -> None:
    """``@db.VarChar(n)``, ``@db.Decimal(p, s)``, ``@db.SmallInt``, ``@db.Date``: what the database column holds."""
    m = re.search(r"@db\.(\w+)(?:\(([^)]*)\))?", attrs)
    if m is None:
        return
    native, args = m.group(1), m.group(2)
    if native == "Date" and f.type == "datetime":
        f.type = "date"
    elif native in _SMALL and f.type == "int":
        f.cap = _SMALL[native]
    elif native in ("VarChar", "Char", "NVarChar", "NChar", "Decimal") and args:  # read as the SQL type it names
        kind, cap, decimals, chars = column_type(f"{native}({args})")
        if kind == f.type:
            f.cap, f.decimals, f.max_length = cap, decimals, chars


def _column_name(body: str, field_name: str) -> str:
    for line in body.splitlines():
        m = _FIELD.match(_plain(line))
        if m is not None and m.group(1) == field_name:
            return _mapped(m.group(5), "@map") or field_name
    return field_name


def _mapped(text: str, attribute: str) -> str | None:
    m = re.search(re.escape(attribute) + r"\(\s*(?:name\s*:\s*)?\"([^\"]+)\"", text)
    return m.group(1) if m else None


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


def _plain(line: str) -> str:
    """A line without its ``//`` comment (outside strings)."""
    out, quoted = [], False
    for i, ch in enumerate(line):
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            quoted = not quoted
        if not quoted and line.startswith("//", i):
            break
        out.append(ch)
    return "".join(out)


def _strip(text: str, keep_docs: bool = False) -> str:
    """The schema without ``/* */`` comments, and without ``//`` comments unless documentation (``///``) is kept."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return text if keep_docs else "\n".join(_plain(line) for line in text.splitlines())
