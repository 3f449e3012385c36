"""Linear, the activations, Flatten and Sequential: what they return, shape and type errors,
hyperparameter checks, and Module's save/load guarantees for the image layers."""

from __future__ import annotations

import pytest
import torch

import nn
from autograd import Value
from tests.nn.test_images import assert_all_close, flat, image, small_cnn


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
