"""Plots with matplotlib: a loss curve and a 2-D decision boundary, each returned as a Figure
(optionally written as a PNG). Headless-safe: Figures are made without pyplot, and
matplotlib is imported only when a plot is drawn, so `import nn` stays fast.
"""

from __future__ import annotations

import functools
import io
import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

from autograd import no_grad

from .data import linspace
from .train import argmax

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .module import Module
    from .train import History

PathLike = Union[str, "os.PathLike[str]"]


@functools.cache
def _figure_class() -> type:
    """Figure plus _repr_png_, defined on first use so matplotlib loads only then."""
    from matplotlib.figure import Figure

    class PlotFigure(Figure):
        """A matplotlib Figure that Jupyter shows as a PNG even when pyplot was never imported."""

        def _repr_png_(self) -> bytes:
            buf = io.BytesIO()
            self.savefig(buf, format="png")
            return buf.getvalue()

    return PlotFigure


def _figure(**kwargs: Any) -> Figure:
    """A Figure that never touches pyplot or a GUI backend."""
    return _figure_class()(**kwargs)


def _save(fig: Figure, path: PathLike | None) -> Figure:
    if path is not None:
        fig.savefig(os.fspath(path), format="png")  # Figure.savefig picks the Agg canvas itself
    return fig


def loss_curve(history: History, path: PathLike | None = None) -> Figure:
    """Loss per epoch (log scale when it spans decades), with accuracy on a second axis."""
    loss = list(history.loss)
    if not loss:
        raise ValueError("loss_curve() needs a history with at least one epoch")
    epochs = range(1, len(loss) + 1)
    fig = _figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(epochs, loss, color="tab:blue", label="loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss", color="tab:blue")
    positive = [v for v in loss if v > 0 and math.isfinite(v)]
    if len(positive) == len(loss) and max(positive) / min(positive) > 100:
        ax.set_yscale("log")
    accuracy = list(getattr(history, "accuracy", []))
    if accuracy and not all(math.isnan(a) for a in accuracy):
        acc_ax = ax.twinx()
        acc_ax.plot(epochs, accuracy, color="tab:orange", label="accuracy")
        acc_ax.set_ylabel("accuracy", color="tab:orange")
        acc_ax.set_ylim(-0.02, 1.02)
    ax.set_title("training")
    return _save(fig, path)


def decision_boundary(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    path: PathLike | None = None,
    resolution: int = 50,
    threshold: float = 0.0,
) -> Figure:
    """The model's decision over the plane around X, with the points coloured by label.

    A model with one output is read as a score: shaded by its value, the boundary where it
    crosses `threshold` (0 for hinge and logits, 0.5 for probabilities). A model with several
    outputs is coloured by its argmax. The grid (resolution x resolution points) is evaluated
    under no_grad, so no graph is built.
    """
    if not X or len(X) != len(y):
        raise ValueError(
            f"decision_boundary() needs points and as many labels; got {len(X)} and {len(y)}"
        )
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    gx = _span(min(xs), max(xs), resolution)
    gy = _span(min(ys), max(ys), resolution)
    with no_grad():
        outputs = [[model([a, b]) for a in gx] for b in gy]
    fig = _figure(figsize=(5, 5), layout="constrained")
    ax = fig.add_subplot()
    if isinstance(outputs[0][0], list):  # several outputs: the class is the argmax
        grid = [[argmax(o) for o in row] for row in outputs]
        classes = max(max(max(r) for r in grid), max(y)) + 1
        ax.contourf(
            gx,
            gy,
            grid,
            levels=[k - 0.5 for k in range(classes + 1)],
            cmap="tab10",
            vmin=0,
            vmax=9,
            alpha=0.3,
        )
        ax.scatter(xs, ys, c=list(y), cmap="tab10", vmin=0, vmax=9, edgecolors="k", s=25)
    else:
        grid = [[o.data for o in row] for row in outputs]
        low, high = min(min(r) for r in grid), max(max(r) for r in grid)
        reach = max(abs(low - threshold), abs(high - threshold)) or 1.0
        ax.contourf(
            gx,
            gy,
            grid,
            levels=20,
            cmap="RdBu",
            vmin=threshold - reach,
            vmax=threshold + reach,
            alpha=0.6,
        )
        if low < threshold < high:
            ax.contour(gx, gy, grid, levels=[threshold], colors="k", linewidths=1.5)
        ax.scatter(xs, ys, c=list(y), cmap="RdBu", edgecolors="k", s=25)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title("decision boundary")
    return _save(fig, path)


def _span(low: float, high: float, n: int) -> list[float]:
    """n evenly spaced points over [low, high] widened by a margin, so no point sits on the edge."""
    margin = 0.1 * (high - low) or 1.0
    return linspace(low - margin, high + margin, n)
