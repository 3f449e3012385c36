"""Module: state_dict round trips, atomic save, and loads that fail without touching a weight."""

from __future__ import annotations

import json
import os

import pytest

from autograd import Value
from nn import MLP, Layer, Module, Neuron


def weights(model: Module) -> list:
    return [p.data for p in model.parameters()]


@pytest.fixture
def saved(tmp_path):
    """A saved MLP(2, [16, 16, 1]) file, and its text as a JSON document."""
    path = tmp_path / "model.json"
    MLP(2, [16, 16, 1], seed=1).save(path)
    return path, json.loads(path.read_text())


def test_save_load_round_trip_is_exact(tmp_path):
    source = MLP(2, [16, 16, 1], activation="tanh", seed=1)
    path = tmp_path / "model.json"
    source.save(path)
    target = MLP(2, [16, 16, 1], activation="tanh", seed=2)
    assert weights(target) != weights(source)
    target.load(str(path))  # str or PathLike
    assert weights(target) == weights(source)
    assert target([0.3, -0.4]).data == source([0.3, -0.4]).data


@pytest.mark.parametrize(
    "model", [Neuron(3, seed=1), Layer(3, 4, seed=1), MLP(3, [4, 1, 2], seed=1)]
)
def test_state_dict_round_trip_for_each_module(model):
    state = model.state_dict()
    other = {
        Neuron: lambda: Neuron(3, seed=9),
        Layer: lambda: Layer(3, 4, seed=9),
        MLP: lambda: MLP(3, [4, 1, 2], seed=9),
    }[type(model)]()
    other.load_state_dict(json.loads(json.dumps(state)))
    assert weights(other) == weights(model)


def test_layer_state_is_rows_of_neuron_weights_and_biases():
    layer = Layer(2, 3, seed=0)
    state = layer.state_dict()
    assert state["w"] == [[w.data for w in n.w] for n in layer.neurons]
    assert state["b"] == [n.b.data for n in layer.neurons]


def test_a_custom_module_saves_its_flat_parameter_list(tmp_path):
    class TwoHeads(Module):
        def __init__(self, seed):
            self.a, self.b = MLP(2, [3, 1], seed=seed), MLP(2, [2, 1], seed=seed + 1)

        def parameters(self):
            return self.a.parameters() + self.b.parameters()

    first, second = TwoHeads(0), TwoHeads(5)
    first.save(tmp_path / "heads.json")
    second.load(tmp_path / "heads.json")
    assert weights(second) == weights(first)


def test_save_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    MLP(2, [2, 1], seed=0).save("here.json")
    assert sorted(os.listdir(tmp_path)) == ["here.json"]


def test_missing_file_is_file_not_found(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    before = weights(model)
    with pytest.raises(FileNotFoundError):
        model.load(tmp_path / "nope.json")
    assert weights(model) == before


def corrupt(document, edit):
    document = json.loads(json.dumps(document))
    edit(document)
    return json.dumps(document)


def set_weight(value):
    def edit(d):
        d["state"]["layers"][1]["w"][3][2] = value

    return edit


BAD_FILES = {
    "empty": (lambda text, doc: "", "empty"),
    "whitespace": (lambda text, doc: "  \n", "empty"),
    "truncated": (lambda text, doc: text[: len(text) // 2], "not valid JSON.*truncated"),
    "not json": (lambda text, doc: "weights: 1, 2, 3", "not valid JSON"),
    "not utf-8": (lambda text, doc: b"\xff\xfe\x00junk", "not UTF-8"),
    "a json list": (lambda text, doc: "[1, 2, 3]", "not a chainrule model file"),
    "other format": (
        lambda text, doc: corrupt(doc, lambda d: d.update(format="keras")),
        "not a chainrule model file",
    ),
    "newer version": (lambda text, doc: corrupt(doc, lambda d: d.update(version=2)), "version 2"),
    "no state": (lambda text, doc: corrupt(doc, lambda d: d.pop("state")), "no 'state'"),
    "too few layers": (
        lambda text, doc: corrupt(doc, lambda d: d["state"]["layers"].pop()),
        "3 layers, but found 2",
    ),
    "narrow layer": (
        lambda text, doc: corrupt(
            doc, lambda d: d["state"]["layers"][0].update(w=d["state"]["layers"][0]["w"][:8])
        ),
        r"layers\[0\] expects 16x2 weights \(16 neurons x 2 inputs\), but found 8x2",
    ),
    "short row": (
        lambda text, doc: corrupt(doc, lambda d: d["state"]["layers"][1]["w"][5].pop()),
        r"layers\[1\] expects 16x16 weights",
    ),
    "missing biases": (
        lambda text, doc: corrupt(doc, lambda d: d["state"]["layers"][2]["b"].pop()),
        r"layers\[2\] expects 1 biases, but found 0",
    ),
    "extra key": (
        lambda text, doc: corrupt(doc, lambda d: d["state"]["layers"][0].update(g=[1])),
        "unexpected keys",
    ),
    "missing key": (
        lambda text, doc: corrupt(doc, lambda d: d["state"]["layers"][0].pop("b")),
        r"layers\[0\].b is missing",
    ),
    "nan": (
        lambda text, doc: corrupt(doc, set_weight(float("nan"))),
        r"layers\[1\].w\[3\]\[2\] is nan",
    ),
    "infinity": (
        lambda text, doc: corrupt(doc, set_weight(float("inf"))),
        "is inf: weights must be finite",
    ),
    "overflowing literal": (
        lambda text, doc: text.replace(repr(doc["state"]["layers"][0]["w"][0][0]), "1e999", 1),
        r"layers\[0\].w\[0\]\[0\] is inf",
    ),
    "huge integer": (lambda text, doc: corrupt(doc, set_weight(10**400)), "is inf"),
    "huge negative integer": (lambda text, doc: corrupt(doc, set_weight(-(10**400))), "is -inf"),
    "deep nesting": (lambda text, doc: "[" * 100000 + "]" * 100000, "nests JSON too deeply"),
    "string weight": (
        lambda text, doc: corrupt(doc, set_weight("0.5")),
        r"w\[3\]\[2\] should be a number, found str",
    ),
    "null weight": (
        lambda text, doc: corrupt(doc, set_weight(None)),
        "should be a number, found NoneType",
    ),
    "boolean weight": (
        lambda text, doc: corrupt(doc, set_weight(True)),
        "should be a number, found bool",
    ),
    "weights as object": (
        lambda text, doc: corrupt(doc, lambda d: d["state"]["layers"][0].update(w={"a": 1})),
        r"layers\[0\].w should be a list, found dict",
    ),
    "other activation": (
        lambda text, doc: corrupt(doc, lambda d: d["config"].update(activation="tanh")),
        "activation='relu'.*configuration differs",
    ),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_is_a_value_error_and_leaves_weights_untouched(saved, name):
    path, document = saved
    make, message = BAD_FILES[name]
    content = make(path.read_text(), document)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    model = MLP(2, [16, 16, 1], seed=99)
    before = weights(model)
    with pytest.raises(ValueError, match=message) as info:
        model.load(path)
    assert "model.json" in str(info.value), "the message names the file"
    assert weights(model) == before


def test_bad_file_error_names_the_last_bad_weight_after_good_ones(saved):
    """Validation is complete before writing: a bad weight late in the file must not leave
    the earlier layers loaded."""
    path, document = saved
    path.write_text(corrupt(document, lambda d: d["state"]["layers"][2]["b"].__setitem__(0, "x")))
    model = MLP(2, [16, 16, 1], seed=99)
    before = weights(model)
    with pytest.raises(ValueError, match=r"layers\[2\].b\[0\]"):
        model.load(path)
    assert weights(model) == before


def test_load_state_dict_validates_before_writing():
    model = MLP(2, [3, 1], seed=0)
    state = model.state_dict()
    state["layers"][1]["b"][0] = float("nan")
    other = MLP(2, [3, 1], seed=1)
    before = weights(other)
    with pytest.raises(ValueError, match="is nan"):
        other.load_state_dict(state)
    assert weights(other) == before


def test_save_refuses_non_finite_weights_and_writes_nothing(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[1].w[0].data = float("nan")
    with pytest.raises(ValueError, match="not finite.*smaller learning rate"):
        model.save(tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("failing", ["os.replace", "os.fsync", "json.dumps"])
def test_failed_save_leaves_the_old_file_byte_for_byte_and_no_temp_file(
    saved, monkeypatch, failing
):
    path, _ = saved
    old = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full (simulated)")

    module, name = failing.split(".")
    monkeypatch.setattr(f"{module}.{name}", boom)
    with pytest.raises(OSError, match="simulated"):
        MLP(2, [16, 16, 1], seed=5).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert os.listdir(path.parent) == ["model.json"]


def test_save_replaces_an_existing_file(saved):
    path, _ = saved
    model = MLP(2, [16, 16, 1], seed=5)
    model.save(path)
    fresh = MLP(2, [16, 16, 1], seed=6)
    fresh.load(path)
    assert weights(fresh) == weights(model)


def test_zero_grad_and_parameters_of_the_base_module():
    assert Module().parameters() == []
    Module().zero_grad()
    v = Value(1.0)
    v.grad = 3.0

    class One(Module):
        def parameters(self):
            return [v]

    One().zero_grad()
    assert v.grad == 0.0


def test_a_file_from_a_smaller_model_names_both_shapes_and_both_models(tmp_path):
    path = tmp_path / "small.json"
    MLP(2, [8, 1], seed=0).save(path)
    model = MLP(2, [16, 1], seed=1)
    before = weights(model)
    with pytest.raises(ValueError) as info:
        model.load(path)
    message = str(info.value)
    assert "layers[0] expects 16x2 weights (16 neurons x 2 inputs), but found 8x2" in message
    assert "the file holds MLP(2, [8, 1], activation='relu')" in message
    assert weights(model) == before


def test_a_file_from_another_kind_of_module_is_a_value_error(tmp_path):
    path = tmp_path / "layer.json"
    Layer(2, 3, seed=0).save(path)
    model = MLP(2, [3], seed=1)
    before = weights(model)
    with pytest.raises(ValueError, match="layers is missing.*the file holds Layer"):
        model.load(path)
    assert weights(model) == before


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_saved_file_is_readable_by_others_and_keeps_the_replaced_files_mode(tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [2, 1], seed=0).save(path)
    assert path.stat().st_mode & 0o777 == 0o644, "not mkstemp's private 0600"
    path.chmod(0o640)
    MLP(2, [2, 1], seed=1).save(path)
    assert path.stat().st_mode & 0o777 == 0o640
