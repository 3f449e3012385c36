"""How a node reads in a drawing, shared by draw_dot (viz.py) and text_graph (textgraph.py).

Standard library only, so the text view never imports graphviz: the number format, the
op text (with any number operand, as in `×2`), the node cap and its error.
"""

from __future__ import annotations

from .value import Value, constants, op_form

DEFAULT_MAX_NODES = 500


def format_number(x: float) -> str:
    """x to 4 significant digits; -0 prints as 0 so students are not puzzled."""
    if x == 0.0:
        return "0"
    return f"{x:.4g}"


def op_text(node: Value) -> str:
    """The op's symbol from the table, with a number operand where it stands ("×2", "2^")
    and a param in brackets ("leaky_relu(0.2)")."""
    form = op_form(node)
    if form is None:  # a leaf
        return node.op
    symbol, numbers = form.op.symbol, constants(node)
    if not numbers:
        return symbol
    number = format_number(numbers[0])
    if form.layout == "xc":
        return f"{symbol}{number}"
    if form.layout == "cx":
        return f"{number}{symbol}"
    return f"{symbol}({number})"


def check_max_nodes(max_nodes: object) -> None:
    """ValueError unless max_nodes is a positive int (bool is not)."""
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")


def check_size(size: int, max_nodes: int, caller: str, reason: str) -> None:
    """ValueError naming the graph's size, the cap and how to raise it, if size > max_nodes."""
    if size > max_nodes:
        raise ValueError(
            f"the graph has {size} value nodes, more than max_nodes={max_nodes}; "
            f"{reason}. Draw a smaller part, or raise "
            f"the cap with {caller}(..., max_nodes={size}) "
            f"(command line: --max-nodes {size})"
        )
