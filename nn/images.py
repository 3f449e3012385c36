"""Conv2d and MaxPool2d on images given as nested lists [channels][height][width].

Each convolution output pixel is one fused `dot` node over its receptive field (weights in
PyTorch's [in][kh][kw] order, then the bias), and each pooling window one `max_values` node;
the other stages of a stack live in sequential.py.
"""

from __future__ import annotations

from typing import Any

from autograd import Value, dots, max_values

from .layers import Seed, check_size, seeded_rng
from .module import state_fields
from .sequential import Stage, Tensor, parse_array, shape_of, show_shape, uniform_init

Pair = int | tuple[int, int]


def _pair(name: str, v: Any, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints (height, width), as PyTorch accepts, checked >= minimum."""
    pair = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    if len(pair) != 2 or any(
        isinstance(n, bool) or not isinstance(n, int) or n < minimum for n in pair
    ):
        raise ValueError(f"{name} must be an int >= {minimum} or a pair of them, got {v!r}")
    return pair


def _show(pair: tuple[int, int]) -> str:
    """As PyTorch prints a size: 3 when square, else (3, 2)."""
    return str(pair[0]) if pair[0] == pair[1] else str(pair)


def _image(
    x: Tensor, who: str, channels: Any, kernel: tuple[int, int], pad: tuple[int, int]
) -> list:
    """x as a list of channels of equal-length rows, checked against the layer; ValueError
    naming the layer, the shape it expects and the shape it got."""
    if hasattr(x, "tolist") and not isinstance(x, (list, tuple)):
        x = x.tolist()  # a NumPy array or a tensor of numbers
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"{who} expects an image as nested lists [C][H][W], got {type(x).__name__}")
    shape = shape_of(x)
    want = (
        f"[{channels}][H][W] with H >= {kernel[0] - 2 * pad[0]} and W >= {kernel[1] - 2 * pad[1]}"
    )
    ok = len(shape) == 3 and (channels == "C" or shape[0] == channels)
    ok = ok and shape[1] + 2 * pad[0] >= kernel[0] and shape[2] + 2 * pad[1] >= kernel[1]
    if ok:
        width = shape[2]
        ok = all(isinstance(ch, (list, tuple)) and len(ch) == shape[1] for ch in x) and all(
            isinstance(row, (list, tuple)) and len(row) == width for ch in x for row in ch
        )
        if not ok:
            raise ValueError(
                f"{who} expects an image {want}, got ragged nested lists "
                f"(rows or channels of different lengths)"
            )
    if not ok:
        raise ValueError(f"{who} expects an image {want}, got shape {show_shape(shape)}")
    return x if type(x) is list else list(x)


def _pad(x: list, ph: int, pw: int) -> list:
    """Each channel with ph rows and pw columns of zeros around it (constants, not nodes)."""
    width = len(x[0][0]) + 2 * pw
    edge, side = [[0.0] * width for _ in range(ph)], [0.0] * pw
    return [edge + [side + list(row) + side for row in ch] + edge for ch in x]


class Conv2d(Stage):
    """2-D cross-correlation, as torch.nn.Conv2d: out[o][i][j] = b[o] + sum over c, a, b of
    w[o][c][a][b] * x[c][i*stride + a - padding][j*stride + b - padding]."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Pair,
        stride: Pair = 1,
        padding: Pair = 0,
        seed: Seed = None,
    ) -> None:
        check_size("in_channels", in_channels)
        check_size("out_channels", out_channels)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair("kernel_size", kernel_size)
        self.stride = _pair("stride", stride)
        self.padding = _pair("padding", padding, minimum=0)
        fan_in = in_channels * self.kernel_size[0] * self.kernel_size[1]
        self.weight, self.bias = uniform_init(seeded_rng(seed), fan_in, out_channels, fan_in)

    def _forward(self, x: Tensor) -> list[list[list[Value]]]:
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        x = _image(x, self.name(), self.in_channels, self.kernel_size, self.padding)
        if ph or pw:
            x = _pad(x, ph, pw)
        height, width = len(x[0]), len(x[0][0])
        oh, ow = (height - kh) // sh + 1, (width - kw) // sw + 1
        out: list[list[list[Any]]] = [
            [[None] * ow for _ in range(oh)] for _ in range(self.out_channels)
        ]
        filters, biases = self.weight, self.bias
        for i in range(oh):
            top = i * sh
            band = [
                row for ch in x for row in ch[top : top + kh]
            ]  # channel by channel, kh rows each
            for j in range(ow):
                left = j * sw
                right = left + kw
                field: list = []
                for row in band:
                    field += row[left:right]
                # the receptive field is read once for all the filters: one dot node each
                for o, node in enumerate(dots(filters, field, biases)):
                    out[o][i][j] = node
        return out

    def parameters(self) -> list[Value]:
        return [p for w, b in zip(self.weight, self.bias) for p in (*w, b)]

    def _shape(self) -> list[int]:
        return [self.out_channels, self.in_channels, *self.kernel_size]

    def state_dict(self) -> dict[str, Any]:
        """{"w": [out][in][kh][kw] floats (torch's weight), "b": [out] floats}."""
        _, cin, kh, kw = self._shape()
        w = [
            [
                [[f[(c * kh + a) * kw + b].data for b in range(kw)] for a in range(kh)]
                for c in range(cin)
            ]
            for f in self.weight
        ]
        return {"w": w, "b": [b.data for b in self.bias]}

    def _parse_state(self, state: Any, where: str) -> list[float]:
        w, b = state_fields(state, ["w", "b"], where)
        w = parse_array(w, self._shape(), where + "w")
        b = parse_array(b, [self.out_channels], where + "b")
        n = len(w) // self.out_channels
        return [x for o in range(self.out_channels) for x in (*w[o * n : (o + 1) * n], b[o])]

    def _config(self) -> dict[str, Any]:
        return {
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
            "padding": list(self.padding),
        }

    def __repr__(self) -> str:
        extra = "".join(
            f", {name}={_show(v)}"
            for name, v, default in (
                ("stride", self.stride, (1, 1)),
                ("padding", self.padding, (0, 0)),
            )
            if v != default
        )
        count = len(self.parameters())
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={_show(self.kernel_size)}"
            f"{extra})  [{count} parameters]"
        )


class MaxPool2d(Stage):
    """The largest value of each window, channel by channel, as torch.nn.MaxPool2d; the
    gradient goes to the window's first largest pixel, as PyTorch's."""

    def __init__(self, kernel_size: Pair, stride: Pair | None = None) -> None:
        self.kernel_size = _pair("kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else _pair("stride", stride)

    def _forward(self, x: Tensor) -> list[list[list[Value]]]:
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        x = _image(x, self.name(), "C", self.kernel_size, (0, 0))
        height, width = len(x[0]), len(x[0][0])
        oh, ow = (height - kh) // sh + 1, (width - kw) // sw + 1
        out = []
        for ch in x:
            rows = []
            for i in range(oh):
                band = ch[i * sh : i * sh + kh]
                rows.append(
                    [
                        max_values([v for row in band for v in row[j * sw : j * sw + kw]])
                        for j in range(ow)
                    ]
                )
            out.append(rows)
        return out

    def _config(self) -> dict[str, Any]:
        return {"kernel_size": list(self.kernel_size), "stride": list(self.stride)}

    def __repr__(self) -> str:
        stride = "" if self.stride == self.kernel_size else f", stride={_show(self.stride)}"
        return f"MaxPool2d(kernel_size={_show(self.kernel_size)}{stride})"
