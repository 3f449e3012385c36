"""The benchmark's shared pieces: the initial weights, and micrograd's MLP for any engine.

Every engine starts from the same weights and data, so their losses agree and the times
compare the same work.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

Weights = list[list[tuple[list[float], float]]]  # [layer][neuron] = (weights, bias)


def init_weights(nin: int, nouts: Sequence[int], seed: int = 0) -> Weights:
    """micrograd's initialisation: weights uniform in [-1, 1], biases 0."""
    rng = random.Random(seed)
    sizes = [nin, *nouts]
    return [
        [([rng.uniform(-1.0, 1.0) for _ in range(fan_in)], 0.0) for _ in range(fan_out)]
        for fan_in, fan_out in zip(sizes, sizes[1:])
    ]


class OpsMLP:
    """micrograd's MLP op for op, over any scalar type with `+`, `*` and `.relu()`.

    A neuron is sum(w_i * x_i) + b from binary ops: 2n nodes for n inputs.
    """

    def __init__(self, weights: Weights, make: Callable[[float], Any]) -> None:
        self.layers = [[([make(w) for w in ws], make(b)) for ws, b in layer] for layer in weights]

    def __call__(self, x: Sequence[Any]) -> Any:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            outs = []
            for ws, b in layer:
                act = sum((wi * xi for wi, xi in zip(ws, x)), b)
                outs.append(act if i == last else act.relu())
            x = outs
        return x[0]

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for ws, b in layer for p in (*ws, b)]
