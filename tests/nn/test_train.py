"""nn.fit: real training (XOR, two moons), agreement with a torch training loop, the
progress bar, label conversion, mini-batches and History."""

from __future__ import annotations

import math

import pytest
import torch

import nn
from autograd import no_grad
from nn import MLP, History, fit, optim


def accuracy(model, X, y, threshold):
    with no_grad():
        return sum((model(x).data > threshold) == (label == 1) for x, label in zip(X, y)) / len(y)


def test_xor_is_learned_from_at_least_4_of_5_seeds():
    X, y = nn.data.xor()
    learned = []
    for seed in range(5):
        model = MLP(2, [4, 1], activation="tanh", seed=seed)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        history = fit(model, X, y, loss="mse", optimizer=opt, epochs=300, quiet=True)
        learned.append(accuracy(model, X, y, 0.5) == 1.0 and history.loss[-1] < 0.05)
    assert sum(learned) >= 4, f"XOR learned by seeds {[s for s, ok in enumerate(learned) if ok]}"


def test_two_moons_reach_95_percent_with_adam_and_hinge():
    X, y = nn.data.moons(100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], seed=0)
    opt = optim.Adam(model.parameters(), lr=0.05)
    history = fit(model, X, y, loss="hinge", optimizer=opt, epochs=100, quiet=True)
    assert len(history.loss) == len(history.accuracy) == 100
    final = accuracy(model, X, y, 0.0)
    assert final >= 0.95, f"training accuracy {final:.2f}"
    assert history.loss[-1] < history.loss[0] / 5


def torch_mlp(model):
    """The model's weights as torch tensors, and a forward function for a batch."""
    tensors = []
    for layer in model.layers:
        W = torch.tensor(
            [[p.data for p in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True
        )
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
        tensors += [W, b]

    def forward(X):
        h = X
        for i in range(0, len(tensors), 2):
            h = h @ tensors[i].T + tensors[i + 1]
            if i < len(tensors) - 2:
                h = torch.tanh(h)
        return h

    return tensors, forward


@pytest.mark.parametrize(
    "loss, torch_loss, labels",
    [
        ("hinge", lambda s, y: torch.relu(1 - (2 * y - 1) * s[:, 0]).mean(), "binary"),
        (
            "bce_with_logits",
            lambda s, y: torch.nn.functional.binary_cross_entropy_with_logits(s[:, 0], y),
            "binary",
        ),
        ("mse", lambda s, y: torch.nn.functional.mse_loss(s[:, 0], y), "binary"),
        ("cross_entropy", lambda s, y: torch.nn.functional.cross_entropy(s, y.long()), "three"),
    ],
)
def test_fit_matches_a_torch_training_loop(loss, torch_loss, labels):
    X, y = nn.data.spiral(24, classes=3, seed=2) if labels == "three" else nn.data.moons(24, seed=2)
    model = MLP(2, [6, 3 if labels == "three" else 1], activation="tanh", seed=3)
    tensors, forward = torch_mlp(model)
    ref = torch.optim.Adam(tensors, lr=0.05)
    Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    expected = []
    for _ in range(8):
        ref.zero_grad()
        value = torch_loss(forward(Xt), yt)
        value.backward()
        ref.step()
        expected.append(value.item())
    history = fit(
        model,
        X,
        y,
        loss=loss,
        optimizer=optim.Adam(model.parameters(), lr=0.05),
        epochs=8,
        quiet=True,
    )
    assert history.loss == pytest.approx(expected, rel=1e-9, abs=1e-12)
    flat = [
        row + [b]
        for W, b in zip(tensors[::2], tensors[1::2])
        for row, b in zip(W.tolist(), b.tolist())
    ]
    assert [p.data for p in model.parameters()] == pytest.approx(
        [x for r in flat for x in r], rel=1e-8, abs=1e-8
    )


def test_accuracy_is_from_the_epochs_predictions():
    X, y = nn.data.spiral(30, classes=3, seed=0)
    model = MLP(2, [8, 3], seed=1)
    with no_grad():
        initial = sum(
            max(range(3), key=lambda k: model(x)[k].data) == c for x, c in zip(X, y)
        ) / len(y)
    history = fit(
        model,
        X,
        y,
        loss="cross_entropy",
        optimizer=optim.Adam(model.parameters(), lr=0.05),
        epochs=15,
        quiet=True,
    )
    assert history.accuracy[0] == initial
    assert history.loss[-1] < history.loss[0]
    assert all(0.0 <= a <= 1.0 for a in history.accuracy)


def test_hinge_accepts_0_1_and_minus_1_plus_1_labels_alike():
    X, y = nn.data.moons(20, seed=0)
    signed = [2 * label - 1 for label in y]
    runs = []
    for labels in (y, signed):
        model = MLP(2, [4, 1], seed=0)
        runs.append(fit(model, X, labels, loss="hinge", epochs=5, quiet=True))
    assert runs[0] == runs[1]
    with pytest.raises(ValueError, match="cross_entropy"):
        fit(
            MLP(2, [4, 1], seed=0),
            X,
            [label * 2 for label in y],
            loss="hinge",
            epochs=1,
            quiet=True,
        )


def test_a_loss_function_works_as_the_named_one():
    X, y = nn.data.moons(20, seed=0)
    named = fit(MLP(2, [4, 1], seed=0), X, y, loss="mse", epochs=5, quiet=True)
    custom = fit(
        MLP(2, [4, 1], seed=0), X, y, loss=lambda p, t: nn.losses.mse(p, t), epochs=5, quiet=True
    )
    assert custom == named


def test_mse_on_several_outputs_uses_one_hot_targets():
    X, y = nn.data.spiral(12, classes=3, seed=0)
    model = MLP(2, [3], seed=0)
    history = fit(
        model,
        X,
        y,
        loss="mse",
        epochs=1,
        quiet=True,
        optimizer=optim.SGD(model.parameters(), lr=0.0),
    )
    with no_grad():
        outs = [[o.data for o in model(x)] for x in X]
    one_hot = [[1.0 if k == c else 0.0 for k in range(3)] for c in y]
    as_tensor = lambda rows: torch.tensor(rows, dtype=torch.float64)  # noqa: E731
    ref = torch.nn.functional.mse_loss(as_tensor(outs), as_tensor(one_hot))
    assert history.loss[0] == pytest.approx(ref.item(), rel=1e-12)


def test_mini_batches_are_shuffled_by_seed():
    X, y = nn.data.moons(30, seed=0)

    def run(seed):
        model = MLP(2, [4, 1], seed=0)
        return fit(model, X, y, epochs=3, batch_size=7, seed=seed, quiet=True), model

    (a, ma), (b, mb), (_, mc) = run(1), run(1), run(2)
    assert a == b and [p.data for p in ma.parameters()] == [p.data for p in mb.parameters()]
    assert [p.data for p in ma.parameters()] != [p.data for p in mc.parameters()]


def test_l2_adds_l2_times_the_sum_of_squared_parameters():
    X, y = nn.data.moons(10, seed=0)
    frozen = dict(epochs=1, quiet=True)
    plain_model, l2_model = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=0)
    squares = sum(p.data**2 for p in plain_model.parameters())
    plain = fit(plain_model, X, y, **frozen)
    with_l2 = fit(l2_model, X, y, l2=0.01, **frozen)
    assert with_l2.loss[0] == pytest.approx(plain.loss[0] + 0.01 * squares, rel=1e-12)


def test_progress_bar_shows_loss_and_accuracy_unless_quiet(capsys):
    X, y = nn.data.xor()
    fit(MLP(2, [3, 1], seed=0), X, y, epochs=3)
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err and "acc=" in err
    fit(MLP(2, [3, 1], seed=0), X, y, epochs=3, quiet=True)
    assert capsys.readouterr().err == ""


def test_history_of_a_regression_has_nan_accuracy():
    X = [[0.0, 1.0], [1.0, 0.5], [0.5, 0.5]]
    history = fit(MLP(2, [3, 1], seed=0), X, [0.25, 1.5, -0.75], loss="mse", epochs=2, quiet=True)
    assert isinstance(history, History) and len(history) == 2
    assert all(math.isnan(a) for a in history.accuracy)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(loss="l1"), "unknown loss 'l1'; valid names are mse, sse, hinge"),
        (dict(epochs=-1), "epochs must be an int >= 0"),
        (dict(batch_size=0), "batch_size must be a positive int"),
        (dict(l2=-0.1), "l2 must be >= 0"),
    ],
)
def test_bad_arguments_are_a_value_error(kwargs, message):
    X, y = nn.data.xor()
    with pytest.raises(ValueError, match=message):
        fit(MLP(2, [3, 1], seed=0), X, y, quiet=True, **kwargs)


def test_mismatched_samples_and_labels_are_a_value_error():
    with pytest.raises(ValueError, match="as many labels as samples"):
        fit(MLP(2, [3, 1], seed=0), [[0.0, 1.0]], [0, 1], quiet=True)


def test_a_binary_loss_on_several_outputs_says_which_loss_to_use():
    X, y = nn.data.xor()
    with pytest.raises(ValueError, match="cross_entropy"):
        fit(MLP(2, [3, 2], seed=0), X, y, loss="hinge", epochs=1, quiet=True)


def test_history_repr_is_short():
    assert (
        repr(History(loss=[0.5, 0.25], accuracy=[0.5, 0.75]))
        == "History(epochs=2, loss=0.25, accuracy=0.75)"
    )
    assert repr(History()) == "History(epochs=0)"


def tiny_images(n, seed=0):
    rng = __import__("random").Random(seed)
    X = [[[[rng.uniform(0, 1) for _ in range(5)] for _ in range(5)]] for _ in range(n)]
    return X, [rng.randrange(3) for _ in range(n)]


def tiny_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 2, 3, seed=0),
        nn.Tanh(),
        nn.MaxPool2d(3),
        nn.Flatten(),
        nn.Linear(2, 3, seed=1),
    )


def test_fit_trains_a_cnn_on_images_and_scores_the_held_out_last_fifth():
    X, y = tiny_images(10)
    model = tiny_cnn()
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(
        model,
        X,
        y,
        loss="cross_entropy",
        optimizer=opt,
        epochs=3,
        batch_size=3,
        seed=0,
        validation_split=0.2,
        quiet=True,
    )
    assert len(history.val_loss) == len(history.val_accuracy) == 3
    with no_grad():
        held_out = nn.losses.cross_entropy([model(x) for x in X[8:]], y[8:])
        right = sum(nn.train.argmax(model(x)) == label for x, label in zip(X[8:], y[8:]))
    assert history.val_loss[-1] == pytest.approx(held_out.data, rel=1e-12)
    assert history.val_accuracy[-1] == right / 2
    assert "val_accuracy=" in repr(history)


def test_the_held_out_samples_never_train_the_model():
    X, y = tiny_images(10)
    models = [tiny_cnn(), tiny_cnn()]
    for model, labels in zip(models, (y, y[:8] + [(label + 1) % 3 for label in y[8:]])):
        fit(
            model,
            X,
            labels,
            loss="cross_entropy",
            epochs=2,
            batch_size=4,
            seed=1,
            validation_split=0.2,
            quiet=True,
        )
    assert models[0].state_dict() == models[1].state_dict()


def test_a_scheduler_steps_after_every_optimizer_step():
    X, y = tiny_images(10)
    model = tiny_cnn()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    sched = optim.LambdaLR(opt, lambda t: 1 / (1 + 0.5 * t))
    fit(
        model,
        X,
        y,
        loss="cross_entropy",
        optimizer=opt,
        epochs=2,
        batch_size=3,
        validation_split=0.2,
        scheduler=sched,
        quiet=True,
    )
    assert sched.last_epoch == 2 * 3  # 8 training samples in batches of 3: 3 steps an epoch
    assert opt.lr == pytest.approx(0.1 / (1 + 0.5 * 6))


def test_progress_bar_shows_validation_loss_and_accuracy(capsys):
    X, y = nn.data.moons(20, seed=0)
    fit(MLP(2, [3, 1], seed=0), X, y, epochs=2, validation_split=0.25)
    err = capsys.readouterr().err
    assert "val_loss=" in err and "val_acc=" in err


@pytest.mark.parametrize("split", [-0.1, 1.0, 0.99, 1e-17])
def test_a_validation_split_that_leaves_a_part_empty_is_a_value_error(split):
    X, y = nn.data.moons(20, seed=0)
    with pytest.raises(ValueError, match="validation_split"):
        fit(MLP(2, [3, 1], seed=0), X, y, epochs=1, validation_split=split, quiet=True)


def test_without_a_validation_split_the_history_has_no_validation_numbers():
    X, y = nn.data.moons(20, seed=0)
    history = fit(MLP(2, [3, 1], seed=0), X, y, epochs=2, quiet=True)
    assert history.val_loss == [] and history.val_accuracy == [] and len(history) == 2
