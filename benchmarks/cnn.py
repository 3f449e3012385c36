"""The CNN task: one SGD step of notebook 09's 8x8 digits model on a batch of 100 digits.

Conv2d(1, 4, 3) tanh -> Conv2d(4, 8, 3) tanh -> MaxPool2d(2) -> Flatten -> Linear(32, 10),
mean cross-entropy, p -= lr * grad. Engines: handwritten floats (the reference), chainrule's
nn.Sequential, PyTorch with one 0-d tensor per scalar, and PyTorch batched (the ceiling).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from operator import mul
from typing import Any

SHAPES = [(1, 4, 3, 8), (4, 8, 3, 6)]  # conv layers: in, out, kernel, input side
BATCH, LR = 100, 0.05
Params = list[tuple[list[list[float]], list[float]]]  # per layer: (one flat row per unit, biases)
Setup = tuple[Params, list, list]


def cnn_setup() -> Setup:
    """PyTorch-style initial weights (uniform in +-1/sqrt(fan_in)) and the first 100 digits."""
    import nn

    rng = random.Random(0)
    params = []
    for fan_in, units in ((9, 4), (36, 8), (32, 10)):
        bound = 1.0 / math.sqrt(fan_in)
        rows = [[rng.uniform(-bound, bound) for _ in range(fan_in)] for _ in range(units)]
        params.append((rows, [rng.uniform(-bound, bound) for _ in range(units)]))
    X, y = nn.data.digits()
    return params, X[:BATCH], y[:BATCH]


def _fields(channels: int, side: int, k: int) -> list[list[int]]:
    """For each output position of a valid k x k convolution, the flat input indices it reads,
    in [channel][row][column] order (the weights' order)."""
    out = side - k + 1
    return [
        [
            c * side * side + (i + a) * side + j + b
            for c in range(channels)
            for a in range(k)
            for b in range(k)
        ]
        for i in range(out)
        for j in range(out)
    ]


FIELDS = [_fields(c, side, k) for c, _, k, side in SHAPES]
WINDOWS = [
    [o * 16 + (2 * i + a) * 4 + 2 * j + b for a in range(2) for b in range(2)]
    for o in range(8)
    for i in range(2)
    for j in range(2)
]  # 2x2 pooling of 8 x 4 x 4


def handwritten_step(params: Params, X: list, Y: list) -> float:
    """The step in plain floats, backward derived by hand; updates params, returns the loss."""
    grads = [([[0.0] * len(r) for r in rows], [0.0] * len(b)) for rows, b in params]
    total, n = 0.0, len(X)
    for image, label in zip(X, Y):
        acts = [[v for row in image[0] for v in row]]
        for (rows, biases), fields in zip(params[:2], FIELDS):  # conv + tanh, output [o][position]
            x = acts[-1]
            acts.append(
                [
                    math.tanh(sum(map(mul, w, [x[k] for k in f]), 0.0) + b)
                    for w, b in zip(rows, biases)
                    for f in fields
                ]
            )
        a2 = acts[-1]
        picks = [max(win, key=a2.__getitem__) for win in WINDOWS]  # first largest, as torch
        flat = [a2[k] for k in picks]
        rows, biases = params[2]
        logits = [sum(map(mul, w, flat), 0.0) + b for w, b in zip(rows, biases)]
        top = max(logits)
        exps = [math.exp(z - top) for z in logits]
        s = sum(exps)
        total += math.log(s) - (logits[label] - top)
        delta = [(e / s - (1.0 if k == label else 0.0)) / n for k, e in enumerate(exps)]
        # backward: linear, pooling, then each conv + tanh towards the image
        g_rows, g_b = grads[2]
        back = [0.0] * len(flat)
        for k, d in enumerate(delta):
            g_rows[k] = [g + d * f for g, f in zip(g_rows[k], flat)]
            g_b[k] += d
            back = [acc + d * w for acc, w in zip(back, rows[k])]
        g_act = [0.0] * len(a2)
        for k, d in zip(picks, back):
            g_act[k] += d
        for layer in (1, 0):
            out, x, fields = acts[layer + 1], acts[layer], FIELDS[layer]
            (rows, _), (g_rows, g_b) = params[layer], grads[layer]
            g_x = [0.0] * len(x)
            positions = len(fields)
            for o, w in enumerate(rows):
                for p, f in enumerate(fields):
                    t = out[o * positions + p]
                    d = g_act[o * positions + p] * (1.0 - t * t)
                    if d == 0.0:
                        continue
                    g_rows[o] = [g + d * x[k] for g, k in zip(g_rows[o], f)]
                    g_b[o] += d
                    if layer:
                        for k, wk in zip(f, w):
                            g_x[k] += d * wk
            g_act = g_x
    for (rows, biases), (g_rows, g_b) in zip(params, grads):
        for row, g_row in zip(rows, g_rows):
            row[:] = [p - LR * g for p, g in zip(row, g_row)]
        biases[:] = [p - LR * g for p, g in zip(biases, g_b)]
    return total / n


def _flat(params: Params) -> list[float]:
    return [p for rows, biases in params for w, b in zip(rows, biases) for p in (*w, b)]


def _model(params: Params) -> Any:
    """Notebook 09's digits model as an nn.Sequential holding these weights."""
    import nn

    model = nn.Sequential(
        nn.Conv2d(1, 4, 3),
        nn.Tanh(),
        nn.Conv2d(4, 8, 3),
        nn.Tanh(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32, 10),
    )
    for p, value in zip(model.parameters(), _flat(params)):
        p.data = value
    return model


def chainrule_step(setup: Setup) -> Callable[[], float]:
    import nn

    params, X, Y = setup
    model = _model(params)
    weights = model.parameters()

    def step() -> float:
        loss = nn.losses.cross_entropy([model(x) for x in X], Y)
        model.zero_grad()
        loss.backward()
        for p in weights:
            p.data -= LR * p.grad
        return loss.data

    return step


def torch_scalar_step(torch: Any, setup: Setup) -> Callable[[], float]:
    """One 0-d tensor per scalar; each output pixel is torch.dot of stacked 0-d tensors,
    the nearest torch has to chainrule's one dot node per pixel."""
    params, X, Y = setup
    make = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)  # noqa: E731
    layers = [
        ([[make(v) for v in w] for w in rows], [make(b) for b in biases]) for rows, biases in params
    ]
    leaves = [p for rows, biases in layers for w, b in zip(rows, biases) for p in (*w, b)]
    images = [[torch.tensor(v, dtype=torch.float64) for row in x[0] for v in row] for x in X]
    F = torch.nn.functional

    def forward(x: list) -> Any:
        for (rows, biases), fields in zip(layers[:2], FIELDS):
            stacked = [torch.stack(w) for w in rows]
            x = [
                torch.tanh(torch.dot(w, torch.stack([x[k] for k in f])) + b)
                for w, b in zip(stacked, biases)
                for f in fields
            ]
        flat = torch.stack([torch.max(torch.stack([x[k] for k in win])) for win in WINDOWS])
        rows, biases = layers[2]
        return torch.stack([torch.dot(torch.stack(w), flat) + b for w, b in zip(rows, biases)])

    def step() -> float:
        loss = sum(F.cross_entropy(forward(x), torch.tensor(y)) for x, y in zip(images, Y)) / len(Y)
        for p in leaves:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in leaves:
                p -= LR * p.grad
        return loss.item()

    return step


def torch_batched_step(torch: Any, setup: Setup) -> Callable[[], float]:
    import nn

    params, X, Y = setup
    tnn = torch.nn
    model = nn.to_torch(_model(params))  # the same model, float64, through the bridge
    images, labels = torch.tensor(X, dtype=torch.float64), torch.tensor(Y)

    def step() -> float:
        loss = tnn.functional.cross_entropy(model(images), labels)
        model.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= LR * p.grad
        return loss.item()

    return step


def builders(load_torch: Callable[[], Any]) -> dict[str, Callable[[int, Setup], tuple]]:
    """tasks.BUILDERS["cnn"]: each engine's (run, label, note); load_torch raises tasks.Missing."""

    def handwritten(size: int, setup: Setup) -> tuple:
        params, X, Y = setup
        return (lambda: handwritten_step(params, X, Y)), "handwritten", ""

    def chainrule(size: int, setup: Setup) -> tuple:
        return chainrule_step(setup), "chainrule nn", ""

    def torch_scalar(size: int, setup: Setup) -> tuple:
        torch = load_torch()
        note = "one 0-d tensor per scalar, a pixel is torch.dot of stacked 0-d tensors"
        return torch_scalar_step(torch, setup), f"pytorch {torch.__version__} 0-d", note

    def torch_batched(size: int, setup: Setup) -> tuple:
        torch = load_torch()
        label = f"pytorch {torch.__version__} batched"
        return torch_batched_step(torch, setup), label, "one thread"

    return {
        "handwritten": handwritten,
        "chainrule nn": chainrule,
        "pytorch": torch_scalar,
        "pytorch batched": torch_batched,
    }
