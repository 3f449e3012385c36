"""How a node reads in a drawing, shared by draw_dot (viz.py) and text_graph (textgraph.py).

Standard library only, so the text view never imports graphviz: the number format, the
op text (with any number operand, as in `×2`), the node cap and its error.
"""

from __future__ import annotations

from typing import cast

from .value import Value

DEFAULT_MAX_NODES = 500

# what an op node shows; an op not listed shows its name
_SYMBOLS = {
    "+": "+", "*": "×", "/": "÷", "**": "^", "exp": "exp", "log": "log", "sqrt": "√",
    "tanh": "tanh", "sigmoid": "σ", "relu": "relu", "sin": "sin", "cos": "cos",
    "abs": "|·|", "dot": "w·x+b", "sum": "Σ",
}

# ops with a number operand keep it in `_saved`: show it in the op node ("×2", "^0.5", "2^")
_CONSTANT_FORMS: dict[object, str] = {
    Value._add_const_back: "+{}", Value._mul_const_back: "×{}", Value._div_const_back: "÷{}",
    Value._rdiv_back: "{}÷", Value._pow_const_back: "^{}", Value._rpow_back: "{}^",
}


def _fmt(x: float) -> str:
    """x to 4 significant digits; -0 prints as 0 so students are not puzzled."""
    if x == 0.0:
        return "0"
    return f"{x:.4g}"


def _op_label(node: Value) -> str:
    """The op as a drawing shows it: its symbol, with the number operand if it had one."""
    form = _CONSTANT_FORMS.get(node._rule)
    if form is not None:
        return form.format(_fmt(cast(float, node._saved)))
    return _SYMBOLS.get(node.op, node.op)


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
