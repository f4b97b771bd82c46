"""A safe evaluator of the DSL's ``expression`` generator: an AST walk onto numpy, never ``eval``.

Arithmetic, comparisons, ``and``/``or``/``not``, ``a if c else b`` and the functions in
``EXPRESSION_FUNCTIONS`` work elementwise over earlier columns of the same row.

>>> import numpy as np
>>> evaluate("round(price * qty, 2) if qty > 1 else 0", {"price": np.array([1.5, 2.0]), "qty": np.array([1, 3])})
array([0., 6.])
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..errors import GenerationError

_BIN: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: np.true_divide,
    ast.FloorDiv: np.floor_divide, ast.Mod: np.mod, ast.Pow: np.power,
}
_CMP: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def _round(x: Any, digits: Any = 0) -> Any:
    return np.round(x, int(np.asarray(digits).flat[0]))


_FUNCS: dict[str, Callable[..., Any]] = {
    "abs": np.abs, "floor": np.floor, "ceil": np.ceil, "sqrt": lambda x: np.sqrt(np.maximum(x, 0)),
    "log": lambda x: np.log(np.maximum(x, 1e-300)), "exp": lambda x: np.exp(np.minimum(x, 700)),
    "round": _round, "clip": np.clip, "where": np.where,
    "min": lambda *a: _reduce(np.minimum, a), "max": lambda *a: _reduce(np.maximum, a),
}


MAX_STRING = 10_000  # characters a string constant of an expression may grow to
MAX_EXPONENT = 1_024  # |exponent| of a constant power (10 ** 10 ** 10 wraps int64 silently, or never finishes)


_WRAPS = (ast.Add, ast.Sub, ast.Mult, ast.Pow)


def _binop(op: type, left: Any, right: Any, code: str) -> Any:
    """One arithmetic step, bounded: no string or exact-integer blow-up, no integer to a negative power."""
    if op is ast.Mult and (isinstance(left, str) or isinstance(right, str)):
        n = right if isinstance(left, str) else left
        text = left if isinstance(left, str) else right
        if not isinstance(n, int) or isinstance(n, bool) or len(text) * max(n, 0) > MAX_STRING:
            raise GenerationError(f"expression {code!r}: a repeated string may hold at most {MAX_STRING:,} "
                                  "characters")
    if op is ast.Pow:
        if np.ndim(right) == 0 and not isinstance(right, str) and abs(float(right)) > MAX_EXPONENT:
            raise GenerationError(f"expression {code!r}: exponent {right} is beyond ±{MAX_EXPONENT:,}")
        if np.any(np.asarray(right) < 0) and np.issubdtype(np.asarray(left).dtype, np.integer):
            left = np.asarray(left, dtype=np.float64)  # 2 ** -1 is 0.5, not numpy's "not allowed" error
    try:
        out = _BIN[op](left, right)
    except (TypeError, ValueError, OverflowError, MemoryError) as exc:
        raise GenerationError(f"expression {code!r}: {exc}") from None
    if op in _WRAPS and np.issubdtype(np.asarray(out).dtype, np.integer):
        exact = _BIN[op](np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64))
        if np.any(np.abs(exact) >= 2.0**63):  # int64 arithmetic wraps silently; the float shadow cannot
            raise GenerationError(f"expression {code!r}: the result leaves the int64 range (it would wrap to "
                                  "wrong values); use smaller factors or a float column")
    return out


def _reduce(fn: Callable[[Any, Any], Any], args: tuple[Any, ...]) -> Any:
    out = args[0]
    for a in args[1:]:
        out = fn(out, a)
    return out


def evaluate(code: str, columns: Mapping[str, Any]) -> Any:
    """Evaluate ``code`` over ``columns`` (name → numpy array); raise GenerationError on anything not allowed."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _eval(ast.parse(code, mode="eval").body, columns, code)


def _eval(node: ast.AST, cols: Mapping[str, Any], code: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bool):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in cols:
            raise GenerationError(f"expression {code!r}: unknown column {node.id!r}")
        return cols[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
        return _binop(type(node.op), _eval(node.left, cols, code), _eval(node.right, cols, code), code)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, cols, code)
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.Not):
            return np.logical_not(v)
    if isinstance(node, ast.Compare):
        left, out = _eval(node.left, cols, code), True
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, cols, code)
            out = np.logical_and(out, _CMP[type(op)](left, right))
            left = right
        return out
    if isinstance(node, ast.BoolOp):
        vals = [_eval(v, cols, code) for v in node.values]
        return _reduce(np.logical_and if isinstance(node.op, ast.And) else np.logical_or, tuple(vals))
    if isinstance(node, ast.IfExp):
        return np.where(_eval(node.test, cols, code), _eval(node.body, cols, code), _eval(node.orelse, cols, code))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS and not node.keywords:
        return _FUNCS[node.func.id](*[_eval(a, cols, code) for a in node.args])
    raise GenerationError(f"expression {code!r}: {type(node).__name__} is not allowed")
