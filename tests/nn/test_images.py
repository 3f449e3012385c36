"""Conv2d, MaxPool2d and Sequential against torch.nn.functional in float64: every output and
every gradient (weights, biases and input pixels), shape errors, node counts, save and load."""

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


def test_flatten_orders_channel_row_column_as_torch_flatten():
    x = image(2, 3, 4, seed=0)
    assert [v for v in flat(x)] == torch.tensor(x, dtype=torch.float64).flatten().tolist()


def test_activations_apply_to_every_element_of_an_image_or_a_vector():
    x = image(2, 3, 3, seed=0)
    for ours, theirs in (
        (nn.ReLU(), torch.relu),
        (nn.Tanh(), torch.tanh),
        (nn.Sigmoid(), torch.sigmoid),
    ):
        out = ours(x)
        assert_all_close(
            [v.data for v in flat(out)],
            theirs(torch.tensor(x, dtype=torch.float64)).flatten().tolist(),
            repr(ours),
        )
        assert ours(Value(0.5)).data == pytest.approx(float(theirs(torch.tensor(0.5))))


def test_linear_returns_a_value_for_one_output_and_a_one_wide_hidden_layer_works():
    model = nn.Sequential(
        nn.Linear(3, 1, seed=0), nn.Tanh(), nn.Linear(1, 2, seed=1), nn.Linear(2, 1, seed=2)
    )
    assert isinstance(nn.Linear(3, 1, seed=0)([1.0, 2.0, 3.0]), Value)
    assert isinstance(model([1.0, 2.0, 3.0]), Value)
    assert isinstance(nn.Linear(3, 2, seed=0)([1.0, 2.0, 3.0]), list)


@pytest.mark.parametrize(
    "layer, x, message",
    [
        (
            nn.Conv2d(1, 4, 3),
            image(2, 8, 8, 0),
            r"Conv2d\(1, 4, kernel_size=3\) expects an image \[1\]\[H\]\[W\]"
            r".*got shape \[2\]\[8\]\[8\]",
        ),
        (nn.Conv2d(1, 4, 5), image(1, 4, 8, 0), r"H >= 5 and W >= 5, got shape \[1\]\[4\]\[8\]"),
        (nn.Conv2d(1, 4, 5, padding=1), image(1, 2, 8, 0), r"H >= 3.*got shape \[1\]\[2\]\[8\]"),
        (nn.Conv2d(1, 4, 3), [1.0] * 64, r"got shape \[64\]"),
        (nn.Conv2d(1, 1, 2), [[[1.0, 2.0], [3.0]]], "ragged"),
        (
            nn.MaxPool2d(2),
            image(1, 1, 4, 0),
            r"MaxPool2d\(kernel_size=2\) expects an image \[C\]\[H\]\[W\].*\[1\]\[1\]\[4\]",
        ),
        (
            nn.Linear(64, 10),
            image(1, 8, 8, 0),
            r"Linear\(64, 10\).*expects a vector \[64\].*\[1\]\[8\]\[8\].*Flatten",
        ),
        (nn.Linear(3, 2), [1.0, 2.0], r"expects a vector \[3\], got shape \[2\]"),
    ],
)
def test_a_wrong_shape_names_the_layer_the_expected_and_the_received_shape(layer, x, message):
    with pytest.raises(ValueError, match=message):
        layer(x)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Conv2d(1, 2, 0),
        lambda: nn.Conv2d(1, 2, 3, stride=0),
        lambda: nn.Conv2d(1, 2, 3, padding=-1),
        lambda: nn.MaxPool2d((2, 2, 2)),
        lambda: nn.Conv2d(0, 2, 3),
        lambda: nn.Linear(2, 0),
    ],
)
def test_bad_hyperparameters_are_value_errors(make):
    with pytest.raises(ValueError):
        make()


def test_sequential_rejects_what_is_not_a_module():
    with pytest.raises(TypeError, match="position 1"):
        nn.Sequential(nn.ReLU(), torch.nn.ReLU())


def test_save_load_round_trip_and_a_different_architecture_is_refused(tmp_path):
    model, other = small_cnn(0), small_cnn(5)
    path = tmp_path / "cnn.json"
    model.save(path)
    other.load(path)
    assert other.state_dict() == model.state_dict()
    x = image(1, 8, 8, seed=1)
    assert [v.data for v in other(x)] == [v.data for v in model(x)]

    swapped = nn.Sequential(*[nn.ReLU() if isinstance(m, nn.Tanh) else m for m in small_cnn(9)])
    before = swapped.state_dict()
    with pytest.raises(ValueError, match="configuration differs"):
        swapped.load(path)
    strided = small_cnn(9)
    strided.layers[0] = nn.Conv2d(1, 3, 3, stride=2)  # the same weights' shapes, another stride
    with pytest.raises(ValueError, match="configuration differs"):
        strided.load(path)
    assert swapped.state_dict() == before


def test_a_wrong_filter_shape_in_a_state_is_a_value_error_naming_it():
    model = small_cnn()
    state = model.state_dict()
    state["layers"][2]["w"][0][0] = [[0.0, 0.0], [0.0, 0.0]]
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"layers\[2\]\.w should have shape \[4\]\[3\]\[3\]\[3\]"):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_repr_names_each_layer_and_counts_parameters():
    text = repr(small_cnn())
    assert (
        text.splitlines()[0]
        == f"Sequential(9 modules)  [{small_cnn().num_parameters()} parameters]"
    )
    assert "Conv2d(3, 4, kernel_size=3, padding=1)  [112 parameters]" in text


@pytest.mark.parametrize(
    "make",
    [
        lambda s: nn.Linear(4, 3, seed=s),
        lambda s: nn.Conv2d(2, 3, (2, 3), stride=2, padding=1, seed=s),
        lambda s: nn.Sequential(nn.Linear(2, 2, seed=s), nn.ReLU(), nn.MLP(2, [3, 1], seed=s)),
    ],
    ids=["Linear", "Conv2d", "Sequential with an MLP"],
)
def test_each_module_saves_and_loads_exactly_and_refuses_another_shape(make, tmp_path):
    path = tmp_path / "m.json"
    make(1).save(path)
    model = make(2)
    model.load(path)
    assert model.state_dict() == make(1).state_dict()
    wider = nn.Linear(5, 3, seed=0) if isinstance(model, nn.Linear) else nn.Conv2d(3, 3, 2, seed=0)
    before = wider.state_dict()
    with pytest.raises(ValueError, match="cannot load"):
        wider.load(path)
    assert wider.state_dict() == before


def test_arrays_are_read_as_nested_lists_and_other_types_are_type_errors():
    import numpy as np

    x = image(1, 5, 5, seed=0)
    conv, linear = nn.Conv2d(1, 2, 3, seed=0), nn.Linear(3, 2, seed=0)
    assert [v.data for v in flat(conv(np.array(x)))] == [v.data for v in flat(conv(x))]
    assert [v.data for v in linear(np.array([1.0, 2.0, 3.0]))] == [
        v.data for v in linear([1.0, 2.0, 3.0])
    ]
    with pytest.raises(TypeError, match=r"MaxPool2d\(kernel_size=2\) expects an image.*str"):
        nn.MaxPool2d(2)("image")
    with pytest.raises(TypeError, match=r"Linear\(3, 2\) expects a list of 3 numbers.*str"):
        linear("abc")
