"""The third arithmetic of the op table's rules: values that are Python source text.

ops.py writes each derivative rule once, against an arithmetic `m`. On `_floats` a rule
computes a gradient; on `higher.VALUES` it builds one as a graph; on `SOURCE` (here) it
writes one as Python: a `Sym` is a piece of source text, its operators return the text
of the same operation, parenthesised exactly as the float evaluation groups it, and
`m.exp(x)` becomes `F.exp(x)`. Numbers stay numbers: an operation on numbers alone is
done now, by the same float code, and only its result is written (`repr`, so it reads
back bit for bit). A branch on data (`m.where`) becomes a conditional expression, so the
generated code decides it each time it runs, as the engine does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _floats as F

# precedence of what a Sym's text is, lowest binding last; a child whose precedence is
# lower than its parent's (or equal, on the right of a left-associative operator) is
# parenthesised
ATOM, UNARY, MUL, ADD, AND, CMP, COND = 100, 14, 12, 11, 8, 6, 1


class Sym:
    """A value of the generated code: the source text that computes it."""

    __slots__ = ("text", "prec")

    def __init__(self, text: str, prec: int = ATOM) -> None:
        self.text = text
        self.prec = prec

    def __repr__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        raise TypeError(
            "a derivative rule must branch with m.where(condition, a, b), not `if`: "
            "the condition is only known when the generated code runs"
        )

    def __eq__(self, other: object) -> bool:
        raise TypeError("a derivative rule compares for equality with m.eq(a, b), not ==")

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Any) -> Any:
        return _binary(self, "+", other, ADD)

    def __radd__(self, other: Any) -> Any:
        return _binary(other, "+", self, ADD)

    def __sub__(self, other: Any) -> Any:
        return _binary(self, "-", other, ADD)

    def __rsub__(self, other: Any) -> Any:
        return _binary(other, "-", self, ADD)

    def __mul__(self, other: Any) -> Any:
        return self if _is_one(other) else _binary(self, "*", other, MUL)

    def __rmul__(self, other: Any) -> Any:
        return self if _is_one(other) else _binary(other, "*", self, MUL)

    def __truediv__(self, other: Any) -> Any:
        return _binary(self, "/", other, MUL)

    def __rtruediv__(self, other: Any) -> Any:
        return _binary(other, "/", self, MUL)

    def __neg__(self) -> Sym:
        return Sym("-" + wrap(self, UNARY, right=True), UNARY)

    def __and__(self, other: Any) -> Any:
        if type(other) is bool:  # known now: False & c is False, True & c is c
            return self if other else False
        return _binary(self, "&", other, AND)

    def __rand__(self, other: Any) -> Any:
        if type(other) is bool:
            return self if other else False
        return _binary(other, "&", self, AND)

    def __lt__(self, other: Any) -> Sym:
        return compare(self, "<", other)

    def __le__(self, other: Any) -> Sym:
        return compare(self, "<=", other)

    def __gt__(self, other: Any) -> Sym:
        return compare(self, ">", other)

    def __ge__(self, other: Any) -> Sym:
        return compare(self, ">=", other)


def _is_one(x: Any) -> bool:
    """x * 1.0 is x, bit for bit, for every float x (nan and -0.0 included)."""
    return type(x) is float and x == 1.0


def constant(x: Any) -> Sym:
    """A number as source that reads back as the same float (inf and nan are names in
    the generated code's namespace)."""
    if isinstance(x, bool) or not isinstance(x, float):
        return Sym(repr(x), UNARY if repr(x).startswith("-") else ATOM)
    if x != x:
        return Sym("nan")
    if x in (F.INF, -F.INF):
        return Sym("inf") if x > 0 else Sym("-inf", UNARY)
    text = repr(x)
    return Sym(text, UNARY if text.startswith("-") else ATOM)


def as_sym(x: Any) -> Sym:
    return x if isinstance(x, Sym) else constant(x)


def wrap(x: Any, prec: int, right: bool = False) -> str:
    """x's text as an operand of an operator of precedence prec (left or right of it)."""
    s = as_sym(x)
    if s.prec < prec or (right and s.prec == prec):
        return f"({s.text})"
    return s.text


def _binary(a: Any, op: str, b: Any, prec: int) -> Sym:
    return Sym(f"{wrap(a, prec)} {op} {wrap(b, prec, right=True)}", prec)


def compare(a: Any, op: str, b: Any) -> Sym:
    """a op b as a condition; never chained (a < b < c means something else in Python)."""
    return Sym(f"{wrap(a, CMP, right=True)} {op} {wrap(b, CMP, right=True)}", CMP)


def _symbolic(*args: Any) -> bool:
    return any(isinstance(a, Sym) for a in args)


def call(name: str, args: Any) -> Sym:
    return Sym(f"{name}({', '.join(as_sym(a).text for a in args)})")


class _Source:
    """The rules' arithmetic for compile: the named float functions of `_floats` as calls
    `F.name(...)`; branches as conditional expressions decided when the code runs."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        fn = getattr(F, name)  # AttributeError names what a rule asked for

        def apply(*args: Any) -> Any:
            return call(f"F.{name}", args) if _symbolic(*args) else fn(*args)

        setattr(self, name, apply)
        return apply

    def where(self, condition: Any, if_true: Any, if_false: Any) -> Any:
        if not isinstance(condition, Sym):  # known now (a constant's test): decide now
            return if_true if condition else if_false
        text = (
            f"{wrap(if_true, COND, right=True)} if {wrap(condition, COND, right=True)} "
            f"else {wrap(if_false, COND)}"
        )
        return Sym(text, COND)

    def eq(self, a: Any, b: Any) -> Any:
        return compare(a, "==", b) if _symbolic(a, b) else a == b

    def scale(self, g: Any, factors: Any) -> list[Any]:
        return [g * f for f in factors]

    def repeat(self, g: Any, n: int) -> list[Any]:
        return [g] * n

    def one_hot(self, g: Any, n: int, index: Any) -> list[Any]:
        if not isinstance(index, Sym):
            return F.one_hot(g, n, index)
        return [self.where(self.eq(index, k), g, 0.0) for k in range(n)]


SOURCE = _Source()
