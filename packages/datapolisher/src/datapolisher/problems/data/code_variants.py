"""``code_variants``: one code spelled several ways (``US``, ``USA``, `` us``), or values outside a declared
enum or format.

Schema: the injected ``format_variants`` / ``case_variants`` defect is removed. Data: each variant becomes its
group's most frequent spelling (``normalize_codes``), grouped as datacruncher's format check groups them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from datagen_contracts import fixes

from ...model import distinct_values

if TYPE_CHECKING:
    from ...issues import Finding
    from ...model import TableModel
    from ...postprocess.plan import PlanBuilder

PROBLEM = "code_variants"
FIXES = (fixes.NormalizeCategories, fixes.NormalizeToEnum, fixes.NormalizeFormat)
DEFECTS = ("format_variants", "case_variants")
PATHS = ("schema", "postprocess")

# Common spellings of the same country, so "US", "USA" and " us" become one form (the most frequent one).
COUNTRY_ALIASES = {
    "USA": "US", "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US", "UK": "GB", "GBR": "GB",
    "UNITED KINGDOM": "GB", "GREAT BRITAIN": "GB", "DEU": "DE", "GERMANY": "DE", "DEUTSCHLAND": "DE",
    "FRA": "FR", "FRANCE": "FR", "CAN": "CA", "CANADA": "CA", "ESP": "ES", "SPAIN": "ES", "ITA": "IT",
    "ITALY": "IT", "JPN": "JP", "JAPAN": "JP", "AUS": "AU", "AUSTRALIA": "AU", "BRA": "BR", "BRAZIL": "BR",
    "IND": "IN", "INDIA": "IN", "MEX": "MX", "MEXICO": "MX", "NLD": "NL", "NETHERLANDS": "NL", "CHN": "CN",
    "CHINA": "CN",
}


def _norm_key(value: str, country: bool) -> str:
    """The spelling group of a value, as datacruncher's format_inconsistency groups them (so what it counts as
    a variant is what gets normalized): whitespace collapsed, case folded, dots dropped from short values
    (``D.E.`` is ``DE``), then country aliases."""
    key = re.sub(r"\s+", " ", value.strip()).upper()
    if len(key) <= 8:
        key = key.replace(".", "")
    return COUNTRY_ALIASES.get(key, key) if country else key


def code_mapping(values: list[tuple[str, int]], country: bool) -> dict[str, str]:
    """Variant -> canonical (the group's most frequent spelling); only values that change are listed.

    >>> code_mapping([("US", 50), ("USA", 5), ("us ", 2), ("DE", 9)], country=True)
    {'USA': 'US', 'us ': 'US'}
    """
    groups: dict[str, list[tuple[str, int]]] = {}
    for v, n in values:
        groups.setdefault(_norm_key(v, country), []).append((v, n))
    mapping = {}
    for members in groups.values():
        canonical = max(members, key=lambda m: (m[1], m[0] == m[0].strip(), m[0]))[0].strip()
        mapping.update({v: canonical for v, _ in members if v != canonical})
    return dict(sorted(mapping.items()))


def plan(b: PlanBuilder, f: Finding, t: TableModel) -> bool:
    if f.column not in t.columns:
        return False
    mapping = f.param("mapping")
    if not isinstance(mapping, dict):
        country = bool(re.search(r"country|nation", f.column, re.I)) or "country" in t.roles.get(f.column, ())
        mapping = code_mapping(distinct_values(b.model.root, t, f.column), country)
    if mapping:
        b.fix(f, "normalize_codes", t.name, {"column": f.column, "mapping": mapping})
    return True
