"""text_graph: the computation graph as an indented text tree, for a terminal or a notebook.

The root is the first line; under each op node its operands, in operand order. A node with
more than one use is numbered `[n]` where it is first printed, and every later use is the line
`↑ see [n]`, so `x*x`, shared weights and a whole MLP print in lines linear in their edges.
Indentation stops at MAX_DEPTH levels: a deeper operand becomes `↓ see [n]` and its subtree
is printed after the tree, from the left margin, so lines stay short and a 100,000-deep chain
prints in linear time. Iterative (no recursion), numbered in print order (never by id()),
standard library only: no Graphviz needed.
"""

from __future__ import annotations

from collections import deque

from ._format import DEFAULT_MAX_NODES, check_max_nodes, check_size, format_number, op_text
from .backprop import topological_order
from .value import Value

__all__ = ["text_graph"]

MAX_DEPTH = 20  # indentation levels before a subtree moves to the left margin (3 columns each)

# (first line's prefix, prefix of the lines under it) for an operand that is / is not the last
_LAST = ("└─ ", "   ")
_MIDDLE = ("├─ ", "│  ")


def _name(node: Value) -> str:
    """Label and op, as `y = tanh`, `x`, `×2`; '' for an unlabelled leaf."""
    label = "".join(c if c.isprintable() else " " for c in node.label)
    op = op_text(node) if node._rule is not None else ""
    if label and op:
        return f"{label} = {op}"
    return label or op


def _line(node: Value, show_grad: bool) -> str:
    fields = [_name(node)] if node.label or node._rule is not None else []
    fields.append(f"data {format_number(node.data)}")
    if show_grad:
        fields.append(f"grad {format_number(node.grad)}")
    return "  ".join(fields)


def text_graph(root: Value, show_grad: bool = True, max_nodes: int = DEFAULT_MAX_NODES) -> str:
    """The graph ending at root as an indented tree, one line per node: label, op, data, grad.

    Numbers are shown to 4 significant digits and a number operand in the op (`×2`), as in
    draw_dot. A node used again is referred to by `↑ see [n]` rather than printed again.

    Raises:
        TypeError: root is not a Value.
        ValueError: the graph has more than max_nodes values (the same cap as draw_dot).
    """
    if not isinstance(root, Value):
        raise TypeError(f"text_graph() expects a Value, got {type(root).__name__}")
    check_max_nodes(max_nodes)
    order = topological_order(root)
    check_size(len(order), max_nodes, "text_graph", "a tree this long is not readable")
    uses: dict[Value, int] = {}
    for node in order:
        for parent in node.parents:
            uses[parent] = uses.get(parent, 0) + 1

    numbers: dict[Value, int] = {}  # shared or moved nodes, numbered when first met
    printed: set[Value] = set()
    moved: deque[Value] = deque([root])  # roots of the blocks still to print
    lines: list[str] = []
    while moved:
        top = moved.popleft()
        stack: list[tuple[Value, str, str, int]] = [(top, "", "", 0)]
        while stack:
            node, head, rest, depth = stack.pop()
            number = numbers.get(node)
            if node is not top and number is not None:  # met before: refer to it
                arrow = "↑" if node in printed else "↓"
                lines.append(f"{head}{arrow} see [{number}] {_name(node)}".rstrip())
                continue
            parents = node.parents
            if depth > MAX_DEPTH and parents:  # too deep to indent: print it later
                numbers[node] = number = len(numbers) + 1
                moved.append(node)
                lines.append(f"{head}↓ see [{number}] {_name(node)}".rstrip())
                continue
            if number is None and uses.get(node, 0) > 1:
                numbers[node] = number = len(numbers) + 1
            mark = f"[{number}] " if number is not None else ""
            lines.append(f"{head}{mark}{_line(node, show_grad)}")
            printed.add(node)
            last = len(parents) - 1
            for k in range(last, -1, -1):  # pushed in reverse: popped in operand order
                first, under = _LAST if k == last else _MIDDLE
                stack.append((parents[k], rest + first, rest + under, depth + 1))
    return "\n".join(lines)
