"""The DSL's common ground: its version, the names of its closed sets, and ``Spec``, the base of every struct."""

from __future__ import annotations

from typing import ClassVar, Literal

import msgspec

from . import faker_vocabulary

SCHEMA_VERSION = "1.0"

ColumnType = Literal["int", "float", "string", "bool", "date", "datetime"]
NodeKind = Literal["entity", "fact", "vocab"]
Dimension = Literal["hour", "dow", "month"]
TimeUnit = Literal["day", "week", "month", "year"]

#: Faker-style method names the ``faker`` generator accepts (datagen-core maps each to a mimesis provider).
#: the faker methods: Faker's standard providers (``faker_vocabulary``, a generated snapshot) and our own names
FAKER_METHODS: tuple[str, ...] = tuple(sorted(set(faker_vocabulary.METHODS) | {
    "address", "bothify", "city", "color", "company", "company_suffix", "country", "country_code", "currency_code",
    "date_of_birth", "domain_name", "email", "first_name", "iban", "ipv4", "job", "language_code", "last_name",
    "latitude", "locale", "longitude", "name", "numerify", "paragraph", "phone_number", "postcode", "sentence",
    "slug", "state", "street_address", "text", "url", "user_agent", "user_name", "uuid4", "word", "zipcode",
}))

DEFECT_KINDS: tuple[str, ...] = (
    "orphan_fk", "temporal_violation", "duplicate_rows", "duplicate_pk", "nulls", "outliers", "format_variants",
    "negative_amounts", "future_dates", "inverted_interval", "float_ids", "whitespace", "case_variants",
)


class Spec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Base of every hand-written DSL object: unknown keys are errors; ``comment`` is allowed everywhere."""

    comment: str | None = None
    #: accepted spellings -> canonical field name (normalized on load)
    __aliases__: ClassVar[dict[str, str]] = {}
