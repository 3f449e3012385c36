"""The text of a compiled graph: forward lines, then backward lines, from the op table.

Forward: `name = <op on operands>` per node, in topological order. Backward, in the
engine's order (reverse topological): `g_name = 0.0 + send + send ...` per node on a
path from an input, each send being what one consumer's derivative rule sends, in the
order backprop's `+=` adds them (so the sum rounds the same way; 0.0 first because the
engine starts every gradient at 0.0, and 0.0 + -0.0 is 0.0).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import ops
from ._source import ADD, SOURCE, Sym, constant, wrap
from .backprop import topological_order
from .compile import MAX_LISTED, Names, forward_text
from .value import Value, rule_operands, to_parents

TERMS = 200  # terms per line of a gradient's sum: Python's compiler recurses on long sums


def _comment(op: ops.Op) -> str:
    doc = op.doc.split("; ")[-1]
    return f"{op.name}: {doc}" if op.name not in doc else doc


def generate(
    output: Value,
    leaves: list[Value],
    n_grads: int,
    extras: list[Value],
    given: Sequence[str],
    title: str,
) -> tuple[str, str]:
    """(source, name of the function to call) for output's graph over leaves."""
    order = topological_order(output)
    names = Names()
    sym: dict[Value, Any] = {}
    args = []
    for leaf, wanted in zip(leaves, given):
        args.append(names.take(wanted))
        sym[leaf] = Sym(args[-1])
    forward: list[str] = []

    def look(x: Any) -> Any:
        return sym[x] if isinstance(x, Value) else x

    winners: dict[Value, Sym] = {}
    for node in order:
        if node in sym:
            continue
        if node._rule is None:  # a leaf that is not an input: a constant of the graph
            if node.label:
                name = names.take(node.label)
                forward.append(f"{name} = {constant(node.data).text}  # constant")
                sym[node] = Sym(name)
            else:
                sym[node] = node.data
            continue
        form = ops.FORMS.get(node._rule)
        if form is None:
            raise TypeError(f"compile: node {node!r:.60} was not made by an op of the op table")
        name = names.take(node.label)
        text, at = forward_text(node, form.op, form.layout, look)
        if at:  # max, min: the winner's place among the operands, then its value
            place = names.take(f"{name}_at")
            forward.append(f"{place} = {at}")
            text = text.replace("{at}", place)
            operands: Any = node._second  # all operands, when numbers are among them
            winner = place if operands is None else _parent_places(operands) + f"[{place}]"
            winners[node] = Sym(winner)
        forward.append(f"{name} = {text}  # {_comment(form.op)}")
        sym[node] = Sym(name)
    backward = _backward(order, output, set(leaves[:n_grads]), sym, winners)
    grads = [
        f"g_{sym[leaf].text}" if f"g_{sym[leaf].text}" in backward.gradients else "0.0"
        for leaf in leaves[:n_grads]
    ]
    value = constant(sym[output]).text if not isinstance(sym[output], Sym) else sym[output].text
    missing = [i for i, x in enumerate(extras) if x not in sym]
    if missing:
        raise ValueError(
            f"compile_graph() extras must be nodes of the output's graph; extras {missing} are not"
        )
    kept = [constant(sym[x]).text if not isinstance(sym[x], Sym) else sym[x].text for x in extras]
    body = [
        f"# {title}: {len(order)} nodes, compiled by autograd.compile",
        f"def forward_backward({', '.join(args)}):",
        "    # forward",
    ]
    body += ["    " + line for line in forward]
    body += ["    # backward: each gradient sums what its consumers send, in backward()'s order"]
    body += ["    " + line for line in backward.lines]
    body.append(f"    return {value}, [{', '.join(grads)}], [{', '.join(kept)}]")
    return "\n".join(body) + "\n", "forward_backward"


def _parent_places(operands: tuple[Any, ...]) -> str:
    """For a max with numbers among its operands: each operand's place among the parents
    (-1 for a number), as a tuple literal to index with the winner's place."""
    places, k = [], 0
    for x in operands:
        places.append(str(k) if isinstance(x, Value) else "-1")
        k += isinstance(x, Value)
    return f"({', '.join(places)}{',' * (len(places) == 1)})"


class _Backward:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.gradients: set = set()


def _backward(
    order: list[Value], output: Value, wanted: set, sym: dict[Value, Any], winners: dict[Value, Sym]
) -> _Backward:
    on_path = set()
    for node in order:  # parents first: on a path if an input, or a parent is
        if node in wanted or any(p in on_path for p in node.parents):
            on_path.add(node)
    out = _Backward()
    sends: dict[Value, list[Any]] = {}
    senders: dict[Value, list[str]] = {}
    for node in reversed(order):
        if node not in on_path:
            continue
        name = sym[node].text
        g = f"g_{name}"
        if node is output:
            out.lines.append(f"{g} = 1.0")
        else:
            terms = [wrap(t, ADD, right=True) for t in sends.pop(node)]
            who = senders.pop(node)
            shown = ", ".join(who[:MAX_LISTED]) + (
                f" and {len(who) - MAX_LISTED} more" if len(who) > MAX_LISTED else ""
            )
            # a long sum continues on further lines, left to right as one sum would
            out.lines.append(f"{g} = 0.0 + {' + '.join(terms[:TERMS])}  # from {shown}")
            for k in range(TERMS, len(terms), TERMS):
                out.lines.append(f"{g} = {g} + {' + '.join(terms[k : k + TERMS])}")
        out.gradients.add(g)
        if node._rule is None:
            continue
        op = ops.FORMS[node._rule].op
        operands = rule_operands(node)
        if node in winners:
            operands = (operands[0], winners[node])
        else:
            operands = tuple(
                tuple(sym[x] if isinstance(x, Value) else x for x in a)
                if isinstance(a, tuple)
                else sym[a]
                if isinstance(a, Value)
                else a
                for a in operands
            )
        per_parent = to_parents(node, op.rule(SOURCE, Sym(g), sym[node], *operands))
        for parent, send in zip(node.parents, per_parent):
            if parent in on_path:
                sends.setdefault(parent, []).append(send)
                senders.setdefault(parent, []).append(name)
    return out
