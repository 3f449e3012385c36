"""Neuron, Layer, MLP: forward and gradients against a torch network with the same weights,
graph shape, parameter order, seeds, one-output rule and configuration errors."""

from __future__ import annotations

import math
import random

import pytest
import torch

from autograd import Value
from nn import MLP, Layer, Neuron

TORCH_ACT = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda t: t,
}


def torch_forward(model: MLP, x):
    """The same network in torch, from model's weights: (output, list of weight/bias tensors).
    x is a list of numbers or a float64 tensor (to read its gradient afterwards)."""
    h = x if isinstance(x, torch.Tensor) else torch.tensor(x, dtype=torch.float64)
    tensors = []
    for i, layer in enumerate(model.layers):
        W = torch.tensor(
            [[p.data for p in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True
        )
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        tensors += [W, b]
        act = "linear" if i == len(model.layers) - 1 else model.activation
        h = TORCH_ACT[act](W @ h + b)
    return h, tensors


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_mlp_forward_and_gradients_match_torch(activation):
    model = MLP(3, [5, 4, 2], activation=activation, seed=7)
    for p in model.parameters():  # nonzero biases, so a wrong bias path would show
        p.data += 0.1
    x = [0.5, -1.2, 2.0]
    out = model([Value(v) for v in x])
    loss = out[0] * 2.0 + out[1] * -3.0
    loss.backward()
    ref, tensors = torch_forward(model, x)
    ref_loss = ref[0] * 2.0 + ref[1] * -3.0
    ref_loss.backward()
    assert [o.data for o in out] == pytest.approx(ref.tolist(), rel=1e-12, abs=1e-12)
    torch_grads = []
    for W, b in zip(tensors[::2], tensors[1::2]):
        for row, bias in zip(W.grad.tolist(), b.grad.tolist()):
            torch_grads += row + [bias]
    assert [p.grad for p in model.parameters()] == pytest.approx(torch_grads, rel=1e-10, abs=1e-12)


def test_neuron_is_one_dot_node_plus_one_activation_node():
    n = Neuron(3, activation="tanh", seed=0)
    out = n([1.0, 2.0, 3.0])
    assert out.op == "tanh" and len(out.parents) == 1
    (dot,) = out.parents
    assert dot.op == "dot"
    assert list(dot.parents) == n.w + [n.b], "plain float inputs are constants, not graph nodes"
    expected = math.tanh(sum(w.data * x for w, x in zip(n.w, [1.0, 2.0, 3.0])) + n.b.data)
    assert out.data == pytest.approx(expected, rel=1e-15)


def test_linear_neuron_output_is_the_dot_node():
    n = Neuron(2, activation="linear", seed=0)
    assert n([1.0, -1.0]).op == "dot"


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_inputs_that_are_values_get_torchs_gradients_and_central_differences(activation):
    model = MLP(2, [3, 1], activation=activation, seed=1)
    for p in model.parameters():
        p.data += 0.1
    x = [0.3, -0.7]
    xs = [Value(v) for v in x]
    model(xs).backward()
    got = [v.grad for v in xs]
    assert max(abs(g) for g in got) > 1e-3, "a gradient worth comparing"

    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch_forward(model, t)[0].sum().backward()
    assert got == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-15)

    h = 1e-6
    for i in range(len(x)):
        up, down = list(x), list(x)
        up[i] += h
        down[i] -= h
        slope = (model(up).data - model(down).data) / (2 * h)
        assert got[i] == pytest.approx(slope, rel=1e-6, abs=1e-9), (i, got[i], slope)


def test_one_output_gives_a_value_several_give_a_list():
    assert isinstance(Neuron(2, seed=0)([1.0, 2.0]), Value)
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    out = Layer(2, 3, seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3
    assert isinstance(MLP(2, [4, 1], seed=0)([1.0, 2.0]), Value)
    assert len(MLP(2, [4, 3], seed=0)([1.0, 2.0])) == 3


def test_a_one_wide_hidden_layer_works():
    model = MLP(2, [16, 1, 1], seed=0)
    out = model([1.0, 2.0])
    assert isinstance(out, Value)
    out.backward()
    assert model.num_parameters() == 16 * 3 + 17 + 2


def test_last_layer_is_linear_and_hidden_layers_use_the_activation():
    model = MLP(2, [4, 4, 2], activation="tanh", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "linear"]
    assert all(o.op == "dot" for o in model([0.5, 0.5]))


def test_parameters_are_layer_by_layer_neuron_by_neuron_weights_then_bias():
    model = MLP(2, [3, 2], seed=0)
    expected = [p for layer in model.layers for n in layer.neurons for p in n.w + [n.b]]
    assert model.parameters() == expected
    assert len(expected) == (2 + 1) * 3 + (3 + 1) * 2
    assert len(set(map(id, expected))) == len(expected)


def test_same_seed_same_weights_and_the_global_rng_is_untouched():
    random.seed(123)
    state = random.getstate()
    a = [p.data for p in MLP(2, [8, 8, 1], seed=42).parameters()]
    b = [p.data for p in MLP(2, [8, 8, 1], seed=42).parameters()]
    c = [p.data for p in MLP(2, [8, 8, 1], seed=43).parameters()]
    MLP(2, [8, 1])  # seed=None draws from its own generator too
    assert a == b
    assert a != c
    assert random.getstate() == state, "models must not use the global random module"
    assert [p.data for p in Layer(2, 3, seed=5).parameters()] == [
        p.data for p in Layer(2, 3, seed=5).parameters()
    ]


def test_init_is_scaled_by_fan_in_and_biases_start_at_zero():
    model = MLP(64, [32, 1], seed=0)
    bound = 1 / math.sqrt(64)
    first = model.layers[0]
    assert all(-bound <= w.data <= bound for n in first.neurons for w in n.w)
    assert all(n.b.data == 0.0 for n in first.neurons)


def test_repr_is_readable_and_counts_parameters():
    text = repr(MLP(2, [16, 16, 1]))
    assert text.splitlines()[0] == "MLP(2, [16, 16, 1], activation='relu')  [337 parameters]"
    assert "layers[2]: Layer(16, 1, activation='linear')  [17 parameters]" in text
    assert repr(Neuron(3, activation="tanh")) == "Neuron(3, activation='tanh')  [4 parameters]"


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Neuron(0), "nin must be a positive int, got 0"),
        (lambda: Layer(2, -1), "nout must be a positive int, got -1"),
        (lambda: MLP(-2, [3]), "nin must be a positive int"),
        (lambda: MLP(2, []), "non-empty list"),
        (lambda: MLP(2, 3), "non-empty list"),
        (lambda: MLP(2, [4, 0, 1]), r"nouts\[1\] must be a positive int, got 0"),
        (lambda: MLP(2, [4.5, 1]), "must be a positive int"),
        (lambda: MLP(2, [4, 1], activation="gelu"), "'relu', 'tanh', 'sigmoid', 'linear'"),
        (lambda: Neuron(2, activation="ReLU"), "unknown activation 'ReLU'"),
    ],
)
def test_bad_configuration_is_a_value_error(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_wrong_number_of_inputs_is_a_value_error():
    with pytest.raises(ValueError, match="MLP expects 2 inputs, got 3"):
        MLP(2, [3, 1], seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Layer expects 2 inputs, got 1"):
        Layer(2, 3, seed=0)([1.0])
    with pytest.raises(TypeError, match="list of 2 numbers"):
        MLP(2, [1], seed=0)(1.0)


def test_inputs_may_be_tuples_or_generators():
    model = MLP(2, [3, 1], seed=0)
    expected = model([0.5, 0.25]).data
    assert model((0.5, 0.25)).data == expected
    assert model(v for v in [0.5, 0.25]).data == expected


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
