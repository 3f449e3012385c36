"""The pure-Python baseline: plain floats, backward derived by hand, no graph.

It does the same arithmetic as the engines on each task, so the ratio "engine time /
handwritten time" is the price of automatic differentiation in pure Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from operator import add, mul

Layer = tuple[list[list[float]], list[float]]  # (weights: one row per neuron, biases)


def mlp_step(
    layers: list[Layer], X: Sequence[Sequence[float]], Y: Sequence[float], lr: float, alpha: float
) -> float:
    """One SGD step of an MLP (ReLU hidden layers, linear output) on the loss
    mean(relu(1 - y s)) + alpha * sum(p^2); updates `layers` in place, returns the loss."""
    n, last = len(X), len(layers) - 1
    grad_w = [[[0.0] * len(row) for row in W] for W, _ in layers]
    grad_b = [[0.0] * len(B) for _, B in layers]
    columns = [[list(col) for col in zip(*W)] for W, _ in layers]  # W transposed, for dL/dx
    data_loss = 0.0
    for x, y in zip(X, Y):
        # forward, keeping every layer's output for the backward pass
        acts = [x]
        for i, (W, B) in enumerate(layers):
            z = [sum(map(mul, row, x), 0.0) + b for row, b in zip(W, B)]
            x = z if i == last else [v if v > 0.0 else 0.0 for v in z]
            acts.append(x)
        margin = 1.0 - y * x[0]
        data_loss += margin if margin > 0.0 else 0.0
        # backward: d loss / d score, then layer by layer towards the input
        delta = [-y / n if margin > 0.0 else 0.0]
        for i in range(last, -1, -1):
            a_in, gw = acts[i], grad_w[i]
            for j, d in enumerate(delta):
                gw[j] = [g + d * a for g, a in zip(gw[j], a_in)]
            grad_b[i] = list(map(add, grad_b[i], delta))
            if i:  # through W to the previous layer's output, then through its ReLU
                back = [sum(map(mul, col, delta), 0.0) for col in columns[i]]
                delta = [g if a > 0.0 else 0.0 for g, a in zip(back, a_in)]
    # L2 penalty and the SGD update, parameter by parameter
    square_sum = 0.0
    for (W, B), gW, gB in zip(layers, grad_w, grad_b):
        for row, grow in zip(W, gW):
            square_sum += sum(map(mul, row, row), 0.0)
            row[:] = [p - lr * (g + 2.0 * alpha * p) for p, g in zip(row, grow)]
        square_sum += sum(map(mul, B, B), 0.0)
        B[:] = [p - lr * (g + 2.0 * alpha * p) for p, g in zip(B, gB)]
    return data_loss / n + alpha * square_sum


def chain(n: int, x: float = 0.5, w: float = 0.9, c: float = 0.3) -> tuple[float, float, float]:
    """n mixed ops, repeating x -> exp(tanh(x * w + c)), forward then backward.

    Returns (output, d output / d x, d output / d w).
    """
    saved: list[tuple[float, float, float]] = []
    for _ in range(n // 4):
        t = math.tanh(x * w + c)
        e = math.exp(t)
        saved.append((x, t, e))
        x = e
    g, g_w = 1.0, 0.0
    for x_in, t, e in reversed(saved):
        g = g * e  # exp: d/dt = e^t
        g = g * (1.0 - t * t)  # tanh: d/du = 1 - tanh(u)^2; + c passes g through
        g_w += g * x_in  # x * w: d/dw = x, d/dx = w
        g = g * w
    return x, g, g_w


class _Link:
    """One op of linked_chain: its value, its derivative with respect to the op's input
    along the chain, and the link before it."""

    __slots__ = ("value", "local", "prev")

    def __init__(self, value: float, local: float, prev: _Link | None) -> None:
        self.value, self.local, self.prev = value, local, prev


def linked_chain(
    n: int, x: float = 0.5, w: float = 0.9, c: float = 0.3
) -> tuple[float, float, float]:
    """chain() keeping a graph: one three-slot object per op, walked back for the gradient.

    The least a pure-Python graph can hold per op, so its cost as n grows is what CPython
    itself charges for n live objects (allocation, page faults, cyclic collections), with
    no engine around it. Returns what chain() returns.
    """
    x0, link = x, None
    for _ in range(n // 4):
        link = _Link(link.value * w if link else x0 * w, w, link)  # x * w: d/dx = w
        link = _Link(link.value + c, 1.0, link)
        t = math.tanh(link.value)
        link = _Link(t, 1.0 - t * t, link)
        e = math.exp(t)
        link = _Link(e, e, link)
    out, g, g_w, k = link.value, 1.0, 0.0, 0
    while link is not None:
        if k % 4 == 3:  # an x * w link: d/dw = its input x
            g_w += g * (link.prev.value if link.prev is not None else x0)
        g *= link.local
        link, k = link.prev, k + 1
    return out, g, g_w
