"""nn.plot: Figures and PNGs that are not blank, drawn headless, with matplotlib loaded lazily."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

import nn
from autograd import is_grad_enabled
from nn import MLP, History, plot

ROOT = Path(__file__).resolve().parents[2]


def assert_not_blank(path: Path) -> None:
    assert path.exists() and path.stat().st_size > 0, f"{path} was not written"
    pixels = imread(path)
    background = pixels[0, 0]
    differs = (abs(pixels - background).sum(axis=-1) > 0.05).mean()
    assert differs > 0.02, f"only {differs:.1%} of the pixels differ from the background"


def test_loss_curve_writes_a_png_that_is_not_blank(tmp_path):
    history = History(
        loss=[1.0 / (k + 1) for k in range(30)],
        accuracy=[min(1.0, 0.5 + k / 40) for k in range(30)],
    )
    fig = plot.loss_curve(history, path=tmp_path / "loss.png")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2, "loss and accuracy axes"
    assert_not_blank(tmp_path / "loss.png")


def test_loss_curve_without_path_writes_nothing_and_uses_log_scale_over_decades(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    fig = plot.loss_curve(History(loss=[10.0**-k for k in range(5)], accuracy=[float("nan")] * 5))
    assert list(tmp_path.iterdir()) == []
    assert len(fig.axes) == 1, "no accuracy axis for a regression"
    assert fig.axes[0].get_yscale() == "log"
    assert fig._repr_png_().startswith(b"\x89PNG"), "a Figure shows itself in Jupyter"


def test_loss_curve_of_an_empty_history_is_a_value_error():
    with pytest.raises(ValueError, match="at least one epoch"):
        plot.loss_curve(History())


def test_decision_boundary_of_a_score_model(tmp_path):
    X, y = nn.data.moons(40, noise=0.1, seed=0)
    model = MLP(2, [8, 1], seed=0)
    calls = []

    def spy(x):
        calls.append(is_grad_enabled())
        return model(x)

    fig = plot.decision_boundary(spy, X, y, path=tmp_path / "boundary.png", resolution=20)
    assert isinstance(fig, Figure)
    assert len(calls) == 20 * 20 and not any(calls), "the grid is evaluated under no_grad"
    assert_not_blank(tmp_path / "boundary.png")


def test_decision_boundary_of_a_multiclass_model(tmp_path):
    X, y = nn.data.spiral(30, classes=3, seed=0)
    fig = plot.decision_boundary(
        MLP(2, [8, 3], seed=0), X, y, path=tmp_path / "spiral.png", resolution=15
    )
    assert isinstance(fig, Figure)
    assert_not_blank(tmp_path / "spiral.png")


def test_decision_boundary_rejects_bad_input():
    with pytest.raises(ValueError, match="as many labels"):
        plot.decision_boundary(MLP(2, [1], seed=0), [[0.0, 0.0]], [0, 1])
    with pytest.raises(ValueError, match="resolution"):
        plot.decision_boundary(MLP(2, [1], seed=0), [[0.0, 0.0]], [0], resolution=1)


def test_import_nn_loads_neither_matplotlib_nor_tqdm_and_plots_never_load_pyplot(tmp_path):
    script = (
        "import sys, nn\n"
        "print('matplotlib' in sys.modules, 'tqdm' in sys.modules)\n"
        "X, y = nn.data.xor()\n"
        "m = nn.MLP(2, [2, 1], seed=0)\n"
        f"nn.plot.decision_boundary(m, X, y, path={str(tmp_path / 'b.png')!r}, resolution=5)\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "DISPLAY")}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert out.stdout.split() == ["False", "False", "False"], out.stdout + out.stderr
