"""Value: one scalar node of the computation graph, and every primitive op on it.

Each op is two pieces side by side: the forward, which computes the float and calls
`_node`, and its backward rule `rule(out, g)`, which returns the gradient sent to each
parent (local derivative times the upstream gradient `g`): a float for an op with one
parent, else one per parent in parent order. A rule is one function shared by every node
of its op; it receives the output node as an argument rather than capturing it, so no
node refers to itself and a discarded graph is freed by reference counting alone. The
formulas are PyTorch's, so results agree with it at the edges too (inf, nan, kinks).
backprop.py runs the rules; _floats.py does the IEEE math.
"""

from __future__ import annotations

import numbers
from typing import Callable, Iterable, Optional, Tuple, Union

from . import _floats as F
from . import anomaly, grad_mode
from .grad_mode import mode

Number = Union[int, float]
Operand = Union["Value", Number]
Rule = Callable[["Value", float], "Union[float, Iterable[float]]"]
Parents = Union["Value", Tuple["Value", ...]]  # one parent (or the first of two) bare; see Value


def _describe(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _as_float(x: object) -> float:
    """The float of a real number; TypeError naming the type for anything else."""
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


def _constant(x: object) -> Optional[float]:
    """An operand that is a plain real number, as a float; None for anything else."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        return _as_float(x)
    return None


def _compared(x: object) -> Optional[float]:
    """What a Value compares against: another Value's data or a real number; else None."""
    return x.data if isinstance(x, Value) else _constant(x)


_new = object.__new__


def _node(data: float, parents: Parents, op: str, rule: Rule, saved: object = None,
          second: Optional[Value] = None) -> Value:
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


def per_parent(node: Value) -> Tuple[float, ...]:
    """Run an op node's rule: the gradient it sends to each parent, as a tuple (a rule
    returns a lone parent's bare, and may return several as any iterable)."""
    sends = node._rule(node, node.grad)
    return (sends,) if type(node._parents) is not tuple and node._second is None else tuple(sends)


class Value:
    """A scalar that remembers how it was computed, so that backward() can differentiate it."""

    # Parents without a tuple where there are one or two: `_parents` holds the first and
    # `_second` the second (or None); only a fused op (dot, sum) keeps them all in a tuple
    # in `_parents`. A tuple per node would be one more object for CPython's cyclic
    # collector to walk, over and over as a graph grows. `parents` gives the tuple.
    __slots__ = ("data", "grad", "label", "op", "_parents", "_second", "_rule", "_saved", "_site")
    __array_ufunc__ = None  # NumPy scalars defer to Value's reflected operators

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value() label must be a str, got {type(label).__name__}")
        self.data = _as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._parents: Parents = ()
        self._second: Optional[Value] = None
        self._rule: Optional[Rule] = None
        self._saved: object = None

    @property
    def parents(self) -> Tuple[Value, ...]:
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

    def __round__(self, ndigits: Optional[int] = None) -> Union[int, float]:
        return round(self.data, ndigits)

    def __lt__(self, other: Operand) -> bool:
        c = _compared(other)
        return NotImplemented if c is None else self.data < c

    def __le__(self, other: Operand) -> bool:
        c = _compared(other)
        return NotImplemented if c is None else self.data <= c

    def __gt__(self, other: Operand) -> bool:
        c = _compared(other)
        return NotImplemented if c is None else self.data > c

    def __ge__(self, other: Operand) -> bool:
        c = _compared(other)
        return NotImplemented if c is None else self.data >= c

    # `==` stays identity (object's), so Values remain dict keys and set members
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def _repr_svg_(self) -> Optional[str]:
        """Jupyter shows a Value that ends a cell as its graph; None falls back to repr."""
        from .viz import svg_or_none

        return svg_or_none(self)

    def backward(self, grad: float = 1.0) -> None:
        """Fill every node reachable from this one with d self / d node (see backprop.py)."""
        from .backprop import backward

        backward(self, grad)

    # --- addition: d(a + b)/da = 1, d(a + b)/db = 1 --------------------------------

    def __add__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _node(self.data + other.data, self, "+", Value._add_back, second=other)
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(self.data + c, self, "+", Value._add_const_back, c)

    @staticmethod
    def _add_back(out: Value, g: float) -> tuple:
        return g, g

    @staticmethod
    def _add_const_back(out: Value, g: float) -> float:
        return g

    # --- multiplication: d(a * b)/da = b, d(a * b)/db = a ---------------------------

    def __mul__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _node(self.data * other.data, self, "*", Value._mul_back, second=other)
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(self.data * c, self, "*", Value._mul_const_back, c)

    @staticmethod
    def _mul_back(out: Value, g: float) -> tuple:
        a, b = out._parents, out._second
        return g * b.data, g * a.data

    @staticmethod
    def _mul_const_back(out: Value, g: float) -> float:
        return g * out._saved

    # --- division: d(a / b)/da = 1/b, d(a / b)/db = -a/b^2, computed as -(a/b)/b -------

    def __truediv__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _node(F.div(self.data, other.data), self, "/", Value._div_back, second=other)
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(F.div(self.data, c), self, "/", Value._div_const_back, c)

    def __rtruediv__(self, other: Number) -> Value:  # other / self
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(F.div(c, self.data), self, "/", Value._rdiv_back, c)

    @staticmethod
    def _div_back(out: Value, g: float) -> tuple:
        b = out._second.data
        return F.div(g, b), -g * F.div(out.data, b)

    @staticmethod
    def _div_const_back(out: Value, g: float) -> float:
        return F.div(g, out._saved)

    @staticmethod
    def _rdiv_back(out: Value, g: float) -> float:
        return -g * F.div(out.data, out._parents.data)

    # --- power: d(x^y)/dx = y x^(y-1), d(x^y)/dy = x^y log x ---------------------------
    # PyTorch's conventions: the x-derivative is 0 where y == 0, the y-derivative is 0
    # where x == 0 and y >= 0, and a constant exponent takes the same shortcuts forward
    # and backward (x*x for 2, sqrt for 0.5, ...; see _floats.pow_scalar).

    def __pow__(self, other: Operand, modulo: None = None) -> Value:
        if modulo is not None:
            return NotImplemented
        if isinstance(other, Value):
            return _node(F.pow(self.data, other.data), self, "**", Value._pow_back, second=other)
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(F.pow_scalar(self.data, c), self, "**", Value._pow_const_back, c)

    def __rpow__(self, other: Number) -> Value:  # other ** self
        c = _constant(other)
        if c is None:
            return NotImplemented
        return _node(F.pow(c, self.data), self, "**", Value._rpow_back, c)

    @staticmethod
    def _pow_back(out: Value, g: float) -> tuple:
        x, y = out._parents.data, out._second.data
        dx = 0.0 if y == 0.0 else g * (y * F.pow(x, y - 1.0))
        dy = g * (0.0 if x == 0.0 and y >= 0.0 else out.data * F.log(x))
        return dx, dy

    @staticmethod
    def _pow_const_back(out: Value, g: float) -> float:
        c = out._saved
        return 0.0 if c == 0.0 else g * (c * F.pow_scalar(out._parents.data, c - 1.0))

    @staticmethod
    def _rpow_back(out: Value, g: float) -> float:
        c, y = out._saved, out._parents.data
        return g * (0.0 if c == 0.0 and y >= 0.0 else out.data * F.log(c))

    # --- derived operators: one-liners over the primitives above -------------------

    def __radd__(self, other: Number) -> Value:  # other + self
        return self.__add__(other)

    def __rmul__(self, other: Number) -> Value:  # other * self
        return self.__mul__(other)

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

    # --- one-argument functions: f(x) and f'(x) ------------------------------------

    def exp(self) -> Value:
        """e^x; d/dx = e^x."""
        return _node(F.exp(self.data), self, "exp", Value._exp_back)

    @staticmethod
    def _exp_back(out: Value, g: float) -> float:
        return g * out.data

    def log(self) -> Value:
        """Natural logarithm; d/dx = 1/x."""
        return _node(F.log(self.data), self, "log", Value._log_back)

    @staticmethod
    def _log_back(out: Value, g: float) -> float:
        return F.div(g, out._parents.data)

    def sqrt(self) -> Value:
        """Square root; d/dx = 1 / (2 sqrt(x)), inf at 0."""
        return _node(F.sqrt(self.data), self, "sqrt", Value._sqrt_back)

    @staticmethod
    def _sqrt_back(out: Value, g: float) -> float:
        return F.div(g, 2.0 * out.data)

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)^2."""
        return _node(F.tanh(self.data), self, "tanh", Value._tanh_back)

    @staticmethod
    def _tanh_back(out: Value, g: float) -> float:
        t = out.data  # 1 - t^2 factored: no cancellation as |t| -> 1 (PyTorch uses an fma)
        return g * ((1.0 - t) * (1.0 + t))

    def sigmoid(self) -> Value:
        """Logistic function s(x) = 1 / (1 + e^-x); d/dx = s(x) (1 - s(x))."""
        return _node(F.sigmoid(self.data), self, "sigmoid", Value._sigmoid_back)

    @staticmethod
    def _sigmoid_back(out: Value, g: float) -> float:
        s = out.data
        return g * (1.0 - s) * s

    def relu(self) -> Value:
        """max(x, 0); d/dx = 1 for x > 0, else 0 (0 at the kink, as PyTorch)."""
        return _node(F.relu(self.data), self, "relu", Value._relu_back)

    @staticmethod
    def _relu_back(out: Value, g: float) -> float:
        return 0.0 if out.data <= 0.0 else g

    def sin(self) -> Value:
        """sin x; d/dx = cos x."""
        return _node(F.sin(self.data), self, "sin", Value._sin_back)

    @staticmethod
    def _sin_back(out: Value, g: float) -> float:
        return g * F.cos(out._parents.data)

    def cos(self) -> Value:
        """cos x; d/dx = -sin x."""
        return _node(F.cos(self.data), self, "cos", Value._cos_back)

    @staticmethod
    def _cos_back(out: Value, g: float) -> float:
        return g * -F.sin(out._parents.data)

    def __abs__(self) -> Value:
        """|x|; d/dx = sign(x), 0 at the kink (as PyTorch)."""
        return _node(abs(self.data), self, "abs", Value._abs_back)

    @staticmethod
    def _abs_back(out: Value, g: float) -> float:
        return g * F.sign(out._parents.data)
