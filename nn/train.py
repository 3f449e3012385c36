"""fit: the training loop (forward, loss, backward, step), with a tqdm progress bar, and the
History it returns. Losses live in losses.py, optimizers in optim.py.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from autograd import Value, dot, no_grad

from . import losses
from .compiled import CompiledSteps, check_loss
from .module import Module
from .optim import SGD

LossFn = Callable[[Any, Any], Value]


@dataclass
class History:
    """Per-epoch averages from fit(): loss (the objective minimised, l2 term included) and
    accuracy (fraction right, from the predictions made during the epoch; nan for regression);
    with a validation split, val_loss and val_accuracy on the held-out samples after the epoch."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(epochs=0)"
        val = (
            f", val_loss={self.val_loss[-1]:.4g}, val_accuracy={self.val_accuracy[-1]:.2f}"
            if self.val_loss
            else ""
        )
        return (
            f"History(epochs={len(self.loss)}, loss={self.loss[-1]:.4g}, "
            f"accuracy={self.accuracy[-1]:.2f}{val})"
        )


# --- how each loss reads the labels and judges a prediction ---------------------------


def _signed(y: Sequence) -> list[float]:
    """Two-class labels as -1/+1 (hinge): 0/1 map to -1/+1, -1/+1 stay."""
    labels = set(y)
    if not labels <= {0, 1} and not labels <= {-1, 1}:
        raise ValueError(
            f"hinge needs two classes labelled 0/1 or -1/+1, got labels {sorted(labels)[:10]}; "
            f"for more classes use loss='cross_entropy'"
        )
    return [1.0 if label == 1 else -1.0 for label in y]


def _binary(y: Sequence) -> list[float]:
    """Two-class labels as 0/1 (cross-entropy on one output): -1/+1 map to 0/1."""
    labels = set(y)
    if labels <= {-1, 1} and -1 in labels:
        return [1.0 if label == 1 else 0.0 for label in y]
    for label in y:
        if not 0.0 <= label <= 1.0:
            raise ValueError(f"binary cross-entropy needs targets in [0, 1], got {label!r}")
    return [float(label) for label in y]


def _sides(score_cut: float, target_cut: float) -> Callable[[Any, float], bool]:
    """Right when the score is above score_cut exactly when the target is above target_cut."""
    return lambda pred, target: (float(pred) > score_cut) == (target > target_cut)


def argmax(pred: Any) -> int:
    """The index of the largest of a model's outputs (a list of Values or numbers; a single
    output is index 0): the predicted class. The first wins a tie, as torch.argmax."""
    scores = [float(s) for s in pred] if isinstance(pred, list) else [float(pred)]
    return max(range(len(scores)), key=scores.__getitem__)


def _nearest_label(labels: list[float]) -> Callable[[Any, Any], bool]:
    """For mse, sse or a custom loss on class labels: a scalar prediction counts as the
    nearest label (for 0/1 labels: above 0.5); several outputs count as their argmax."""

    def correct(pred: Any, target: Any) -> bool:
        if isinstance(pred, list):
            truth = target if isinstance(target, numbers.Integral) else argmax(target)
            return argmax(pred) == truth
        p = float(pred)
        return min(labels, key=lambda label: abs(p - label)) == target

    return correct


def _one_output(preds: list, targets: list) -> list:
    """Binary losses read one score per sample: say so when the model returns several."""
    if isinstance(preds[0], list):
        raise ValueError(
            f"this loss needs a model with one output, but the model returns {len(preds[0])}; "
            f"use loss='cross_entropy' (or 'mse') for several outputs"
        )
    return targets


def _one_hot_if_needed(preds: list, targets: list) -> list:
    """mse/sse on a multi-output model with class-index labels: compare with one-hot rows."""
    if isinstance(preds[0], list) and isinstance(targets[0], numbers.Integral):
        k = len(preds[0])
        return [[1.0 if j == t else 0.0 for j in range(k)] for t in targets]
    return targets


def _as_given(preds: list, targets: list) -> list:
    return targets


class _Task(NamedTuple):
    """How fit reads a loss: the function, the labels as it wants them, the batch targets
    from (preds, labels), and when a prediction is right (None: accuracy is nan)."""

    fn: LossFn
    targets: list
    prepare: Callable[[list, list], list]
    correct: Callable[[Any, Any], bool] | None


NAMES = ("mse", "sse", "hinge", "bce_with_logits", "binary_cross_entropy", "cross_entropy")


def _task(loss: str | LossFn, y: Sequence) -> _Task:
    if loss == "hinge":  # the sign of the score against the -1/+1 label
        return _Task(losses.hinge, _signed(y), _one_output, _sides(0.0, 0.0))
    if loss == "bce_with_logits":  # a logit above 0 is a probability above 1/2
        return _Task(losses.bce_with_logits, _binary(y), _one_output, _sides(0.0, 0.5))
    if loss == "binary_cross_entropy":
        return _Task(losses.binary_cross_entropy, _binary(y), _one_output, _sides(0.5, 0.5))
    if loss == "cross_entropy":
        return _Task(
            losses.cross_entropy, list(y), _as_given, lambda pred, target: argmax(pred) == target
        )
    if loss in ("mse", "sse"):
        fn, prepare = getattr(losses, loss), _one_hot_if_needed
    elif callable(loss):
        fn, prepare = loss, _as_given
    else:
        raise ValueError(
            f"unknown loss {loss!r}; valid names are {', '.join(NAMES)}, or pass a function"
        )
    labels = list(y)
    if all(isinstance(t, numbers.Real) and float(t).is_integer() for t in labels):
        return _Task(fn, labels, prepare, _nearest_label(sorted(set(labels))))
    return _Task(fn, labels, prepare, None)  # regression targets: no accuracy


def fit(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence,
    loss: str | LossFn = "hinge",
    optimizer: Any = None,
    epochs: int = 100,
    batch_size: int | None = None,
    quiet: bool = False,
    seed: int | None = None,
    l2: float = 0.0,
    validation_split: float = 0.0,
    scheduler: Any = None,
    compile: bool = False,
) -> History:
    """Train `model` on (X, y) and return its History of loss and accuracy, one entry per epoch.

    Each step: forward a batch, loss (+ l2 * sum of squared parameters), zero_grad, backward,
    optimizer.step(). `loss` is a name from nn.losses or a function(preds, targets) -> Value.
    The default optimizer is SGD(lr=0.1). batch_size=None trains on the full batch; with a
    batch size, the samples are reshuffled each epoch by random.Random(seed). Labels are class
    indices; fit maps 0/1 to -1/+1 for hinge (and -1/+1 to 0/1 for the binary cross-entropies).
    compile=True runs each step as code generated once per batch size (nn/compiled.py):
    the same History, faster; for mse, sse, hinge or a loss function of your own.

    X may hold vectors or images ([C][H][W] nested lists) for nn.Sequential models.

    validation_split holds out the last fraction of the samples, as Keras does (before any
    shuffling), and scores them after each epoch without building a graph. A scheduler (such
    as nn.optim.LambdaLR) is stepped after every optimizer step, as Keras's decay counts batches.
    """
    n = len(X)
    if n == 0 or n != len(y):
        raise ValueError(
            f"fit() needs as many labels as samples and at least one sample; got {n} and {len(y)}"
        )
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be an int >= 0, got {epochs!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
    ):
        raise ValueError(
            f"batch_size must be a positive int or None (full batch), got {batch_size!r}"
        )
    if not l2 >= 0.0:
        raise ValueError(f"l2 must be >= 0, got {l2!r}")
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(f"validation_split must be in [0, 1), got {validation_split!r}")
    n_train = int(n * (1.0 - validation_split))  # Keras's split point
    if validation_split and not 0 < n_train < n:
        raise ValueError(
            f"validation_split={validation_split} leaves {n_train} of {n} samples for "
            f"training; both parts need at least one"
        )
    if compile:
        check_loss(loss)
    task = _task(loss, y)
    targets, correct = task.targets, task.correct
    params = model.parameters()
    if optimizer is None:
        optimizer = SGD(params, lr=0.1)
    rows: list[list[Any]] = [list(x) for x in X]
    size = batch_size or n_train
    rng = random.Random(seed)
    order = list(range(n_train))
    history = History()
    steps = CompiledSteps(model, rows, targets, task, params, l2) if compile else None

    bar = _progress_bar(epochs, quiet)
    for _ in bar:
        if batch_size is not None:
            rng.shuffle(order)
        total, right = 0.0, 0
        for start in range(0, n_train, size):
            batch = order[start : start + size]
            objective: Any
            if steps is not None:  # compile=True: the generated code sets each .grad
                preds, objective = steps(batch)
            else:
                preds = [model(rows[i]) for i in batch]
                objective = task.fn(preds, task.prepare(preds, [targets[i] for i in batch]))
                if l2:
                    objective = objective + l2 * dot(params, params)  # l2 * sum p^2 as one node
                optimizer.zero_grad()
                objective.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total += float(objective) * len(batch)
            if correct is not None:
                right += sum(correct(p, targets[i]) for p, i in zip(preds, batch))
        history.loss.append(total / n_train)
        history.accuracy.append(right / n_train if correct is not None else math.nan)
        shown = {"loss": f"{history.loss[-1]:.4f}", "acc": f"{history.accuracy[-1]:.2f}"}
        if n_train < n:
            val_loss, val_accuracy = _evaluate(model, rows, task, range(n_train, n), params, l2)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
            shown.update(val_loss=f"{val_loss:.4f}", val_acc=f"{val_accuracy:.2f}")
        bar.set_postfix(shown, refresh=False)  # a dict keeps loss first; keywords would be sorted
    bar.close()
    return history


def _evaluate(
    model: Module, X: list, task: _Task, held_out: range, params: list, l2: float
) -> tuple:
    """(loss, accuracy) on the held-out samples, under no_grad: no graph is kept."""
    with no_grad():
        preds = [model(X[i]) for i in held_out]
        objective = task.fn(preds, task.prepare(preds, [task.targets[i] for i in held_out]))
        if l2:
            objective = objective + l2 * dot(params, params)
    if task.correct is None:
        return float(objective), math.nan
    right = sum(task.correct(p, task.targets[i]) for p, i in zip(preds, held_out))
    return float(objective), right / len(held_out)


def _progress_bar(epochs: int, quiet: bool) -> Any:
    """tqdm over the epochs: a widget in Jupyter when ipywidgets is there, else a text bar.

    Imported lazily so `import nn` stays fast; without ipywidgets, tqdm.auto would warn in
    every notebook and fall back to the text bar anyway, so go there directly.
    """
    import importlib.util

    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import trange
    else:
        from tqdm import trange
    return trange(epochs, disable=quiet, desc="fit", unit="epoch")
