"""Conv2d, MaxPool2d and a Sequential CNN against torch.nn.functional in float64: every output
and every gradient (weights, biases and input pixels), node counts, parameter order and init.
test_sequential.py covers the other stages, shapes and save/load."""

from __future__ import annotations

import math
import random

import pytest
import torch
import torch.nn.functional as F

import nn
from autograd import Value, dot, topological_order

TOL = 1e-12


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOL, abs_tol=TOL)


def image(c: int, h: int, w: int, seed: int, values=None) -> list:
    rng = random.Random(seed)
    draw = (lambda: rng.choice(values)) if values else (lambda: rng.uniform(-1.0, 1.0))
    return [[[draw() for _ in range(w)] for _ in range(h)] for _ in range(c)]


def as_values(x: list) -> list:
    return [[[Value(v) for v in row] for row in ch] for ch in x]


def flat(x) -> list:
    return nn.Flatten()._forward(x)


def weighted_sum(out: list, seed: int):
    """sum_k r_k out_k with fixed random r: every output reaches the loss with its own weight."""
    values = flat(out)
    rng = random.Random(seed)
    r = [rng.uniform(0.5, 1.5) for _ in values]
    return dot(r, values), torch.tensor(r, dtype=torch.float64)


def assert_all_close(mine: list, theirs: list, what: str) -> None:
    assert len(mine) == len(theirs), f"{what}: {len(mine)} numbers vs torch's {len(theirs)}"
    bad = [(i, a, b) for i, (a, b) in enumerate(zip(mine, theirs)) if not close(a, b)]
    assert not bad, f"{what}: {len(bad)} differ from torch, first (index, ours, torch) {bad[0]}"


CONV_CASES = [  # in, out, kernel, stride, padding, height, width
    (1, 1, 3, 1, 0, 5, 5),
    (2, 3, 3, 1, 0, 6, 7),
    (3, 2, (2, 3), 2, 1, 7, 5),
    (2, 2, 3, (2, 1), (1, 2), 6, 6),
    (1, 2, 1, 1, 0, 3, 4),
    (2, 4, 5, 3, 2, 9, 8),
]


@pytest.mark.parametrize("cin, cout, k, s, p, h, w", CONV_CASES)
def test_conv2d_forward_and_every_gradient_match_torch(cin, cout, k, s, p, h, w):
    conv = nn.Conv2d(cin, cout, k, stride=s, padding=p, seed=1)
    x = as_values(image(cin, h, w, seed=2))
    out = conv(x)
    loss, r = weighted_sum(out, seed=3)
    loss.backward()

    state = conv.state_dict()
    weight = torch.tensor(state["w"], dtype=torch.float64, requires_grad=True)
    bias = torch.tensor(state["b"], dtype=torch.float64, requires_grad=True)
    tx = torch.tensor(
        [[[v.data for v in row] for row in ch] for ch in x], dtype=torch.float64, requires_grad=True
    )
    tout = F.conv2d(tx.unsqueeze(0), weight, bias, stride=s, padding=p)[0]
    (tout.reshape(-1) * r).sum().backward()

    assert [len(out), len(out[0]), len(out[0][0])] == list(tout.shape)
    assert_all_close([v.data for v in flat(out)], tout.reshape(-1).tolist(), "outputs")
    weight_grads = [p.grad for f in conv.weight for p in f]
    assert_all_close(weight_grads, weight.grad.reshape(-1).tolist(), "weight gradients")
    assert_all_close([b.grad for b in conv.bias], bias.grad.tolist(), "bias gradients")
    assert_all_close(
        [v.grad for v in flat(x)], tx.grad.reshape(-1).tolist(), "input pixel gradients"
    )


POOL_CASES = [  # channels, height, width, kernel, stride, pixel values (None: continuous)
    (1, 4, 4, 2, None, None),
    (2, 5, 7, 2, None, None),
    (3, 6, 5, 3, 1, None),
    (2, 7, 6, (2, 3), (1, 2), None),
    (2, 6, 6, 3, 2, [0.0, 1.0, 2.0]),  # ties: the gradient goes to the first largest, as torch
]


@pytest.mark.parametrize("c, h, w, k, s, values", POOL_CASES)
def test_maxpool2d_forward_and_input_gradients_match_torch(c, h, w, k, s, values):
    pool = nn.MaxPool2d(k, stride=s)
    x = as_values(image(c, h, w, seed=4, values=values))
    out = pool(x)
    loss, r = weighted_sum(out, seed=5)
    loss.backward()

    tx = torch.tensor(
        [[[v.data for v in row] for row in ch] for ch in x], dtype=torch.float64, requires_grad=True
    )
    tout = F.max_pool2d(tx.unsqueeze(0), k, stride=s)[0]
    (tout.reshape(-1) * r).sum().backward()
    assert [len(out), len(out[0]), len(out[0][0])] == list(tout.shape)
    assert_all_close([v.data for v in flat(out)], tout.reshape(-1).tolist(), "outputs")
    assert_all_close(
        [v.grad for v in flat(x)], tx.grad.reshape(-1).tolist(), "input pixel gradients"
    )


def test_maxpool_stride_defaults_to_the_kernel_size():
    assert nn.MaxPool2d(3).stride == (3, 3) and nn.MaxPool2d(3, stride=1).stride == (1, 1)


def small_cnn(seed: int = 0) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 3, 3, seed=seed),
        nn.Tanh(),
        nn.Conv2d(3, 4, 3, padding=1, seed=seed + 1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(36, 6, seed=seed + 2),
        nn.Sigmoid(),
        nn.Linear(6, 3, seed=seed + 3),
    )


def torch_copy(model: nn.Sequential) -> torch.nn.Sequential:
    """The same network written in torch by hand, weights copied through state_dict."""
    t = torch.nn.Sequential(
        torch.nn.Conv2d(1, 3, 3),
        torch.nn.Tanh(),
        torch.nn.Conv2d(3, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(36, 6),
        torch.nn.Sigmoid(),
        torch.nn.Linear(6, 3),
    ).double()
    state = model.state_dict()["layers"]
    with torch.no_grad():
        for theirs, mine in zip(t, state):
            if "w" in mine:
                theirs.weight.copy_(torch.tensor(mine["w"], dtype=torch.float64))
                theirs.bias.copy_(torch.tensor(mine["b"], dtype=torch.float64))
    return t


def test_sequential_cnn_loss_and_parameter_gradients_match_torch():
    model = small_cnn()
    X = [image(1, 8, 8, seed=10 + i) for i in range(4)]
    labels = [0, 2, 1, 2]
    loss = nn.losses.cross_entropy([model(x) for x in X], labels)
    loss.backward()

    t = torch_copy(model)
    tloss = F.cross_entropy(t(torch.tensor(X, dtype=torch.float64)), torch.tensor(labels))
    tloss.backward()
    assert close(loss.data, tloss.item()), (loss.data, tloss.item())
    theirs = [
        g
        for m in t
        if hasattr(m, "weight")
        for w, b in zip(m.weight.grad.reshape(m.weight.shape[0], -1).tolist(), m.bias.grad.tolist())
        for g in (*w, b)
    ]
    assert_all_close(
        [p.grad for p in model.parameters()], theirs, "parameter gradients (parameters() order)"
    )


def test_one_conv_output_pixel_is_one_dot_node_over_its_receptive_field():
    conv = nn.Conv2d(2, 3, 3, seed=0)
    x = as_values(image(2, 5, 5, seed=1))
    pixel = conv(x)[1][1][2]  # filter 1, row 1, column 2
    assert pixel.op == "dot"
    nodes = topological_order(pixel)
    assert [v for v in nodes if v.op] == [pixel], "one node, no chain of + and *"
    field = [x[c][1 + a][2 + b] for c in range(2) for a in range(3) for b in range(3)]
    assert list(pixel.parents) == [*conv.weight[1], *field, conv.bias[1]]
    floats = conv(image(2, 5, 5, seed=1))[1][1][2]  # plain numbers are constants, not parents
    assert floats.op == "dot" and list(floats.parents) == [*conv.weight[1], conv.bias[1]]


def test_one_pooling_window_is_one_max_node():
    x = as_values(image(1, 4, 4, seed=3))
    out = nn.MaxPool2d(2)(x)[0][1][0]
    assert out.op == "max" and list(out.parents) == [x[0][2][0], x[0][2][1], x[0][3][0], x[0][3][1]]


def test_parameter_order_is_filter_by_filter_weights_in_in_kh_kw_order_then_bias():
    conv = nn.Conv2d(2, 2, (2, 3), seed=0)
    state = conv.state_dict()
    expected = [x for w, b in zip(state["w"], state["b"]) for x in (*flat(w), b)]
    assert [p.data for p in conv.parameters()] == expected
    assert conv.num_parameters() == 2 * (2 * 2 * 3 + 1)


def test_same_seed_same_weights_and_torch_like_bounds():
    a, b, c = (nn.Conv2d(3, 4, 3, seed=s) for s in (7, 7, 8))
    assert a.state_dict() == b.state_dict() != c.state_dict()
    assert nn.Linear(5, 3, seed=1).state_dict() == nn.Linear(5, 3, seed=1).state_dict()
    bound = 1 / math.sqrt(3 * 3 * 3)
    assert all(abs(p.data) <= bound for p in a.parameters())
    assert max(abs(p.data) for p in a.parameters()) > bound / 2, "spread over the whole range"
