"""PyTorch's building blocks on Values: Linear, ReLU, Tanh, Sigmoid, Flatten and Sequential.

A sample flows through as nested lists (a vector, or an image [C][H][W]); images.py adds
Conv2d and MaxPool2d on the same base, bridge.py converts stacks to and from PyTorch.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Sequence
from typing import Any

from autograd import Value, dots

from .layers import Seed, check_size, seeded_rng
from .module import Layered, Module, one_or_many, state_fields, state_number

Tensor = Any  # a number, a Value, or nested lists of them


def shape_of(x: Any) -> list[int]:
    """The nested-list shape read along first elements: [2][3] for [[1, 2, 3], [4, 5, 6]]."""
    shape: list[int] = []
    while isinstance(x, (list, tuple)):
        shape.append(len(x))
        if not x:
            break
        x = x[0]
    return shape


def show_shape(shape: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in shape) if shape else "a single number"


def parse_array(x: Any, shape: Sequence[int], where: str) -> list[float]:
    """x's floats in row-major order, after checking that x is nested lists of `shape`;
    ValueError naming `where`, the shape expected and the shape found."""
    flat, level = [x], 0
    for n in shape:
        for item in flat:
            if not isinstance(item, list) or len(item) != n:
                found = (
                    show_shape(shape_of(item)) if isinstance(item, list) else type(item).__name__
                )
                raise ValueError(
                    f"{where} should have shape {show_shape(shape)}, found {found} at depth {level}"
                )
        flat = [v for item in flat for v in item]
        level += 1
    return [state_number(v, f"{where}[{i}] (flat)") for i, v in enumerate(flat)]


def uniform_init(rng: Any, fan_in: int, units: int, weights_per_unit: int) -> tuple:
    """PyTorch's default init for Linear and Conv2d (kaiming_uniform with a = sqrt(5)):
    weights and biases uniform in +-1/sqrt(fan_in), drawn unit by unit, weights then bias."""
    bound = 1.0 / math.sqrt(fan_in)
    weight, bias = [], []
    for _ in range(units):
        weight.append([Value(rng.uniform(-bound, bound)) for _ in range(weights_per_unit)])
        bias.append(Value(rng.uniform(-bound, bound)))
    return weight, bias


class Stage(Module):
    """A module of a Sequential stack: `_forward` maps one sample to lists (a vector stays
    a list even when it has one item, so a one-wide layer works); `__call__` adds the rule
    that a single output is returned as a Value (`_finish`)."""

    def __call__(self, x: Tensor) -> Any:
        return self._finish(self._forward(x))

    def _forward(self, x: Tensor) -> Any:
        raise NotImplementedError

    def name(self) -> str:
        """The module as it would be built, for error messages: Conv2d(1, 4, kernel_size=3)."""
        return repr(self).split("  [")[0]

    def _finish(self, out: Any) -> Any:
        return out

    def _config(self) -> dict[str, Any]:
        return {}

    def state_dict(self) -> dict[str, Any]:
        return {}

    def _parse_state(self, state: Any, where: str) -> list[float]:
        state_fields(state, [], where)
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Stage):
    """y = W x + b, as torch.nn.Linear: nout dot nodes reading the nin inputs once."""

    def __init__(self, nin: int, nout: int, seed: Seed = None) -> None:
        check_size("nin", nin)
        check_size("nout", nout)
        self.nin, self.nout = nin, nout
        self.weight, self.bias = uniform_init(seeded_rng(seed), nin, nout, nin)

    def _forward(self, x: Tensor) -> list[Value]:
        if isinstance(x, (Value, numbers.Real)):
            x = [x]
        elif type(x) is not list:
            if isinstance(x, str) or not hasattr(x, "__iter__"):
                raise TypeError(
                    f"{self.name()} expects a list of {self.nin} numbers or Values, "
                    f"got {type(x).__name__}"
                )
            x = list(x)
        if len(x) != self.nin or (x and isinstance(x[0], (list, tuple))):
            raise ValueError(
                f"{self.name()} expects a vector [{self.nin}], got shape {show_shape(shape_of(x))}"
                + ("; put nn.Flatten() before it" if x and isinstance(x[0], list) else "")
            )
        return dots(self.weight, x, self.bias)

    def _finish(self, out: Any) -> Any:
        return one_or_many(out)

    @classmethod
    def _of(cls, weight: list[list[Value]], bias: list[Value]) -> Linear:
        """A Linear over existing Values (rows of weights, one bias per row): the bridge's."""
        layer = cls.__new__(cls)
        layer.nin, layer.nout, layer.weight, layer.bias = len(weight[0]), len(weight), weight, bias
        return layer

    def parameters(self) -> list[Value]:
        return [p for w, b in zip(self.weight, self.bias) for p in (*w, b)]

    def state_dict(self) -> dict[str, Any]:
        """{"w": nout rows of nin floats (torch's weight), "b": nout floats}."""
        return {
            "w": [[p.data for p in row] for row in self.weight],
            "b": [b.data for b in self.bias],
        }

    def _parse_state(self, state: Any, where: str) -> list[float]:
        w, b = state_fields(state, ["w", "b"], where)
        w = parse_array(w, [self.nout, self.nin], where + "w")
        b = parse_array(b, [self.nout], where + "b")
        return [x for i in range(self.nout) for x in (*w[i * self.nin : (i + 1) * self.nin], b[i])]

    def _config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout}

    def __repr__(self) -> str:
        return f"Linear({self.nin}, {self.nout})  [{self.nout * (self.nin + 1)} parameters]"


def _map(f: Any, x: Tensor) -> Any:
    """f on every number of nested lists (numbers become constant Values first)."""
    if isinstance(x, Value):
        return f(x)
    if isinstance(x, numbers.Real):
        return f(Value(x))  # type: ignore[arg-type]
    if x and isinstance(x[0], (Value, numbers.Real)):
        return [f(v if isinstance(v, Value) else Value(v)) for v in x]
    return [_map(f, item) for item in x]  # depth is the image's rank, not the graph's


class ReLU(Stage):
    """max(0, x) on every element, as torch.nn.ReLU."""

    def _forward(self, x: Tensor) -> Any:
        return _map(Value.relu, x)


class Tanh(Stage):
    """tanh on every element, as torch.nn.Tanh."""

    def _forward(self, x: Tensor) -> Any:
        return _map(Value.tanh, x)


class Sigmoid(Stage):
    """1 / (1 + e^-x) on every element, as torch.nn.Sigmoid."""

    def _forward(self, x: Tensor) -> Any:
        return _map(Value.sigmoid, x)


class Flatten(Stage):
    """A sample's elements as one list, channel by channel, row by row (torch.flatten's order)."""

    def _forward(self, x: Tensor) -> list[Any]:
        if isinstance(x, (Value, numbers.Real)):
            return [x]
        flat = list(x)
        while flat and isinstance(flat[0], (list, tuple)):
            flat = [v for item in flat for v in item]
        return flat


class Sequential(Layered, Stage):
    """Modules applied in order, as torch.nn.Sequential; returns what the last one returns."""

    def __init__(self, *modules: Module) -> None:
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(
                    f"Sequential expects chainrule modules (nn.Linear, nn.Conv2d, ...), "
                    f"got {type(m).__name__} at position {i}"
                )
        self.layers: list[Module] = list(modules)

    def _forward(self, x: Tensor) -> Any:
        for m in self.layers:
            if isinstance(m, Stage):
                x = m._forward(x)
            else:  # Neuron, Layer, MLP: a lone Value output continues as a vector of one
                x = m(x)
                x = [x] if isinstance(x, Value) else x
        return x

    def _finish(self, out: Any) -> Any:
        if not self.layers:
            return out
        last = self.layers[-1]
        return last._finish(out) if isinstance(last, Stage) else one_or_many(out)

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def _config(self) -> dict[str, Any]:
        return {"layers": [{"type": type(m).__name__, **m._config()} for m in self.layers]}

    def __repr__(self) -> str:
        head = f"Sequential({len(self.layers)} modules)  [{self.num_parameters()} parameters]"
        lines = [f"  [{i}]: " + repr(m).replace("\n", "\n  ") for i, m in enumerate(self.layers)]
        return "\n".join([head] + lines)
