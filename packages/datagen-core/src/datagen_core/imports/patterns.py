r"""A source's regular expression for a text column (SDV's ``regex_format``, a Frictionless or data-contract
``pattern``) as the generator's ``bothify`` template, when the expression is simple enough for one template to match
it in full: literal characters, digits (``\d``, ``[0-9]``) and capital letters (``[A-Z]``), each with a fixed or
bounded count. ``#`` is a digit of the template and ``?`` a capital letter. A key made from a template is unique by
construction, up to the template's number of combinations.

Anything else (alternatives, groups, other character classes, lower-case letters) gives ``None``: the pattern stays
a constraint and the importer says its generated values do not follow it.

>>> [template_of(r) for r in ("HID_[0-9]{3,4}", r"^\d{3}-\d{2}-\d{4}$", "[A-Z]{2}[0-9]+", r"INV\.\d{2,}")]
['HID_####', '###-##-####', '??######', 'INV.######']
>>> [template_of(r) for r in ("(a|b)", "[a-z]+", "x.y", r"#\d", "")]
[None, None, None, None, None]
"""

from __future__ import annotations

import re

#: a token of the subset: a digit or capital-letter class, an escaped punctuation character or a plain literal,
#: then an optional count
_TOKEN = re.compile(r"(\\d|\[0-9\]|\[A-Z\]|\\[^\w\s]|[^\\\[\](){}|.*+?^$#])(\{(\d+)(?:(,)(\d*))?\}|[+*?])?")
UNBOUNDED = 6  # the repetitions of ``+``, ``*`` and ``{n,}``: enough combinations for a key of a million rows


def template_of(regex: str) -> str | None:
    """The bothify template every value of which ``regex`` matches in full, or None (see the module)."""
    body = regex.removeprefix("^").removesuffix("$")
    out: list[str] = []
    pos = 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if m is None:
            return None
        atom, count = m.group(1), m.group(2)
        slot = "#" if atom in (r"\d", "[0-9]") else "?" if atom == "[A-Z]" else atom.removeprefix("\\")
        if slot in "#?" and len(atom) == 2 and atom.startswith("\\") and atom != r"\d":
            return None  # an escaped # or ? would read as a slot
        out.append(slot * _repetitions(count, m.group(3), m.group(4), m.group(5)))
        pos = m.end()
    template = "".join(out)
    if not template:
        return None
    sample = template.replace("#", "0").replace("?", "A")
    return template if re.fullmatch(regex, sample) else None


def _repetitions(count: str | None, low: str | None, comma: str | None, high: str | None) -> int:
    if count is None or count == "?":  # an optional character is written
        return 1
    if count in ("+", "*"):
        return UNBOUNDED
    if comma is None:  # {n}
        return int(low or 1)
    return int(high) if high else max(int(low or 0), UNBOUNDED)  # {n,m}: the most; {n,}: n or more


def capacity(template: str) -> int:
    """How many distinct values a template makes (10 per ``#``, 26 per ``?``).

    >>> capacity("HID_###"), capacity("??-#")
    (1000, 6760)
    """
    return 10 ** template.count("#") * 26 ** template.count("?")
