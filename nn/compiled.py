"""fit(..., compile=True): each training step as generated code (autograd.compile_graph).

The step's graph (the model on a batch, the loss, the l2 term) is traced once per batch
size, with the parameters, the batch's inputs and its targets all as inputs of the
generated code, so one compiled step serves every batch of that size. Its gradients and
loss equal those of the traced step (forward, backward) exactly; fit's History is the same.

The graph is frozen at trace time (see autograd.compile): a loss whose graph depends on
the predictions' values (bce_with_logits and binary_cross_entropy branch on them,
cross_entropy shifts by their max) cannot be compiled and is refused. A loss function of
your own is traced with Values as targets; if it reads them as numbers (float(t)), the
step is traced again for each new set of targets instead, which is correct but slower.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd import Compiled, Value, compile_graph, dot, topological_order

FROZEN_BY_PREDICTIONS = ("bce_with_logits", "binary_cross_entropy", "cross_entropy")


def check_loss(loss: Any) -> None:
    """Refuse a loss whose graph changes with the predictions: compiled, it would be wrong."""
    if isinstance(loss, str) and loss in FROZEN_BY_PREDICTIONS:
        raise ValueError(
            f"fit(compile=True) cannot compile loss={loss!r}: its graph depends on "
            f"the predictions' values (it branches on them), so a step traced once "
            f"would be wrong later; use compile=False, or mse, sse or hinge"
        )


def _as_values(target: Any) -> Any:
    """A target (a number, or a row of numbers) as Values: inputs of the compiled step."""
    if isinstance(target, (list, tuple)):
        return [Value(t) for t in target]
    return Value(target)


def _flat(xs: Sequence[Any]) -> list[Any]:
    return [v for x in xs for v in (x if isinstance(x, list) else [x])]


def _key(targets: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(tuple(t) if isinstance(t, list) else t for t in targets)


class CompiledSteps:
    """fit's step for a batch: (predictions as floats, objective) after setting each
    parameter's .grad, as backward() would after zero_grad()."""

    def __init__(
        self, model: Any, X: list[list], targets: list, task: Any, params: list[Value], l2: float
    ) -> None:
        self.model, self.targets, self.task = model, targets, task
        self.X = [[float(v) for v in x] for x in X]
        self.params, self.l2 = params, l2
        self.steps: dict[Any, tuple[Compiled, list[Any], bool]] = {}

    def _trace(self, batch: list[int]) -> tuple[Compiled, list[Any], bool]:
        """Trace the step on this batch: (code, each prediction's shape, whether the
        targets are inputs of the code or were read as numbers by the loss)."""
        xs = [[Value(v) for v in self.X[i]] for i in batch]
        preds = [self.model(x) for x in xs]
        numbers = [self.targets[i] for i in batch]
        targets = [_as_values(t) for t in self.task.prepare(preds, numbers)]
        objective = self.task.fn(preds, targets)
        if self.l2:
            objective = objective + self.l2 * dot(self.params, self.params)
        graph = set(topological_order(objective))
        as_inputs = all(t in graph for t in _flat(targets))
        data = _flat(xs) + (_flat(targets) if as_inputs else [])
        shapes = [len(p) if isinstance(p, list) else None for p in preds]
        code = compile_graph(
            objective, self.params, data=data, extras=_flat(preds), title="training step"
        )
        return code, shapes, as_inputs

    def __call__(self, batch: list[int]) -> tuple[list[Any], float]:
        targets = [self.targets[i] for i in batch]
        entry = self.steps.get(len(batch))
        if entry is not None and not entry[2]:  # the loss reads targets as numbers
            entry = self.steps.get((len(batch), _key(targets)))
        if entry is None:
            entry = self._trace(batch)
            self.steps.setdefault(len(batch), entry)
            if not entry[2]:
                self.steps[(len(batch), _key(targets))] = entry
        code, shapes, as_inputs = entry
        inputs = [p.data for p in self.params] + [v for i in batch for v in self.X[i]]
        if as_inputs:
            inputs += [float(t) for t in _flat(self.task.prepare(_placeholders(shapes), targets))]
        value, grads, flat_preds = code.function(*inputs)
        for p, g in zip(self.params, grads):
            p.grad = g
        return _shaped(flat_preds, shapes), value


def _placeholders(shapes: list[Any]) -> list[Any]:
    """Predictions of the right shapes for task.prepare, which reads only their shape."""
    return [0.0 if k is None else [0.0] * k for k in shapes]


def _shaped(flat: list[float], shapes: list[Any]) -> list[Any]:
    out: list[Any] = []
    k = 0
    for n in shapes:
        if n is None:
            out.append(flat[k])
            k += 1
        else:
            out.append(flat[k : k + n])
            k += n
    return out


StepFn = Callable[[list[int]], tuple[list[Any], float]]
