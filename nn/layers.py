"""Neuron, Layer and MLP: micrograd's networks on chainrule's fused dot node.

A neuron is act(w . x + b): one `dot` node plus one activation node (none for "linear").
Parameter order, which optimizers and state_dict rely on: layer by layer, neuron by
neuron, each neuron's weights then its bias.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

from autograd import Value, dot, dots

from .module import Layered, Module, one_or_many, state_fields, state_list, state_number

Seed = int | random.Random | None
Input = Sequence[Value | float]

# the activation's Value method, or None for "linear" (the dot node is the output)
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
}


def _check_activation(activation: object) -> None:
    if activation not in ACTIVATIONS:
        valid = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"unknown activation {activation!r}; valid activations are {valid}")


def check_size(name: str, n: object) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"{name} must be a positive int, got {type(n).__name__} {n!r}")
    if n < 1:
        raise ValueError(f"{name} must be a positive int, got {n}")


def seeded_rng(seed: Seed) -> random.Random:
    """A private generator: the same int seed gives the same weights; the global RNG is never
    used."""
    return seed if isinstance(seed, random.Random) else random.Random(seed)


def _activation_config(module: Module) -> dict[str, Any]:
    """What a saved file must match besides shapes: the activation (Module._config)."""
    return {"activation": module.activation}  # type: ignore[attr-defined]


def _as_list(x: Input, nin: int, who: str) -> list:
    """The input as a list of nin items, listed once so every neuron can read it."""
    if type(x) is not list:
        if isinstance(x, (Value, int, float)):
            raise TypeError(
                f"{who} expects a list of {nin} numbers or Values, got a single {type(x).__name__}"
            )
        x = list(x)
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")
    return x


class Neuron(Module):
    """One unit: act(w . x + b), with weights w (a list of Values) and bias b (a Value).

    Weights start uniform in [-1/sqrt(nin), 1/sqrt(nin)] and the bias at 0, so a unit's
    pre-activation stays of order one whatever its fan-in (micrograd uses [-1, 1]).
    """

    def __init__(self, nin: int, activation: str = "relu", seed: Seed = None) -> None:
        check_size("nin", nin)
        _check_activation(activation)
        rng = seeded_rng(seed)
        bound = 1.0 / math.sqrt(nin)
        self.nin = nin
        self.activation = activation
        # labelled so that a drawn graph names each parameter
        self.w = [Value(rng.uniform(-bound, bound), label=f"w{i}") for i in range(1, nin + 1)]
        self.b = Value(0.0, label="b")

    def __call__(self, x: Input) -> Value:
        out = dot(self.w, x, self.b)  # one fused node; plain numbers in x stay constants
        act = ACTIVATIONS[self.activation]
        return out if act is None else act(out)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def state_dict(self) -> dict[str, Any]:
        """{"w": [nin floats], "b": float}."""
        return {"w": [p.data for p in self.w], "b": self.b.data}

    def _parse_state(self, state: Any, where: str) -> list[float]:
        w, b = state_fields(state, ["w", "b"], where)
        w = state_list(w, where + "w")
        if len(w) != self.nin:
            raise ValueError(
                f"{where or 'the neuron'} expects {self.nin} weights, but found {len(w)}"
            )
        floats = [state_number(x, f"{where}w[{i}]") for i, x in enumerate(w)]
        return floats + [state_number(b, where + "b")]

    _config = _activation_config

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})  [{self.nin + 1} parameters]"


class Layer(Module):
    """nout neurons reading the same nin inputs; returns a Value when nout is 1, else a list."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", seed: Seed = None) -> None:
        check_size("nin", nin)
        check_size("nout", nout)
        _check_activation(activation)
        rng = seeded_rng(seed)
        self.nin, self.nout, self.activation = nin, nout, activation
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def __call__(self, x: Input) -> Value | list[Value]:
        return one_or_many(self._forward(_as_list(x, self.nin, "Layer")))

    def _forward(self, x: list) -> list[Value]:
        """Each neuron's act(w . x + b), with x read once for the whole layer."""
        out = dots([n.w for n in self.neurons], x, [n.b for n in self.neurons])
        act = ACTIVATIONS[self.activation]
        return out if act is None else [act(v) for v in out]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def state_dict(self) -> dict[str, Any]:
        """{"w": nout rows of nin floats, "b": nout floats}: row i is neuron i."""
        return {
            "w": [[p.data for p in n.w] for n in self.neurons],
            "b": [n.b.data for n in self.neurons],
        }

    def _parse_state(self, state: Any, where: str) -> list[float]:
        w, b = state_fields(state, ["w", "b"], where)
        name = where.rstrip(".") or "the layer"
        rows = state_list(w, where + "w")
        cols = {len(r) for r in rows if isinstance(r, list)}
        if len(rows) != self.nout or cols != {self.nin}:
            found = f"{len(rows)}x{cols.pop()}" if len(cols) == 1 else f"{len(rows)} rows"
            raise ValueError(
                f"{name} expects {self.nout}x{self.nin} weights "
                f"({self.nout} neurons x {self.nin} inputs), "
                f"but found {found}"
            )
        b = state_list(b, where + "b")
        if len(b) != self.nout:
            raise ValueError(f"{name} expects {self.nout} biases, but found {len(b)}")
        floats: list[float] = []
        for i, row in enumerate(rows):
            floats += [state_number(x, f"{where}w[{i}][{j}]") for j, x in enumerate(row)]
            floats.append(state_number(b[i], f"{where}b[{i}]"))
        return floats

    _config = _activation_config

    def __repr__(self) -> str:
        count = self.nout * (self.nin + 1)
        return (
            f"Layer({self.nin}, {self.nout}, activation={self.activation!r})  [{count} parameters]"
        )


class MLP(Layered):
    """A multilayer perceptron: Layers of sizes nouts, `activation` in the hidden ones, the
    last linear.

    MLP(2, [16, 16, 1]) maps 2 inputs to one score: call it with a list of 2 numbers or Values.
    """

    def __init__(
        self, nin: int, nouts: Sequence[int], activation: str = "relu", seed: Seed = None
    ) -> None:
        check_size("nin", nin)
        if isinstance(nouts, int) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise ValueError(
                f"nouts must be a non-empty list of layer sizes such as [16, 16, 1], got {nouts!r}"
            )
        for i, n in enumerate(nouts):
            check_size(f"nouts[{i}]", n)
        _check_activation(activation)
        rng = seeded_rng(seed)
        self.nin, self.nouts, self.activation = nin, list(nouts), activation
        sizes = [nin] + self.nouts
        last = len(self.nouts) - 1
        self.layers: list[Layer] = [
            Layer(sizes[i], sizes[i + 1], "linear" if i == last else activation, rng)
            for i in range(len(self.nouts))
        ]

    def __call__(self, x: Input) -> Value | list[Value]:
        x = _as_list(x, self.nin, "MLP")
        for layer in self.layers:
            x = layer._forward(x)  # lists all the way through: a one-wide hidden layer works
        return one_or_many(x)

    _config = _activation_config

    def __repr__(self) -> str:
        head = (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r})  "
            f"[{self.num_parameters()} parameters]"
        )
        return "\n".join(
            [head] + [f"  layers[{i}]: {layer!r}" for i, layer in enumerate(self.layers)]
        )
