"""detect_anomaly: stop at the first op that makes a nan or inf, and name the user's line.

Off by default; when off, it costs the node factory nothing beyond its one mode check.
When on, every new node remembers the innermost line of user code (outside every package
registered with `register_library`: autograd itself, and nn, which registers itself) that
created it, so a bad gradient found later in backward can still point at the line that
built the op.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from .grad_mode import FlagSetter

if TYPE_CHECKING:
    from .value import Value

# folders (each ending in a separator) whose frames are library code, not the user's line
_library_dirs: tuple[str, ...] = ()


def register_library(package: str | os.PathLike[str]) -> None:
    """Count the frames of `package` as library code: detect_anomaly then names the innermost
    line outside it. `package` is an imported package's name (a library built on autograd
    calls register_library(__name__) in its __init__) or a folder. Registering twice is a no-op.

    Raises:
        ValueError: `package` is neither an imported package nor an existing folder.
    """
    global _library_dirs
    module = sys.modules.get(package) if isinstance(package, str) else None
    if module is not None:
        paths = list(getattr(module, "__path__", []))
        if not paths:
            raise ValueError(
                f"register_library() expects a package (a folder of modules); {package!r} is a "
                f"single module"
            )
    elif os.path.isdir(package):
        paths = [os.fspath(package)]
    else:
        raise ValueError(
            f"register_library() expects the name of an imported package or a folder, got "
            f"{package!r}"
        )
    folders = [os.path.join(os.path.abspath(path), "") for path in paths]
    _library_dirs = _library_dirs + tuple(f for f in folders if f not in _library_dirs)


register_library(os.path.dirname(os.path.abspath(__file__)))  # autograd itself


class detect_anomaly(FlagSetter):
    """Context manager and decorator, per thread: raise FloatingPointError at the first
    op whose result (forward) or gradient contribution (backward) is nan or inf."""

    flag, value = "anomaly", True


def user_site() -> str:
    """'file:line' of the innermost frame outside chainrule's own packages."""
    frame: FrameType | None = sys._getframe(1)
    library = _library_dirs
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(library):
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
