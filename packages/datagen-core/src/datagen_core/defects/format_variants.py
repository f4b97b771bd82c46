"""``format_variants``: the same value written another way (country codes, case, separators)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from datagen_contracts import dsl
from datagen_contracts.metadata import DefectRecord

from ..output.tables import TableFacts
from .job import Job, map_strings

_ISO3 = {"US": "USA", "UK": "GBR", "GB": "GBR", "DE": "DEU", "FR": "FRA", "CA": "CAN", "AU": "AUS", "ES": "ESP",
         "IT": "ITA", "NL": "NLD", "JP": "JPN", "CN": "CHN", "IN": "IND", "BR": "BRA", "MX": "MEX"}

KIND = "format_variants"


def format_variants_of(value: str) -> list[str]:
    """Spellings of the same value that a clean column would not mix (none equals ``value``).

    >>> format_variants_of("US")
    ['USA', 'us ', 'U.S.']
    >>> format_variants_of("CZ")  # no alpha-3 form every tool knows: a case variant, never an invented code
    ['cz', 'cz ', 'C.Z.']
    >>> format_variants_of("Credit Card")
    ['credit card', 'CREDIT CARD', 'Credit  Card', ' Credit Card']
    """
    if len(value) <= 3 and value.isalpha():
        # the alpha-3 forms are the ones datacruncher and datapolisher fold back (US/USA/us); any other code gets
        # a case variant rather than an invented code ("CZX")
        first = _ISO3.get(value.upper(), value.lower()) if value.isupper() else value.upper()
        out = [first, value.lower() + " ", ".".join(value.upper()) + "."]
    else:
        out = [value.lower(), value.upper(), value.replace(" ", "  ", 1) if " " in value else value + ".",
               " " + value]
    return [v for v in dict.fromkeys(out) if v != value] or [value + " "]


def apply(job: Job, schema: dsl.Schema, tables: dict[str, TableFacts], root: Path,
                     touched: set[int]) -> DefectRecord:
    given = {str(k): [str(x) for x in (v if isinstance(v, list) else [v])]
             for k, v in dict(job.spec.params.get("variants", {})).items()}

    def variant(v: str, g: np.random.Generator) -> str:
        options = [x for x in given.get(v, format_variants_of(v)) if x != v] or [v + " "]
        return options[int(g.integers(0, len(options)))]

    return map_strings(job, touched, variant)
