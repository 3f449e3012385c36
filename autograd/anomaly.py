"""detect_anomaly: stop at the first op that makes a nan or inf, and name the user's line.

Off by default; when off, it costs the node factory nothing beyond its one mode check.
When on, every new node remembers the innermost line of user code (outside the autograd
and nn packages) that created it, so a bad gradient found later in backward can still
point at the line that built the op.
"""

from __future__ import annotations

import math
import os
import sys
from typing import TYPE_CHECKING, Sequence

from .grad_mode import FlagSetter

if TYPE_CHECKING:
    from .value import Value

_HERE = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = tuple(
    os.path.join(folder, "") for folder in (_HERE, os.path.join(os.path.dirname(_HERE), "nn"))
)


class detect_anomaly(FlagSetter):
    """Context manager and decorator, per thread: raise FloatingPointError at the first
    op whose result (forward) or gradient contribution (backward) is nan or inf."""

    flag, value = "anomaly", True


def user_site() -> str:
    """'file:line' of the innermost frame outside chainrule's own packages."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_LIBRARY_DIRS):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _inputs(node: Value) -> str:
    from .value import constants  # value imports this module

    numbers = [repr(p.data) for p in node.parents]
    numbers.extend(f"{c!r} (constant)" for c in constants(node))
    return ", ".join(numbers)


def check_forward(out: Value) -> None:
    """Remember where `out` was made; raise if its value is nan or inf."""
    out._site = user_site()
    if not math.isfinite(out.data):
        raise FloatingPointError(
            f"detect_anomaly: {out.op} returned {out.data!r} from inputs "
            f"({_inputs(out)}), created at {out._site}"
        )


def check_backward(node: Value, sends: Sequence[float]) -> None:
    """Raise if any gradient that `node` sends to a parent is nan or inf."""
    for index, (parent, contribution) in enumerate(zip(node.parents, sends)):
        if not math.isfinite(contribution):
            site = getattr(node, "_site", None) or "a line run outside detect_anomaly"
            raise FloatingPointError(
                f"detect_anomaly: backward of {node.op} sent {contribution!r} to its input "
                f"{index} (value {parent.data!r}); the op's inputs were "
                f"({_inputs(node)}), its output {node.data!r}, the "
                f"upstream gradient {node.grad!r}; the op was created at {site}"
            )
