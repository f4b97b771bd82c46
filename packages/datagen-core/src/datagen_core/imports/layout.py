"""The DSL schema of tables described by another tool: what the importers (:mod:`.sdv`, :mod:`.frictionless`,
:mod:`.dbt`, :mod:`.snowfakery`) read is put into :class:`Table`s of :class:`Field`s, and :func:`build` writes the nodes.

Only what the source says is carried over — names, types, keys, foreign keys, allowed values, ranges, formats —
and every placeholder it had to choose (a row count, a number's range, a category's values) is listed in the notes,
so the user knows what to edit before generating.

>>> users = Table("users", [Field("id", "int"), Field("email", "string", hint="email")], pk="id")
>>> orders = Table("orders", [Field("id", "int"), Field("user_id", "int"), Field("total", "float", low=0, high=500)],
...                pk="id", fks=[("user_id", "users", "id")])
>>> schema, notes = build("shop", [orders, users], rows=100)
>>> [(n["id"], n["kind"]) for n in schema["nodes"]], schema["constraints"]["foreign_keys"]
([('users', 'entity'), ('orders', 'fact')], [{'from': 'orders.user_id', 'to': 'users.id'}])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from datagen_contracts.text import creation_column, time_pairs
from datagen_contracts.text import name_words as words

from .values import UNIQUE_BY_CONSTRUCTION, capacity, hinted, template_of, typed, values_of

FANOUT = 3  # children per parent when the source gives no row counts
SHORTEST_UNIQUE = 20  # characters a unique e-mail or user name needs to stay unique once cut to its max_length
MOST = 30  # … unless that takes a table past this many times --rows (a long chain of references)


@dataclass
class Field:
    name: str
    type: str  # a DSL type: int, float, string, bool, date, datetime
    required: bool = False
    unique: bool = False
    enum: list[Any] | None = None
    low: float | None = None
    high: float | None = None
    hint: str | None = None  # a Faker method the source names (an SDV sdtype, a format)
    category: bool = False  # a category whose values the source does not list
    weights: list[float] | None = None  # the shares of ``enum``'s values (equal when None)
    pattern: str | None = None  # a regular expression every value matches
    window: tuple[str, str] | None = None  # a date/datetime column's own window (ISO dates), else the timeframe
    description: str | None = None
    cap: tuple[float | None, float | None] = (None, None)  # what the source's type can store (TINYINT: 127)
    decimals: int | None = None  # the decimals the type keeps (DECIMAL(5, 2): 2)
    max_length: int | None = None  # the most characters a text value holds (VARCHAR(40), maxLength)


@dataclass
class Table:
    name: str
    fields: list[Field]
    pk: str | None = None
    fks: list[tuple[str, str, str]] = field(default_factory=list)  # (column, referenced table, referenced column)
    rows: int | None = None
    description: str | None = None
    under: str | None = None  # the table each of whose rows makes ``per_parent`` rows of this one (Snowfakery)
    per_parent: int | None = None
    per_parent_max: int | None = None  # a range of rows per parent (``per_parent`` to this), uniform

    def parents(self) -> list[str]:
        """The tables this one is generated under: the one it is nested in, then those it references."""
        return list(dict.fromkeys(([self.under] if self.under else []) + [p for _, p, _ in self.fks if p != self.name]))

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def number(v: Any) -> float | None:
    """A number the source gives (a bool is not one), as float; None for anything else."""
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def length(v: Any) -> int | None:
    """A maximum length the source gives (``maxLength: 40``, ``VARCHAR(40)``), else None."""
    n = int(v) if isinstance(v, int | str) and not isinstance(v, bool) and str(v).isdigit() else 0
    return n if n >= 1 else None


def mapping(v: Any) -> dict[str, Any]:
    """``v`` when it is a JSON object, else an empty one (a source's optional section, possibly null)."""
    return v if isinstance(v, dict) else {}


def order(tables: list[Table], notes: list[str]) -> list[Table]:
    """Parents before children; a foreign key that would close a cycle is dropped (noted) — the DSL generates a
    table after every table it references."""
    by_name = {t.name: t for t in tables}
    done: list[Table] = []
    visiting: set[str] = set()

    def visit(t: Table) -> None:
        if t in done:
            return
        visiting.add(t.name)
        if t.under is not None and t.under in by_name and t.under not in visiting:
            visit(by_name[t.under])
        for fk in list(t.fks):
            parent = by_name.get(fk[1])
            if parent is None:
                t.fks.remove(fk)
                notes.append(f"{t.name}.{fk[0]}: references {fk[1]}, which the source does not describe; generated "
                             "as a plain column")
            elif parent.name != t.name and parent.name in visiting:
                t.fks.remove(fk)
                notes.append(f"{t.name}.{fk[0]} → {fk[1]}: closes a cycle of references; generated as a plain column")
            elif parent.name != t.name:
                visit(parent)
        visiting.discard(t.name)
        done.append(t)

    for t in tables:
        visit(t)
    return done


def build(name: str, tables: list[Table], *, rows: int = 1000, timeframe: tuple[str, str] = ("2024-01-01", "2024-12-31"),
          source: str = "") -> tuple[dict[str, Any], list[str]]:
    """The DSL schema (a dict, for ``json.dumps``) and the notes of what was chosen for the user."""
    notes: list[str] = []
    tables = order(_matched(_dotless(tables, notes)), notes)
    known = {t.name: t for t in tables}
    nodes, unique, fks, ordered = [], [], [], []
    descriptions: dict[str, str] = {}
    expected: dict[str, float] = {}  # each table's rows as the schema will make them (parents come first)
    for t in tables:
        node: dict[str, Any] = {"id": t.name}
        parents = [p for p in t.parents() if p in known]
        keyed = {c: (p, pc) for c, p, pc in t.fks}
        if parents:
            node["kind"] = "fact"
            node["parents"] = parents
            above = expected[parents[0]]
            mean = t.rows / max(above, 1) if t.rows else FANOUT
            one = [c for c, (p, _) in keyed.items() if p == parents[0] and (f := t.field(c)) is not None and f.unique]
            one = [] if t.rows else one  # (a row count the source gives stands)
            if not t.rows and t.per_parent is None and above * FANOUT > MOST * rows:
                # a chain of references (region → country → customer → order …) would multiply the rows by 3
                # at every step: the table stays near MOST times --rows instead
                mean = MOST * rows / above
                notes.append(f"{t.name}: {mean:.3g} rows per {parents[0]} on average, so that it holds about "
                             f"{MOST * rows:,} rows at the end of a chain of references (the source gives no row "
                             "counts); edit its fanout")
            elif not t.rows and t.per_parent is None:
                notes.append(f"{t.name}: {FANOUT} rows per {parents[0]} on average (the source gives no row counts); "
                             "edit its fanout")
            node["fanout"] = {"distribution": "poisson", "lambda": round(max(mean, 0.001), 3)}
            if one and t.per_parent is None:  # a unique reference: one-to-one (a user's profile), at most one each
                node["fanout"] = {"distribution": "uniform", "min": 0, "max": 1}
                notes[-1] = f"{t.name}: at most one row per {parents[0]} (its {one[0]} is unique); edit its fanout"
            if t.per_parent is not None:  # exactly so many per parent, or a range of them
                high = max(t.per_parent_max or t.per_parent, t.per_parent)
                node["fanout"] = {"distribution": "uniform", "min": t.per_parent, "max": high}
            expected[t.name] = float(t.rows) if t.rows else above * (
                (t.per_parent + (t.per_parent_max or t.per_parent)) / 2 if t.per_parent is not None
                else node["fanout"].get("lambda", 0.5))
        else:
            node["kind"] = "entity"
            node["rows"] = t.rows if t.rows is not None else rows
            key = t.field(t.pk) if t.pk else None
            most = key.cap[1] if key is not None and key.type != "string" else (  # a TINYINT key numbers 127 rows,
                26 ** key.max_length if key is not None and key.max_length and key.max_length < 8 else None)  # CHAR(2) 676
            if t.rows is None and most is not None and most < node["rows"]:
                node["rows"] = int(most)
                notes.append(f"{t.name}: {node['rows']:,} rows, as many as its key's type holds")
            expected[t.name] = float(node["rows"])
        pk = t.pk if t.pk and t.field(t.pk) else None
        if pk is None and (pk := named_key(t)) is not None:
            t.pk = pk
            notes.append(f"{t.name}: no primary key in the source; {pk} taken as the key by its name")
        if pk is None:
            pk = t.pk = surrogate(t)  # numbered whatever its name says (a table "email_events": not e-mails)
            notes.append(f"{t.name}: no primary key in the source; {pk} added")
        node["pk"] = pk
        node["columns"] = [_column(t, f, keyed.get(f.name), known, notes, expected[t.name]) for f in t.fields]
        for f, col in zip(t.fields, node["columns"], strict=True):
            if parents and f.window and f.window[0] < timeframe[0]:  # times from before the data's period (a birth
                col["after_parent"] = False                          # date): an attribute, not an event after it
        descriptions |= {t.name: t.description} if t.description else {}
        descriptions |= {f"{t.name}.{f.name}": f.description for f in t.fields if f.description}
        nodes.append(node)
        for f, col in zip(t.fields, node["columns"], strict=True):
            if f.unique and f.name != pk and not _distinct(col):  # a claim its generated values could not keep
                notes.append(f"{t.name}.{f.name}: unique in the source, but its generated {col['type']} values "
                             "may repeat; not kept as a constraint (give it a unique generator)")
            elif f.unique and f.name != pk:
                unique.append(f"{t.name}.{f.name}")
        fks += [{"from": f"{t.name}.{c}", "to": f"{p}.{pc}"} for c, p, pc in t.fks]
        for early, late in _name_order(t):  # what crunch checks, declared for generation
            ordered.append({"left": f"{t.name}.{late}", "op": ">=", "right": f"{t.name}.{early}"})
            notes.append(f"{t.name}.{late} >= {t.name}.{early}: the order their names say; edit or remove it")
    meta: dict[str, Any] = {"name": name, **({"source": source} if source else {}),
                            **({"descriptions": descriptions} if descriptions else {})}
    schema = {"version": "1.0", "metadata": meta,
              "timeframe": {"start": timeframe[0], "end": timeframe[1]},
              "constraints": {"unique": unique, "foreign_keys": fks, **({"inequalities": ordered} if ordered else {})},
              "nodes": nodes}
    return schema, notes


def _matched(tables: list[Table]) -> list[Table]:
    """Foreign keys naming their table or column in another case than it has (a dbt test's ``customer_id`` for a
    Snowflake catalog's ``CUSTOMER_ID``) point at the one they mean, when only one matches."""
    by_name = {t.name: t for t in tables}
    folded: dict[str, list[Table]] = {}
    for t in tables:
        folded.setdefault(t.name.lower(), []).append(t)

    def table(name: str) -> Table | None:
        same = folded.get(name.lower(), [])
        return by_name.get(name) or (same[0] if len(same) == 1 else None)

    for t in tables:
        fixed = []
        for c, p, pc in t.fks:
            parent = table(p)
            if parent is not None and parent.field(pc) is None:
                same = [f.name for f in parent.fields if f.name.lower() == pc.lower()]
                pc = same[0] if len(same) == 1 else pc
            fixed.append((c, parent.name if parent is not None else p, pc))
        t.fks = fixed
    return tables


def _dotless(tables: list[Table], notes: list[str]) -> list[Table]:
    """A table name holding ``.`` (``sales.orders`` as one quoted name) renamed with ``_``: the DSL's references
    (``orders.customer_id``) split at the first dot. Foreign keys follow the new names."""
    taken = {t.name for t in tables}
    renamed: dict[str, str] = {}
    for t in tables:
        if "." in t.name:
            old, new = t.name, t.name.replace(".", "_")
            while new in taken:
                new += "_"
            renamed[old], t.name = new, new
            taken.add(new)
            notes.append(f"{new}: named {old!r} in the source; renamed (a DSL table name holds no '.')")
    for t in tables:
        t.fks = [(c, renamed.get(p, p), pc) for c, p, pc in t.fks]
        t.under = renamed.get(t.under, t.under) if t.under else None
    return tables


def name_stems(name: str) -> set[tuple[str, ...]]:
    """A table name's words, as written and with its last word in the singular (``order_items`` → ``order item``).

    >>> ("category",) in name_stems("categories"), sorted(name_stems("People"))
    (True, [('people',), ('person',)])
    """
    own = words(name)
    stems = {tuple(own)}
    if own:
        last = own[-1]
        for cut, add in (("ies", "y"), ("es", ""), ("s", ""), ("people", "person")):
            if last.endswith(cut):
                stems.add((*own[:-1], last[: len(last) - len(cut)] + add))
    return stems


def named_key(t: Table) -> str | None:
    """The column named as the table's own identifier (``id``, ``order_id`` in ``orders``, ``PersonID`` in
    ``people``/``person``), when the source declares no key and nothing references it otherwise.

    >>> named_key(Table("orders", [Field("total", "float"), Field("order_id", "int")]))
    'order_id'
    >>> named_key(Table("categories", [Field("CategoryID", "int")])), named_key(Table("t", [Field("paid", "string")]))
    ('CategoryID', None)
    """
    stems = name_stems(t.name)
    fks = {c for c, _, _ in t.fks}
    for f in t.fields:
        w = tuple(words(f.name))
        if f.type in ("int", "string") and f.name not in fks and (w == ("id",) or (w[-1:] == ("id",) and w[:-1] in stems)):
            return f.name
    return None


def surrogate(t: Table) -> str:
    """Add a key column to ``t`` (``<table>_id``, or ``<table>_row_id`` when that name is taken); its name."""
    name = f"{t.name}_id" if not t.field(f"{t.name}_id") else f"{t.name}_row_id"
    t.fields.insert(0, Field(name, "int", required=True, unique=True))
    return name


def _column(t: Table, f: Field, ref: tuple[str, str] | None, known: dict[str, Table],
            notes: list[str], rows: float = 0) -> dict[str, Any]:
    col: dict[str, Any] = {"name": f.name, "type": f.type, **({"decimals": f.decimals} if f.decimals and f.type == "float" else {})}
    where = f"{t.name}.{f.name}"
    template = template_of(f.pattern or "") if f.type == "string" and f.enum is None else None
    n = f.max_length or 36  # a UUID cut to a CHAR(8) key would repeat: a template of that length instead
    kept = (f.hint or hinted(f.name)) in UNIQUE_BY_CONSTRUCTION and n >= SHORTEST_UNIQUE  # an e-mail cut to 3 repeats
    if template is None and f.type == "string" and (f.name == t.pk or f.unique) and n < 36 and 26 ** n >= rows \
            and f.enum is None and ref is None and not kept:
        template = "#" * n if 10 ** n >= rows else "?" * n
    too_few = template is not None and (f.name == t.pk or f.unique) and capacity(template) < rows
    if template is not None and too_few:
        notes.append(f"{where}: its pattern {f.pattern!r} has {capacity(template):,} values, fewer than the "
                     f"{rows:,.0f} rows planned; the key is generated as UUIDs, which do not follow it")
        template = None
    if ref is not None:
        parent = known[ref[0]]
        target = parent.field(ref[1])
        col["type"] = target.type if target is not None else f.type
        col["generator"] = {"lookup": {"from": f"{ref[0]}.{ref[1]}"}}
    elif template is not None:
        col["generator"] = {"faker": {"method": "bothify", "text": template}}  # unique by construction if declared
    elif f.name == t.pk and f.type == "string" and kept:
        col["generator"] = {"faker": {"method": f.hint or hinted(f.name)}}  # a unique e-mail stays an e-mail
    elif f.name == t.pk or (f.unique and f.type in ("int", "string") and f.enum is None and f.hint is None
                            and (f.type == "int" or not kept)):
        if f.type not in ("int", "string"):  # a number or a date as the key: the DSL's keys are sequences or text
            col["type"] = "int"
            notes.append(f"{where}: a {f.type} key, generated as a sequence of integers")
        col["generator"] = {"sequence": {}} if col["type"] == "int" else {"faker": {"method": "uuid4"}}
        if f.type == "string" and (f.hint or hinted(f.name)) not in (None, "uuid4"):
            notes.append(f"{where}: a unique text key, generated as UUIDs (every value must differ)")
    elif f.enum:
        col["generator"] = {"choice": {"choices": [typed(v, f.type) for v in f.enum],
                                       **({"weights": f.weights} if f.weights else {})}}
    else:
        col.update(values_of(f, where, notes))
    # what the source declares holds for its data too: crunch --schema and validate check it
    declared = {**({"enum": [typed(v, col["type"]) for v in f.enum]} if f.enum and ref is None else {}),
                **({"pattern": f.pattern} if f.pattern and col["type"] == "string" else {}),
                **({"max_length": f.max_length} if f.max_length and col["type"] == "string" and not f.enum else {}),
                **({"min": f.low} if f.low is not None and col["type"] in ("int", "float") else {}),
                **({"max": f.high} if f.high is not None and col["type"] in ("int", "float") else {})}
    if declared:
        col["constraints"] = declared
    if "pattern" in declared and not {"choice", "lookup"} & set(col["generator"]) and template is None and not too_few:
        notes.append(f"{where}: its pattern {f.pattern!r} is kept as a constraint, but the generated values do not "
                     "follow it (edit its generator, e.g. faker bothify)")
    return col


def _distinct(col: dict[str, Any]) -> bool:
    """Whether a column's generator makes every value differ: a sequence, UUIDs, a template, the e-mails and user
    names the generator keeps unique (none cut short by a ``max_length``), a lookup (checked on its own table)."""
    gen = col["generator"]
    faker = gen.get("faker", {}).get("method")
    cut = col.get("constraints", {}).get("max_length", 36)  # a UUID or an e-mail cut short repeats
    return "sequence" in gen or "lookup" in gen or faker == "bothify" or (
        faker in ("uuid4", *UNIQUE_BY_CONSTRUCTION) and cut >= (36 if faker == "uuid4" else SHORTEST_UNIQUE))


def _name_order(t: Table) -> list[tuple[str, str]]:
    """The (earlier, later) time columns of ``t`` that datacruncher expects in that order, from their names
    (``created_at`` → ``updated_at``, ``shipped_at`` → ``delivered_at``), whichever column it takes as the row's
    creation time: the one its name says (a crunch of the files alone), or the engine's — the first datetime,
    else the first date (what ``.metadata.json`` declares). A pair both ways round is left to the user.

    >>> _name_order(Table("s", [Field("shipped_at", "datetime"), Field("delivered_at", "datetime"),
    ...                         Field("start_date", "date"), Field("end_date", "date")]))
    [('start_date', 'shipped_at'), ('start_date', 'delivered_at'), ('start_date', 'end_date'), \
('shipped_at', 'delivered_at'), ('shipped_at', 'end_date')]
    """
    times = [f for f in t.fields if f.type in ("date", "datetime")]
    names = [f.name for f in times]
    first = next((f.name for f in times if f.type == "datetime"), names[0] if names else None)
    pairs = list(dict.fromkeys(time_pairs(creation_column(names), names) + time_pairs(first, names)))
    return [(a, b) for a, b in pairs if (b, a) not in pairs]
