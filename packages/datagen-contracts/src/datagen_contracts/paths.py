"""JSON-path helpers shared by the decoders: ``$.nodes[2].columns[0].generator``."""

from __future__ import annotations

import difflib
import re

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def child(path: str, key: str | int) -> str:
    """Return the JSON path of ``key`` below ``path``.

    >>> child("$", "nodes"), child("$.nodes", 2), child("$.m", "a b")
    ('$.nodes', '$.nodes[2]', "$.m['a b']")
    """
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENT.match(key):
        return f"{path}.{key}"
    return f"{path}[{key!r}]"


def did_you_mean(word: str, options: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ``did you mean 'x'?`` suffix for the closest option, or the empty string.

    >>> did_you_mean("sigam", ["sigma", "mean"])
    " (did you mean 'sigma'?)"
    """
    ranked = sorted(options)
    close = difflib.get_close_matches(word, ranked, n=1, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in ranked}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
    return f" (did you mean {close[0]!r}?)" if close else ""
