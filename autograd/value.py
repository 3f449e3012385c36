"""Value: one scalar node of the computation graph, and the ops that make new ones.

Every op comes from the op table (ops.py), where its forward and derivative rule sit side
by side: a Value method computes the forward on floats and calls `make_node`, which records
the parents and the op's backward function. That function is shared by every node of the
op and receives the node as an argument rather than capturing it, so no node refers to
itself and a discarded graph is freed by reference counting alone. This module is also
the one place that knows how a node stores its operands (`parents`, `rule_operands`,
`per_parent`); backprop.py, higher.py, viz.py and anomaly.py go through those.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any, Union

from . import _floats as F
from . import anomaly, grad_mode, ops
from .grad_mode import mode

Number = int | float
Operand = Union["Value", Number]
Rule = Callable[["Value", float], "float | Iterable[float]"]
Parents = Union["Value", tuple["Value", ...]]  # one parent (or the first of two) bare; see Value


def _describe(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def as_float(x: object) -> float:
    """The float of a real number, as Value() takes it (an int beyond float range is +-inf);
    TypeError naming the type for anything else. Public: nn converts numbers the same way."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:  # an int or Fraction beyond float range
            return F.INF if x > 0 else -F.INF
    hint = "; use v.data for its number" if isinstance(x, Value) else ""
    raise TypeError(
        f"Value() expects a real number (int, float, bool, Fraction or a NumPy real), "
        f"got {type(x).__name__} {_describe(x)}{hint}"
    )


def as_floats(xs: object, who: str, n: int | None = None, what: str = "") -> list[float]:
    """A sequence of real numbers as floats (exactly n of them, when n is given); a clear
    TypeError naming the item and its position otherwise. `who` names the caller and
    `what` the argument, for the messages."""
    try:
        listed = list(xs)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"{who} expects {what or 'a'} sequence of numbers, got {type(xs).__name__}"
        ) from None
    if n is not None and len(listed) != n:
        raise ValueError(f"{who} takes {n} input{'s' * (n != 1)}, got {len(listed)}")
    floats = []
    for i, x in enumerate(listed):
        if isinstance(x, Value):
            raise TypeError(f"{who} expects numbers, got a Value at position {i}; pass its .data")
        try:
            floats.append(as_float(x))
        except TypeError:
            raise TypeError(
                f"{who} expects real numbers, got {type(x).__name__} {x!r:.40} at position {i}"
            ) from None
    return floats


def _constant(x: object) -> float | None:
    """An operand that is a plain real number, as a float; None for anything else."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        return as_float(x)
    return None


def _compared(x: object) -> object | None:
    """What a Value compares against: another Value's data, or a real number as it is
    (so that ints and Fractions compare exactly, as with a float); else None."""
    if isinstance(x, Value):
        return x.data
    if isinstance(x, (int, Fraction)) and not isinstance(x, bool):
        return x  # Python compares a float with these exactly
    return _constant(x)  # NumPy scalars as floats: NumPy would round 1e308 to float32


_new = object.__new__


def make_node(
    data: float,
    parents: Parents,
    op: str,
    rule: Rule,
    saved: object = None,
    second: Value | None = None,
) -> Value:
    """Make an op's output node: the one place that consults grad mode and anomaly mode."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out._parents = parents
    out._second = second
    out._rule = rule
    out._saved = saved
    # the common case (every thread records, no anomaly detection) is one global check
    if grad_mode.threads_not_plain and not mode.plain:
        if mode.anomaly:  # before no_grad clears them: the message names the inputs
            anomaly.check_forward(out)
        if not mode.recording:  # no_grad: record nothing, the result is a leaf
            out.op, out._parents, out._second, out._rule, out._saved = "", (), None, None, None
    return out


def per_parent(node: Value) -> tuple[float, ...]:
    """Run an op node's backward on floats: the gradient it sends to each parent, as a
    tuple (a one-parent rule returns it bare, and others may return any iterable)."""
    sends = node._rule(node, node.grad)
    return (sends,) if type(node._parents) is not tuple and node._second is None else tuple(sends)


def rule_operands(node: Value) -> tuple[Any, ...]:
    """The operands of an op node's rule as graph objects: parent Values, and floats for
    number operands and params (a fused op's are its own; see fused.py)."""
    form = ops.FORMS[node._rule]
    layout, first = form.layout, node._parents
    if layout == "x":
        return (first,) if not form.op.params else (first, node._saved)
    if layout == "xy":
        return first, node._second
    if layout == "xc":
        return first, node._saved
    if layout == "cx":
        return node._saved, first
    return form.operands(node)  # type: ignore[misc]


def op_form(node: Value) -> ops.Form | None:
    """The table op behind a node and how it holds its operands; None for a leaf."""
    return ops.form_of(node._rule)


def constants(node: Value) -> tuple[float, ...]:
    """The numbers an op node used besides its parents: a number operand or a param."""
    form = ops.form_of(node._rule)
    if form is None or form.layout in ("xy", "many") or (form.layout == "x" and not form.op.params):
        return ()
    return (node._saved,)


def to_parents(node: Value, sends: Any) -> tuple[Any, ...]:
    """A rule's result (one send per operand) as one send per parent, in parent order."""
    layout = ops.FORMS[node._rule].layout
    if layout == "x":
        return (sends,)
    if layout == "xc":
        return (sends[0],)
    if layout == "cx":
        return (sends[1],)
    return tuple(sends)


_POW = ops.BACKS["**"]
_POW_SCALAR = ops.BACKS["pow_scalar"]["xc"]


def _operator(
    op: ops.Op, reflected_swaps: bool = True
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """self OP other and its reflected form, other OP self, for a Value or a number other.

    For + and * (reflected_swaps False) number + self is made as self + number, as
    PyTorch does; / and ** keep the number first.
    """
    forward, backs, name = op.forward, ops.BACKS[op.key], op.name
    both, number_second, number_first = backs["xy"], backs["xc"], backs["cx"]

    def method(self: Value, other: Operand) -> Value:
        if isinstance(other, Value):
            return make_node(forward(self.data, other.data), self, name, both, second=other)
        c = _constant(other)
        if c is None:
            return NotImplemented
        return make_node(forward(self.data, c), self, name, number_second, c)

    def reflected(self: Value, other: Number) -> Value:
        if not reflected_swaps:
            return method(self, other)
        c = _constant(other)
        if c is None:
            return NotImplemented
        return make_node(forward(c, self.data), self, name, number_first, c)

    method.__doc__ = reflected.__doc__ = op.doc
    return method, reflected


def _function(op: ops.Op) -> Callable[..., Value]:
    """The Value method for a one-operand op: forward on the data, the table's rule back."""
    forward, back, name = op.forward, ops.BACKS[op.key]["x"], op.name
    if not op.params:

        def method(self: Value) -> Value:
            return make_node(forward(self.data), self, name, back)
    else:
        ((param, default),) = op.params

        def method(self: Value, *args: Number, **kwargs: Number) -> Value:
            c = _param(name, param, default, args, kwargs)
            return make_node(forward(self.data, c), self, name, back, c)

    method.__name__ = op.method
    method.__doc__ = op.doc[0].upper() + op.doc[1:] + "."
    return method


def _param(op: str, param: str, default: float, args: tuple, kwargs: dict) -> float:
    """The one named constant of an op like leaky_relu(slope=0.01): a real number."""
    if len(args) + len(kwargs) > 1 or (kwargs and param not in kwargs):
        given = ", ".join([*map(repr, args), *kwargs])
        raise TypeError(f"{op}() takes one optional argument {param}, got {given}")
    value = args[0] if args else kwargs.get(param, default)
    c = _constant(value)
    if c is None or isinstance(value, bool):
        raise TypeError(
            f"{op}() {param} must be a real number, got {type(value).__name__} {_describe(value)}"
        )
    return c


class Value:
    """A scalar that remembers how it was computed, so that backward() can differentiate it."""

    # Parents without a tuple where there are one or two: `_parents` holds the first and
    # `_second` the second (or None); only a fused op (dot, sum) keeps them all in a tuple
    # in `_parents`. A tuple per node would be one more object for CPython's cyclic
    # collector to walk, over and over as a graph grows. `parents` gives the tuple.
    __slots__ = ("data", "grad", "label", "op", "_parents", "_second", "_rule", "_saved", "_site")
    _site: str  # where the node was made; set only under detect_anomaly (anomaly.py)
    __array_ufunc__ = None  # NumPy scalars defer to Value's reflected operators

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value() label must be a str, got {type(label).__name__}")
        self.data = as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._parents: Parents = ()
        self._second: Value | None = None
        self._rule: Rule | None = None
        self._saved: object = None

    @property
    def parents(self) -> tuple[Value, ...]:
        """The operands that are Values, in operand order; () for a leaf."""
        parents, second = self._parents, self._second
        if type(parents) is tuple:
            return parents
        return (parents,) if second is None else (parents, second)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label}{op})"

    def __float__(self) -> float:
        return self.data

    # --- at the REPL a Value reads as its number, as a 0-d tensor does (no node is made) ---

    def __format__(self, spec: str) -> str:
        return format(self.data, spec)

    def __round__(self, ndigits: int | None = None) -> int | float:
        return round(self.data, ndigits)

    def __lt__(self, other: Operand) -> bool:
        c = _compared(other)
        return NotImplemented if c is None else bool(self.data < c)  # type: ignore[operator]

    def __le__(self, other: Operand) -> bool:
        c = _compared(other)
        return NotImplemented if c is None else bool(self.data <= c)  # type: ignore[operator]

    def __gt__(self, other: Operand) -> bool:
        c = _compared(other)
        return NotImplemented if c is None else bool(self.data > c)  # type: ignore[operator]

    def __ge__(self, other: Operand) -> bool:
        c = _compared(other)
        return NotImplemented if c is None else bool(self.data >= c)  # type: ignore[operator]

    # `==` stays identity (object's), so Values remain dict keys and set members
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a Value that ends a cell as its graph; None falls back to repr."""
        from .viz import svg_or_none

        return svg_or_none(self)

    def backward(self, grad: float = 1.0) -> None:
        """Fill every node reachable from this one with d self / d node (see backprop.py)."""
        from .backprop import backward

        backward(self, grad)

    # --- operators: the table's forward and rule; a number operand is a constant -------

    __add__, __radd__ = _operator(ops.ADD, reflected_swaps=False)
    __mul__, __rmul__ = _operator(ops.MUL, reflected_swaps=False)
    __truediv__, __rtruediv__ = _operator(ops.DIV)

    def __pow__(self, other: Operand, modulo: None = None) -> Value:
        if modulo is not None:
            return NotImplemented
        if isinstance(other, Value):
            return make_node(F.pow(self.data, other.data), self, "**", _POW["xy"], second=other)
        c = _constant(other)
        if c is None:
            return NotImplemented
        return make_node(F.pow_scalar(self.data, c), self, "**", _POW_SCALAR, c)

    __rpow__ = _operator(ops.POW)[1]  # number ** self

    # --- derived operators: one-liners over the primitives above -------------------

    def __neg__(self) -> Value:  # -self
        return self * -1.0

    def __sub__(self, other: Operand) -> Value:  # self - other
        if not isinstance(other, Value) and _constant(other) is None:
            return NotImplemented
        return self + (-other)

    def __rsub__(self, other: Number) -> Value:  # other - self
        if _constant(other) is None:
            return NotImplemented
        return (-self) + other

    # --- one-argument functions, each made from its table entry (see ops.py) --------

    exp = _function(ops.OPS["exp"])
    log = _function(ops.OPS["log"])
    sqrt = _function(ops.OPS["sqrt"])
    tanh = _function(ops.OPS["tanh"])
    sigmoid = _function(ops.OPS["sigmoid"])
    relu = _function(ops.OPS["relu"])
    sin = _function(ops.OPS["sin"])
    cos = _function(ops.OPS["cos"])
    __abs__ = _function(ops.OPS["abs"])
    log1p = _function(ops.OPS["log1p"])
    softplus = _function(ops.OPS["softplus"])
    silu = _function(ops.OPS["silu"])
    erf = _function(ops.OPS["erf"])
    gelu = _function(ops.OPS["gelu"])
    atan = _function(ops.OPS["atan"])
    leaky_relu = _function(ops.OPS["leaky_relu"])
    elu = _function(ops.OPS["elu"])
