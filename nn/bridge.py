"""to_torch / from_torch: the same model, with the same weights, in PyTorch (float64) and back.

For a model that outgrows a scalar engine: it continues in PyTorch, batched, on GPUs.
PyTorch is imported only inside these functions, and is never a dependency of chainrule.
"""

from __future__ import annotations

from typing import Any

from autograd import Value

from .images import Conv2d, MaxPool2d
from .layers import MLP, Layer, Neuron
from .module import Module
from .sequential import Flatten, Linear, ReLU, Sequential, Sigmoid, Stage, Tanh

SUPPORTED = "Sequential, Linear, Conv2d, MaxPool2d, ReLU, Tanh, Sigmoid, Flatten"
_ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


def _import_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            "nn.to_torch / nn.from_torch need PyTorch, which chainrule does not install; "
            "install it with: pip install torch"
        ) from None
    return torch


def _copy_in(tensor: Any, values: list[list[Value]], torch: Any) -> None:
    """Write rows of Values into a torch parameter of the same number of elements."""
    flat = [v.data for row in values for v in row]
    with torch.no_grad():
        tensor.copy_(torch.tensor(flat, dtype=torch.float64).reshape(tensor.shape))


def to_torch(module: Module) -> Any:
    """An equivalent torch.nn.Module in float64 with copies of the weights.

    MLP, Layer and Neuron become Sequentials of Linear and activations. The result takes
    batches, as PyTorch layers do: [N, features] or [N, C, H, W].
    """
    torch = _import_torch()
    tnn = torch.nn
    if isinstance(module, Sequential):
        return tnn.Sequential(*[to_torch(m) for m in module.layers])
    if isinstance(module, (MLP, Layer, Neuron)):
        return tnn.Sequential(*[to_torch(m) for m in _as_stages(module)])
    if isinstance(module, Linear):
        out = tnn.Linear(module.nin, module.nout, dtype=torch.float64)
        _copy_in(out.weight, module.weight, torch)
        _copy_in(out.bias, [module.bias], torch)
        return out
    if isinstance(module, Conv2d):
        out = tnn.Conv2d(
            module.in_channels,
            module.out_channels,
            module.kernel_size,
            stride=module.stride,
            padding=module.padding,
            dtype=torch.float64,
        )
        _copy_in(out.weight, module.weight, torch)
        _copy_in(out.bias, [module.bias], torch)
        return out
    if isinstance(module, MaxPool2d):
        return tnn.MaxPool2d(module.kernel_size, stride=module.stride)
    for ours, theirs in (
        (ReLU, tnn.ReLU),
        (Tanh, tnn.Tanh),
        (Sigmoid, tnn.Sigmoid),
        (Flatten, tnn.Flatten),
    ):
        if type(module) is ours:
            return theirs()
    raise TypeError(
        f"to_torch cannot convert {type(module).__name__}; it converts MLP, Layer, Neuron "
        f"and {SUPPORTED}"
    )


def _as_stages(module: Module) -> list[Stage]:
    """An MLP, Layer or Neuron as Linear and activation stages sharing its weight Values."""
    if isinstance(module, MLP):
        return [s for layer in module.layers for s in _as_stages(layer)]
    neurons: list[Neuron] = module.neurons if isinstance(module, Layer) else [module]  # type: ignore
    linear = Linear._of([n.w for n in neurons], [n.b for n in neurons])
    act = _ACTIVATIONS.get(neurons[0].activation)
    return [linear] if act is None else [linear, act()]


def from_torch(torch_module: Any) -> Module:
    """The chainrule module equal to a torch one (Sequential stacks of the layers chainrule has),
    with its weights copied as floats; TypeError naming any module it cannot convert."""
    torch = _import_torch()
    return _from(torch_module, torch, "the model")


def _floats(tensor: Any) -> list[float]:
    return tensor.detach().double().reshape(-1).tolist()


def _rows(flat: list[float], n: int) -> list[list[Value]]:
    size = len(flat) // n
    return [[Value(x) for x in flat[i * size : (i + 1) * size]] for i in range(n)]


def _unsupported(m: Any, where: str, why: str) -> TypeError:
    return TypeError(f"from_torch cannot convert {where} ({m!r}): {why}; it converts {SUPPORTED}")


def _from(m: Any, torch: Any, where: str) -> Module:
    tnn = torch.nn
    if type(m) is tnn.Sequential:
        return Sequential(*[_from(child, torch, f"{where}[{i}]") for i, child in enumerate(m)])
    if type(m) is tnn.Linear:
        if m.bias is None:
            raise _unsupported(m, where, "a Linear without bias")
        biases = [Value(b) for b in _floats(m.bias)]
        return Linear._of(_rows(_floats(m.weight), m.out_features), biases)
    if type(m) is tnn.Conv2d:
        if (
            m.bias is None
            or m.groups != 1
            or tuple(m.dilation) != (1, 1)
            or m.padding_mode != "zeros"
            or isinstance(m.padding, str)
        ):
            raise _unsupported(
                m, where, "only bias=True, groups=1, dilation=1 and numeric zero padding"
            )
        conv = Conv2d(
            m.in_channels, m.out_channels, tuple(m.kernel_size), tuple(m.stride), tuple(m.padding)
        )
        conv.weight = _rows(_floats(m.weight), m.out_channels)
        conv.bias = [Value(b) for b in _floats(m.bias)]
        return conv
    if type(m) is tnn.MaxPool2d:
        if (
            m.padding not in (0, (0, 0))
            or m.dilation not in (1, (1, 1))
            or m.ceil_mode
            or m.return_indices
        ):
            raise _unsupported(
                m, where, "only MaxPool2d without padding, dilation, ceil_mode or indices"
            )
        return MaxPool2d(m.kernel_size, m.stride)
    if type(m) is tnn.Flatten:
        if m.end_dim != -1 or m.start_dim not in (1, -3):
            raise _unsupported(
                m, where, "only Flatten() of whole samples (start_dim=1, end_dim=-1)"
            )
        return Flatten()
    for theirs, ours in ((tnn.ReLU, ReLU), (tnn.Tanh, Tanh), (tnn.Sigmoid, Sigmoid)):
        if type(m) is theirs:
            return ours()
    raise _unsupported(m, where, f"no chainrule layer for {type(m).__name__}")
