"""stepper: the backward pass as an interactive page, one node per step, Prev / Next / Play.

The numbers come from backward_steps and the picture from draw_dot / to_svg (the `dot`
program); the page's inline script (_stepper_page) only shows them, step by step.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile

from . import _stepper_page
from .backprop import Step, backward_steps, topological_order
from .value import Value
from .viz import DEFAULT_MAX_NODES, draw_dot, format_number, op_text, to_svg

__all__ = ["Stepper", "stepper"]

PENDING = "grad ?"  # what a box shows until its gradient is complete
SPEEDS = (("slow", 2000), ("normal", 1000), ("fast", 400), ("fastest", 60))  # ms per step

_GROUP = re.compile(
    r'<g id="((?:node|edge)(\d+))" class="(node|edge)">\s*<title>([^<]*)</title>(.*?)</g>',
    re.DOTALL,
)
_TEXT = re.compile(r"<text\b[^>]*>([^<]*)</text>")
_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


class Stepper:
    """A backward pass ready to step through: `.html` is the page's fragment, `.steps` the data.

    Displays itself in Jupyter; `save(path)` writes one self-contained HTML file.
    """

    def __init__(self, fragment: str, steps: list[dict]) -> None:
        self.html = fragment
        self.steps = steps

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return f"<stepper: {len(self.steps)} steps>"

    def _repr_html_(self) -> str:
        return self.html

    def page(self) -> str:
        """The whole HTML document: the fragment, with the arrow keys working page-wide."""
        body = self.html.replace(
            'class="chainrule-stepper"', 'class="chainrule-stepper" data-page', 1
        )
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<title>chainrule: backward, step by step</title></head>\n"
            f'<body style="margin:.5em">\n{body}\n</body></html>\n'
        )

    def save(self, path: str | os.PathLike) -> None:
        """Write page() to path, atomically: a reader sees the old file or the whole new one."""
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".stepper-", suffix=".html", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(self.page())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


def stepper(root: Value, rankdir: str = "LR", max_nodes: int = DEFAULT_MAX_NODES) -> Stepper:
    """The backward pass from root as a page to step through: Prev / Next / Play, arrow keys.

    Making it runs backward (through backward_steps), so afterwards every .grad is what
    root.backward() leaves: leaf gradients accumulate, as in backward. If drawing fails
    (no Graphviz) the gradients are put back as they were.

    Raises:
        ValueError: the graph is over max_nodes (as draw_dot), or a bad rankdir.
        RuntimeError: the Graphviz `dot` program is missing or failed.
    """
    draw_dot(root, rankdir=rankdir, max_nodes=max_nodes)  # its checks, before touching a grad
    order = topological_order(root)
    kept = [node.grad for node in order]
    try:
        steps = list(backward_steps(root))
        svg = to_svg(root, rankdir=rankdir, show_flow=True, max_nodes=max_nodes)
    except BaseException:
        for node, g in zip(order, kept):
            node.grad = g
        raise
    index = {node: i for i, node in enumerate(order)}  # draw_dot's numbering: v{i}, o{i}
    data = _step_data(steps, index, _svg_groups(svg))
    return Stepper(_fragment(svg, data, root), data)


def _svg_groups(svg: str) -> dict[str, list[tuple[str, list[str]]]]:
    """Graphviz's groups by title (draw_dot's names), each as (svg id, its texts), in the
    order they were created: an edge drawn twice (x * x) has one title and two groups."""
    found = sorted(_GROUP.findall(svg), key=lambda g: (g[2], int(g[1])))
    groups: dict[str, list[tuple[str, list[str]]]] = {}
    for gid, _, _, title, body in found:
        texts = [html.unescape(t) for t in _TEXT.findall(body)]
        groups.setdefault(html.unescape(title), []).append((gid, texts))
    return groups


def _group(groups: dict, title: str, nth: int = 0) -> tuple[str, list[str]]:
    try:
        return groups[title][nth]
    except (KeyError, IndexError):
        raise RuntimeError(
            f"stepper: the drawing has no element {title!r} (#{nth + 1}); "
            f"draw_dot's node names changed?"
        ) from None


def _step_data(steps: list[Step], index: dict[Value, int], groups: dict) -> list[dict]:
    """Per step: the SVG ids to mark, the texts to show and the caption, all decided here.
    The texts are checked against the drawing, which draw_dot made after the same backward."""
    out = []
    for step in steps:
        i = index[step.node]
        box, texts = _group(groups, f"v{i}")
        grad = f"grad {format_number(step.grad)}"
        if not texts or texts[-1] != grad:
            raise RuntimeError(f"stepper: box v{i} shows {texts[-1:]}, the step says {grad!r}")
        op = _group(groups, f"o{i}")[0] if step.sends else None
        sends = []
        seen: dict[Value, int] = {}
        for parent, amount in step.sends:
            nth = seen.get(parent, 0)
            seen[parent] = nth + 1
            edge, labels = _group(groups, f"v{index[parent]}->o{i}", nth)
            label = format_number(amount)
            if labels != [label]:
                raise RuntimeError(f"stepper: edge into o{i} shows {labels}, the step {label!r}")
            sends.append([edge, label])
        out.append({"box": box, "op": op, "grad": grad, "sends": sends, "caption": caption(step)})
    return out


def _name(node: Value) -> str:
    return node.label or f"the value {format_number(node.data)}"


def _paren(x: float) -> str:
    """x to 4 significant digits, in parentheses when negative: 1 − (-0.5)², 2 × (-3)."""
    text = format_number(x)
    return f"({text})" if text.startswith("-") else text


def _local(node: Value, k: int) -> str | None:
    """The local derivative d node / d parent k, as a formula with the numbers in it, for the
    ops whose derivative reads from the drawing alone; None for the others."""
    parents = node.parents
    x = _paren(parents[k].data)
    t = _paren(node.data)
    forms = {
        "tanh": f"(1 − {t}²)",
        "sigmoid": f"{t} × (1 − {t})",
        "exp": t,
        "log": f"1 / {x}",
        "sin": f"cos({x})",
        "cos": f"−sin({x})",
        "sqrt": f"1 / (2 × {t})",
    }
    if len(parents) == 1 and node.op in forms:
        return forms[node.op]
    if len(parents) == 2 and node.op == "*":
        return _paren(parents[1 - k].data)
    if node.op == "+" and len(parents) == 2:
        return "1"
    return None


def caption(step: Step) -> str:
    """The step in words and numbers, e.g. 'h = tanh(z): grad 1 is complete; it sends
    1 × (1 − 0.9640²) = 0.07065 to z.'"""
    node, g = step.node, format_number(step.grad)
    if not step.sends:
        return (
            f"{_name(node)} is a leaf: its gradient {g} is complete (the sum over every "
            f"path to the output); it sends nothing further."
        )
    parents = node.parents
    what = op_text(node)
    head = f"{node.label} = {what}" if node.label else f"the {what} node"
    parts = []
    for k, (parent, amount) in enumerate(step.sends):
        to = _name(parent) if parent.label or len(parents) > 1 else "its input"
        local = _local(node, k)  # None: no formula to show, just the amount
        rule = f"{g} × {local} = " if local is not None else ""
        parts.append(f"{rule}{format_number(amount)} to {to}")
    return f"{head}: its gradient {g} is complete; it sends " + "; ".join(parts) + "."


def _fragment(svg: str, steps: list[dict], root: Value) -> str:
    """The stepper's HTML: controls, caption, the SVG scaled to the width, data and script."""
    svg = svg[svg.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
    size = _SIZE.match(svg)
    if size is not None:  # scale to the width, up to the drawing's natural size
        svg = svg.replace(size.group(0), f'<svg style="max-width:{size.group(1)}pt"', 1)
    start = (
        f"Before backward: only {_name(root)}'s gradient is known, the seed "
        f"{steps[0]['grad'][5:]}. Press Next (or the → key) to run backward one node "
        f"at a time."
    )
    data = json.dumps({"steps": steps, "pending": PENDING, "start": start}, ensure_ascii=True)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    speeds = "".join(
        f'<option value="{ms}"{" selected" if name == "normal" else ""}>{name}</option>'
        for name, ms in SPEEDS
    )
    return (
        f'<div class="chainrule-stepper" tabindex="0">\n<style>{_stepper_page.CSS}</style>\n'
        '<div class="cr-controls">'
        '<button type="button" data-action="prev" title="previous step (←)">◀ Prev</button>'
        f'<span data-role="counter">0 / {len(steps)}</span>'
        '<button type="button" data-action="next" title="next step (→)">Next ▶</button>'
        '<button type="button" data-action="play">Play</button>'
        f'<label>speed <select data-role="speed">{speeds}</select></label></div>\n'
        f'<div data-role="caption" aria-live="polite">{html.escape(start)}</div>\n'
        f'<div class="cr-graph">{svg}</div>\n'
        f'<script type="application/json" data-role="steps">{data}</script>\n'
        f"<script>{_stepper_page.SCRIPT}</script>\n</div>"
    )
