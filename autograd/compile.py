"""compile: trace a function once, then replay it as generated straight-line Python.

A training loop builds the same graph every step, and most of a step's time goes into
building and walking it. `compile(f, xs)` calls `f` once on Values, then writes the graph
out as Python source: the forward, one line per node, then the backward, one line per
node: its gradient as `0.0 + ` what each consumer sends it, summed in the order the
engine's backward adds them. Each send is the op table's own derivative rule, run on
`_source.SOURCE`, whose values are source text; no derivative is written twice. The
result equals tracing `f` again and calling backward(), bit for bit, inf and nan included.

As torch.jit.trace does, the graph is frozen at trace time: Python control flow in `f`
that depends on the data (`if x > 0:`, `x.data`) is replayed as it went then. Branches
inside ops (relu, abs, max, pow's special cases) are decided each time the code runs.
"""

from __future__ import annotations

import builtins
import inspect
import keyword
import math
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

from . import _floats as F
from . import ops
from ._source import ADD, as_sym, wrap
from .fused import forward_operands
from .value import Value, as_floats, rule_operands

_FLOAT_NAMES = {
    id(fn): f"F.{name}" for name, fn in vars(F).items() if callable(fn) and not name.startswith("_")
}
_INFIX = {operator.add: "+", operator.mul: "*"}
_EXTREME = {"max": "operator.gt", "min": "operator.lt"}  # what beats the best so far
_RESERVED = {"F", "inf", "nan", "operator", "OPS", "forward_backward"} | set(dir(builtins))
MAX_LISTED = 4  # consumers named in a backward line's comment


def _name_of(text: str) -> str:
    """A label as a Python identifier: ASCII letters, digits and _ only."""
    name = re.sub(r"[^0-9A-Za-z_]", "_", text.strip()) or "v"
    return "_" + name if name[0].isdigit() else name


class Names:
    """Unique identifiers for values and their gradients (`x` and `g_x`)."""

    def __init__(self) -> None:
        self.used = set(_RESERVED)
        self.count = 0
        self.suffix: dict[str, int] = {}  # the next suffix to try for a label used before

    def take(self, wanted: str) -> str:
        base = _name_of(wanted) if wanted else ""
        if not base:
            self.count += 1
            base = f"v{self.count}"
        name, k = base, self.suffix.get(base, 1)
        if k > 1:
            name = f"{base}_{k}"
        while (
            name in self.used
            or f"g_{name}" in self.used
            or keyword.iskeyword(name)
            or name.startswith("g_")
            and name[2:] in self.used
        ):
            k += 1
            name = f"{base}_{k}"
        self.suffix[base] = k + 1
        self.used.update((name, f"g_{name}"))
        return name


def forward_text(
    node: Value, op: ops.Op, layout: str, sym: Callable[[Any], Any]
) -> tuple[str, str]:
    """The text computing a node's value from its operands, and (max, min) its winner's."""
    args: Any
    if layout == "many":
        args = [
            [sym(x) for x in a] if isinstance(a, list) else sym(a) for a in forward_operands(node)
        ]
        lists = [
            f"[{', '.join(as_sym(x).text for x in a)}]" if isinstance(a, list) else as_sym(a).text
            for a in args
        ]
        if op.name in _EXTREME:
            items = lists[0][1:-1] + ("," if len(args[0]) == 1 else "")
            return f"({items})[{{at}}]", f"F.first_extreme({lists[0]}, {_EXTREME[op.name]})"
        return f"{_callable(op)}({', '.join(lists)})", ""
    # a one- or two-operand op's forward reads what its rule reads: parents and numbers
    args = [sym(a) for a in rule_operands(node)]
    infix = _INFIX.get(op.forward)
    if infix is not None:
        return f"{wrap(args[0], ADD)} {infix} {wrap(args[1], ADD, right=True)}", ""
    return f"{_callable(op)}({', '.join(as_sym(a).text for a in args)})", ""


def _callable(op: ops.Op) -> str:
    name = _FLOAT_NAMES.get(id(op.forward))
    if name is not None:
        return name
    if op.forward is abs:
        return "abs"
    return f"OPS[{op.key!r}].forward"


class Compiled:
    """`f`'s graph as generated Python: `c(xs) -> (value, grads)`; `c.source` is the code."""

    def __init__(
        self, source: str, function: Callable[..., Any], n_inputs: int, names: Sequence[str]
    ) -> None:
        self.source = source
        self.function = function  # the generated function itself: floats in, no checks
        self.n_inputs = n_inputs
        self.names = list(names)

    def __call__(self, xs: Sequence[float]) -> tuple[float, list[float]]:
        value, grads, _ = self.run(xs)
        return value, grads

    def run(self, xs: Sequence[float]) -> tuple[float, list[float], list[float]]:
        """(value, grads, extras): also the values of the nodes asked for as extras."""
        return self.function(*as_floats(xs, "the compiled function", self.n_inputs))

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        shown = ", ".join(self.names[:6]) + ("..." if len(self.names) > 6 else "")
        return f"<compiled ({shown}): {lines} lines>"


def compile(f: Callable[..., Value], xs: Sequence[float]) -> Compiled:
    """Trace f(*values) once, with one Value per number in xs, and return it compiled.

    `c(new_xs)` returns (f's value, [d f / d x_i]) as floats, equal bit for bit to
    tracing f at new_xs and calling backward(), provided f builds the same graph there:
    Python control flow in f is frozen at trace time (as torch.jit.trace), while branches
    inside ops (relu, abs, max, pow) are decided at run time.
    """
    if not callable(f):
        raise TypeError(f"compile() expects a function, got {type(f).__name__}")
    numbers = as_floats(xs, "compile()")
    values = [Value(x) for x in numbers]
    out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(f"compile() expects f to return a Value, got {type(out).__name__}")
    names = [v.label for v in values]
    try:
        params = [
            p.name
            for p in inspect.signature(f).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        params = []
    if len(params) == len(values):
        names = [label or param for label, param in zip(names, params)]
    return compile_graph(
        out,
        values,
        names=[n or f"x{i}" for i, n in enumerate(names)],
        title=getattr(f, "__name__", "f"),
    )


def compile_graph(
    output: Value,
    inputs: Sequence[Value],
    data: Sequence[Value] = (),
    extras: Sequence[Value] = (),
    names: Sequence[str] | None = None,
    title: str = "graph",
) -> Compiled:
    """An already traced graph as generated code: `c(xs)` takes a number for each of
    inputs then each of data (leaves of the graph) and returns (output, the gradient to
    each of inputs); `c.run(xs)` also returns the values of `extras` (nodes of the graph)."""
    from ._codegen import generate  # the text of the code

    leaves = list(inputs) + list(data)
    for i, leaf in enumerate(leaves):
        if not isinstance(leaf, Value) or leaf._rule is not None:
            raise TypeError(
                f"compile_graph() inputs must be leaf Values, got "
                f"{type(leaf).__name__} {leaf!r:.60} at position {i}"
            )
    if len(set(map(id, leaves))) != len(leaves):
        raise ValueError("compile_graph() got the same Value twice among its inputs")
    if not isinstance(output, Value):
        raise TypeError(
            f"compile_graph() expects the output to be a Value, got {type(output).__name__}"
        )
    names = list(names) if names is not None else [leaf.label for leaf in leaves]
    source, entry = generate(output, leaves, len(inputs), list(extras), names, title)
    namespace: dict[str, Any] = {
        "F": F,
        "inf": math.inf,
        "nan": math.nan,
        "operator": operator,
        "OPS": ops.OPS,
        "__name__": "autograd.compiled",
    }
    exec(builtins.compile(source, f"<compiled {title}>", "exec"), namespace)
    return Compiled(source, namespace[entry], len(leaves), names)
