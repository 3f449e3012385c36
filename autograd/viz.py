"""Drawing the graph: DOT built in Python (draw_dot), rendered by Graphviz's `dot` (to_svg).

draw_dot needs only the `graphviz` Python package; to_svg and render run the `dot` program
with an argument list. Nodes are numbered in topological order, so output never depends on id().
The graphviz package and subprocess are imported on first use, so `import autograd` loads only
the standard library's modules that computing needs.
"""

from __future__ import annotations

import shutil
from collections.abc import Collection
from typing import TYPE_CHECKING

from ._format import DEFAULT_MAX_NODES, check_max_nodes, check_size, format_number, op_text
from .backprop import topological_order
from .value import Value, per_parent

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "draw_dot",
    "to_svg",
    "render",
    "run_dot",
    "svg_or_none",
    "INSTALL_HINT",
    "DEFAULT_MAX_NODES",
    "RANKDIRS",
    "FORMATS",
]

RANKDIRS = ("LR", "TB", "RL", "BT")
FORMATS = ("svg", "png", "pdf", "dot")

INSTALL_HINT = (
    "the Graphviz 'dot' program was not found on PATH; install Graphviz and try again: "
    "Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; "
    "conda: conda install -c conda-forge graphviz"
)

_STYLE_LEAF = {"style": "filled", "fillcolor": "#dbeafe"}  # inputs and parameters
_STYLE_HIGHLIGHT = {"style": "filled", "fillcolor": "#fde047"}
_FLOW_COLOR = "#b91c1c"  # gradients on edges, in the colour of "backward"


def _escape_record(text: str) -> str:
    """A user's label made safe inside a record field (and inside DOT quotes)."""
    text = "".join(c if c.isprintable() else " " for c in text)
    out = []
    for c in text:
        if c in '\\"{}|<>':
            out.append("\\")
        out.append(c)
    return "".join(out)


def _record(node: Value, show_grad: bool, horizontal: bool) -> str:
    fields = [_escape_record(node.label)] if node.label else []
    fields.append(f"data {format_number(node.data)}")
    if show_grad:
        fields.append(f"grad {format_number(node.grad)}")
    body = " | ".join(fields)
    # a record lays its fields across the rank direction; braces turn it for LR/RL
    return "{ " + body + " }" if horizontal else body


def _check_args(root: object, rankdir: str, max_nodes: object) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot() expects a Value, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    check_max_nodes(max_nodes)


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_flow: bool = False,
    highlight: Collection[Value] = (),
    max_nodes: int = DEFAULT_MAX_NODES,
) -> graphviz.Digraph:
    """The graph ending at root as a graphviz.Digraph: value records, op circles, data-flow edges.

    Leaves (inputs, parameters) are filled blue; numbers an op used are shown in its circle.
    show_flow labels each edge into an op with the gradient it carried back, so a node's
    grad is the sum of the labels on its outgoing edges. Nodes in `highlight` are filled yellow.

    Raises:
        ValueError: the graph has more than max_nodes values (Graphviz would take minutes).
    """
    import graphviz  # here, not at the top: only drawing needs it

    _check_args(root, rankdir, max_nodes)
    order = topological_order(root)
    check_size(len(order), max_nodes, "draw_dot", "Graphviz gets very slow on graphs this large")
    marked = set(highlight)  # Values hash by identity
    index: dict[Value, int] = {node: i for i, node in enumerate(order)}  # the numbering
    horizontal = rankdir in ("LR", "RL")

    dot = graphviz.Digraph("chainrule")
    dot.attr(rankdir=rankdir, fontname="Helvetica")
    dot.attr("node", fontname="Helvetica", fontsize="11")
    dot.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.7")
    for i, node in enumerate(order):
        style: dict[str, str] = {}
        if node in marked:
            style = _STYLE_HIGHLIGHT
        elif not node.op:
            style = _STYLE_LEAF
        if node is root:
            style = {**style, "penwidth": "2"}
        dot.node(f"v{i}", _record(node, show_grad, horizontal), shape="record", **style)
        if not node.op:
            continue
        op_style = _STYLE_HIGHLIGHT if node in marked else {}
        dot.node(f"o{i}", op_text(node), shape="circle", margin="0.02", width="0.35", **op_style)
        dot.edge(f"o{i}", f"v{i}")
        flows = per_parent(node) if show_flow else None
        for k, parent in enumerate(node.parents):
            label = (
                {"label": format_number(flows[k]), "fontcolor": _FLOW_COLOR}
                if flows is not None
                else {}
            )
            dot.edge(f"v{index[parent]}", f"o{i}", **label)
    return dot


def _dot_program() -> str:
    path = shutil.which("dot")
    if path is None:
        raise RuntimeError(INSTALL_HINT)
    return path


def run_dot(source: str, fmt: str = "svg") -> bytes:
    """Lay out DOT source with the `dot` program and return the output file's bytes.

    Raises:
        RuntimeError: `dot` is not installed (with how to install it) or it failed.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "dot":
        return source.encode("utf-8")
    import subprocess  # here, not at the top: only rendering runs a program

    try:
        done = subprocess.run(
            [_dot_program(), f"-T{fmt}"],
            input=source.encode("utf-8"),
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as e:  # removed between which() and run()
        raise RuntimeError(INSTALL_HINT) from e
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz 'dot' failed (exit {done.returncode}): {reason}")
    return done.stdout


def render(root: Value, fmt: str = "svg", **draw_dot_kwargs: object) -> bytes:
    """The graph ending at root in one of FORMATS (svg png pdf dot), as bytes."""
    return run_dot(draw_dot(root, **draw_dot_kwargs).source, fmt)  # type: ignore[arg-type]


def to_svg(root: Value, **draw_dot_kwargs: object) -> str:
    """The graph ending at root as SVG text, laid out by Graphviz's `dot` (see draw_dot)."""
    return render(root, "svg", **draw_dot_kwargs).decode("utf-8")


def svg_or_none(value: Value) -> str | None:
    """SVG for Jupyter's display of a Value; None (so Jupyter shows the repr) when the
    graph is over the cap or Graphviz is missing."""
    if shutil.which("dot") is None:
        return None
    try:
        return to_svg(value)
    except (RuntimeError, ValueError):
        return None
