"""The ``faker`` generator: a method of Faker's vocabulary as a column, per chunk, without per-row Python.

Native methods first (uuid4, templates, ipv4, coordinates; emails and user names from the row's own name
columns), then :mod:`datagen_core.columns.composers` (check digits, addresses, phones, text), then seeded pools —
mimesis where it has the concept, Faker for the rest (:mod:`datagen_core.columns.vocabulary`). Locales come from
``locale`` or, per row, from ``locale_from``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datagen_contracts import dsl

from ..arrays import from_numpy, indices, strings, text, to_numpy
from ..frame import Frame
from ..output.store import as_numpy
from ..rng import small_seed
from . import composers, faker_pools, vocabulary


def _spec(col: dsl.Column) -> dsl.FakerGen:
    """The column's faker spec (the engine sends only faker columns here)."""
    spec = col.generator.faker
    if spec is None:
        raise TypeError(f"{col.name} is not a faker column")
    return spec


def gen_faker(col: dsl.Column, frame: Frame) -> Any:
    spec = _spec(col)
    method, n, rng = spec.method, frame.n, frame.rng(col.name)
    if method == "uuid4":
        return faker_pools.uuid4(rng, n)
    if method in ("bothify", "numerify"):
        return _template(col, frame, rng)
    if method == "ipv4":
        return faker_pools.ipv4(rng, n)
    if method in ("latitude", "longitude"):
        lim = 90.0 if method == "latitude" else 180.0
        vals = np.round(rng.uniform(-lim, lim, n), 6)
        return vals if col.type in ("float", "int") else pc.cast(from_numpy(vals), pa.string())
    if method in EMAILS:
        return _email(col, frame, rng, EMAILS[method])
    if method == "user_name" and frame.is_unique(col.name):
        return _unique_handle(col, frame, rng)
    if method == "user_name":
        return _handle(col, frame, rng)
    if method in composers.COMPOSERS or method in ("sentence", "paragraph", "text"):
        return _to_column(col, frame, _composed(col, frame, rng))
    if method in LOCALE_COMPOSERS:
        locales = _row_locales(spec, frame)
        probes = [LOCALE_COMPOSERS[method](rng, 0, loc) for loc in ([locales] if isinstance(locales, str) else np.unique(locales))]
        if all(m is not None for m in probes):  # every locale has its masks / street lists (zero rows: no draws)
            return _per_locale(frame, locales, lambda k, loc: LOCALE_COMPOSERS[method](rng, k, loc))
    if method not in faker_pools.CALLS:  # the rest of Faker's vocabulary: seeded Faker pools
        return _to_column(col, frame, _sample_pool(col, frame, method, _row_locales(spec, frame), rng, "", faker=True))
    if frame.is_unique(col.name) and method != "uuid4":
        frame.notes.append(f"{col.name}: faker {method!r} draws from a pool and cannot promise the declared "
                           "uniqueness (unique by construction: email, user_name, bothify/numerify, uuid4)")
    locales = _row_locales(spec, frame)
    pool_method = "first_name" if method == "name" else method
    out = _sample_pool(col, frame, pool_method, locales, rng, "first" if method in ("name", "first_name") else "last")
    if method == "name":
        last = _sample_pool(col, frame, "last_name", locales, frame.rng(col.name, "last"), "last")
        return pc.binary_join_element_wise(out, last, text(" "))
    if method == "date_of_birth" and col.type in ("date", "datetime"):
        return pc.cast(pc.strptime(out, format="%Y-%m-%d", unit="us"), pa.int64()).to_numpy()
    return out


def _template(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> pa.Array:
    """A bothify/numerify template; declared unique, it encodes the row number (a bijection), so values repeat
    only past the template's capacity (warned). A fact's row numbers are known when its chunks are assembled: the
    engine fills the template then (``Frame.templates``) unless another column of the row reads the value."""
    from .order import read_in_row

    text_ = _spec(col).text or ""
    if not frame.is_unique(col.name):
        return faker_pools.template(text_, frame.row_ids(), rng, False)
    if frame.global_index is None and not read_in_row(frame.schema, frame.node, col.name):
        frame.templates[col.name] = text_  # the values below stand in for the chunk; the engine writes the final ones
    elif int(frame.row_ids().max(initial=-1)) >= faker_pools.template_capacity(text_):
        frame.notes.append(f"{col.name}: the template {text_!r} has fewer combinations than rows: values repeat")
    return faker_pools.template(text_, frame.row_ids(), rng, True)


def _row_locales(spec: dsl.FakerGen, frame: Frame) -> np.ndarray | str:
    if spec.locale_from is None:
        return faker_pools.normalize_locale(spec.locale)
    raw = as_numpy(frame.values[spec.locale_from]).astype(str)
    uniq, inv = np.unique(raw, return_inverse=True)
    return np.array([faker_pools.locale_for(u) for u in uniq], dtype=object)[inv]


#: email-like methods -> the domains they use ("any": free-mail and company domains mixed)
EMAILS = {"email": "any", "ascii_email": "any", "free_email": "free", "ascii_free_email": "free",
          "company_email": "company", "ascii_company_email": "company", "safe_email": "safe",
          "ascii_safe_email": "safe"}
#: composed from the locale's masks and street lists (None from the composer: the locale has none, use the pool)
LOCALE_COMPOSERS = {"phone_number": composers.phone_numbers, "street_address": composers.street_addresses,
                    "ssn": composers.us_ssn}
#: every method gen_faker builds itself rather than sampling a pool (for English; other locales without masks or
#: street lists fall back to pools)
COMPOSED = frozenset({"uuid4", "bothify", "numerify", "ipv4", "latitude", "longitude", "user_name", "sentence",
                      "paragraph", "text", *EMAILS, *LOCALE_COMPOSERS, *composers.COMPOSERS})


def _per_locale(frame: Frame, locales: np.ndarray | str, make: Any) -> pa.Array:
    """``make(n, locale)`` for each locale group of rows, placed back in row order."""
    if isinstance(locales, str):
        return make(frame.n, locales)
    out = None
    for loc in np.unique(locales):
        rows = np.nonzero(locales == loc)[0]
        out = composers.scatter(out, frame.n, rows, make(len(rows), loc))
    return out


def _composed(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> pa.Array:
    """A composed method (check digits, hashes, addresses, text from word pools), per locale group of rows."""
    spec = _spec(col)

    def make(n: int, loc: str) -> pa.Array:
        if spec.method in composers.COMPOSERS:
            return composers.COMPOSERS[spec.method](rng, n, loc, spec.args or {})
        words = faker_pools.build_pool("word", loc, small_seed(frame.seed, frame.node.id, col.name, "word", loc))
        shape = {"sentence": (1, 1), "paragraph": (3, 6), "text": (2, 4)}[spec.method]
        return composers.compose_text(words.values, rng, n, shape)

    return _per_locale(frame, _row_locales(spec, frame), make)


def _to_column(col: dsl.Column, frame: Frame, values: pa.Array) -> Any:
    """A pool's or composer's values as the column's type (numbers and times as numpy, nulls into the mask)."""
    if values.null_count:
        frame.nulls[col.name] = frame.nulls.get(col.name, np.zeros(frame.n, bool)) | (to_numpy(values.is_null()) == True)  # noqa: E712
    if col.type == "string":
        return values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    # through the buffers (pyarrow's fill_null and to_numpy of nullable arrays import pandas); nulls are masked
    if col.type in ("date", "datetime"):
        if pa.types.is_string(values.type):
            values = pc.cast(values, pa.timestamp("us"))
        return np.nan_to_num(to_numpy(pc.cast(pc.cast(values, pa.timestamp("us")), pa.int64())).astype(np.float64)).astype(np.int64)
    if col.type == "bool":
        return to_numpy(pc.cast(values, pa.bool_())) == True  # noqa: E712 - None (null) is False
    return np.nan_to_num(to_numpy(pc.cast(values, pa.float64())).astype(np.float64))


def _sample_pool(col: dsl.Column, frame: Frame, method: str, locales: np.ndarray | str,
                 rng: np.random.Generator, slug_key: str, faker: bool = False) -> pa.Array:
    n = frame.n
    idx = rng.integers(0, faker_pools.POOL_SIZE, n)
    groups = [(locales, None)] if isinstance(locales, str) else [(loc, locales == loc) for loc in np.unique(locales)]
    values, slugs = None, None
    args = json.dumps(_spec(col).args or {}, sort_keys=True, default=str)
    for loc, mask in groups:
        seed = small_seed(frame.seed, frame.node.id, col.name, method, loc)
        pool = (faker_pools.Pool(vocabulary.faker_pool(method, loc, seed, args, now_us=int(frame.timeframe[1])))
                if faker
                else faker_pools.build_pool(method, loc, seed))
        if mask is None:
            values = pool.values.take(indices(idx))
            slugs = pool.slugs.take(indices(idx)) if pool.slugs is not None else None
            break
        part_idx = np.where(mask, idx, 0)
        part = pool.values.take(indices(part_idx))
        values = part if values is None else pc.if_else(from_numpy(mask), part, values)
        if pool.slugs is not None:
            ps = pool.slugs.take(indices(part_idx))
            slugs = ps if slugs is None else pc.if_else(from_numpy(mask), ps, slugs)
    if slugs is not None:
        frame.slugs[slug_key] = slugs
    return values


def _email(col: dsl.Column, frame: Frame, rng: np.random.Generator, domains: str = "any") -> pa.Array:
    """first.last<digits>@domain from the row's own name columns when the table has them (emails agree with
    names); otherwise from a seeded name pool. Domains: free-mail providers by their shares and a long tail of
    company domains (``any``), one kind only (``free``, ``company``), or ``example.com/org/net`` (``safe``)."""
    local = _local_parts(col, frame, rng)
    n, spec = frame.n, _spec(col)
    seed = small_seed(frame.seed, frame.node.id, col.name, "domains")
    if domains == "safe":
        dom = strings(["example.com", "example.org", "example.net"]).take(indices(rng.integers(0, 3, n)))
    else:
        def make(k: int, loc: str) -> pa.Array:
            if domains == "company":
                return composers.company_domains(rng, k, loc, seed)
            return composers.free_domains(rng, k, loc) if domains == "free" else composers.email_domains(rng, k, loc, seed)
        dom = _per_locale(frame, _row_locales(spec, frame), make)
    return pc.binary_join_element_wise(*local, text("@"), dom, text(""), null_handling="skip")


def _handle(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> pa.Array:
    """A user name: the local part of an email (``ann.lee``, ``ann_lee``, ``annlee482``) — mostly distinct."""
    return pc.binary_join_element_wise(*_local_parts(col, frame, rng), text(""), null_handling="skip")


def _local_parts(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> list[pa.Array]:
    """first.last / first_last / firstlast<digits> / first.last<digits><row> from the row's own name columns
    when the table has them, otherwise from seeded name pools; declared unique, unique by construction."""
    n = frame.n
    first, last = frame.slugs.get("first"), frame.slugs.get("last")
    if first is None or last is None:
        pool = faker_pools.build_pool("first_name", "en", small_seed(frame.seed, frame.node.id, col.name, "f"))
        pool_l = faker_pools.build_pool("last_name", "en", small_seed(frame.seed, frame.node.id, col.name, "l"))
        assert pool.slugs is not None and pool_l.slugs is not None  # name pools keep their slugs
        first = pool.slugs.take(indices(rng.integers(0, faker_pools.POOL_SIZE, n)))
        last = pool_l.slugs.take(indices(rng.integers(0, faker_pools.POOL_SIZE, n)))
    style = rng.integers(0, 4, n)  # 0 first.last, 1 first_last, 2 firstlast<digits>, 3 first.last<digits><row>
    number = rng.integers(1, 999, n)
    sep = strings([".", "_", "", "."]).take(indices(style))
    if frame.is_unique(col.name):
        first, last, number = _unique_parts(first, last, frame, rng)
        tail = pc.cast(from_numpy(number), pa.string())
    else:
        if frame.global_index is not None:
            # a row number keeps most emails distinct: appending its digits is arithmetic (no leading zeros)
            row = frame.global_index
            width = 1 + np.searchsorted(10 ** np.arange(1, 19, dtype=np.int64), row, side="right")
            number = np.where(style == 3, number * 10**width + row, number)
        tail = pc.cast(from_numpy(number, mask=style < 2), pa.string())  # arrow's int→string: ~20× numpy's
    return [first, sep, last, tail]  # joined once with what follows (a null tail is skipped)


def _unique_parts(first: pa.Array, last: pa.Array, frame: Frame,
                  rng: np.random.Generator) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Name slugs without digits and a number ``row·100 + r`` (r random in 0‥99): the local part is letters
    then exactly that number, so two rows can never share it — declared-unique emails and handles stay unique
    across chunks and workers with no global set."""
    first = pc.replace_substring_regex(first, "[0-9]", "")
    last = pc.replace_substring_regex(last, "[0-9]", "")
    return first, last, frame.row_ids() * 100 + rng.integers(0, 100, frame.n) + 1


def _unique_handle(col: dsl.Column, frame: Frame, rng: np.random.Generator) -> pa.Array:
    """A declared-unique user name: ``first_last<number>`` / ``firstlast<number>`` (see ``_unique_parts``)."""
    n = frame.n
    pool = faker_pools.build_pool("first_name", "en", small_seed(frame.seed, frame.node.id, col.name, "f"))
    pool_l = faker_pools.build_pool("last_name", "en", small_seed(frame.seed, frame.node.id, col.name, "l"))
    first, last = frame.slugs.get("first"), frame.slugs.get("last")
    if first is None or last is None:
        assert pool.slugs is not None and pool_l.slugs is not None  # name pools keep their slugs
        first = pool.slugs.take(indices(rng.integers(0, faker_pools.POOL_SIZE, n)))
        last = pool_l.slugs.take(indices(rng.integers(0, faker_pools.POOL_SIZE, n)))
    first, last, number = _unique_parts(first, last, frame, rng)
    sep = strings(["_", "", "."]).take(indices(rng.integers(0, 3, n)))
    return pc.binary_join_element_wise(first, sep, last, pc.cast(from_numpy(number), pa.string()), text(""))
