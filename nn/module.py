"""Module: the base of every network: its parameters, their gradients, and saving them.

Saving writes JSON atomically (a temporary file in the same folder, then os.replace);
loading checks the whole file before it writes a single weight. layers.py builds on this.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

from autograd import Value, as_float

PathLike = Union[str, "os.PathLike[str]"]

FORMAT = "chainrule.nn"
VERSION = 1


def one_or_many(outputs: list[Value]) -> Value | list[Value]:
    """The single place of the rule: a module with one output returns a Value, else a list."""
    return outputs[0] if len(outputs) == 1 else outputs


class Module:
    """A network piece with parameters: Neuron, Layer, MLP, or your own subclass.

    A subclass defines `__call__` and `parameters()`. The default `state_dict()` is the flat
    list of parameter values, so any subclass can be saved and loaded as it is; Neuron, Layer
    and MLP override it with nested lists whose shapes make mismatch errors precise.
    """

    if TYPE_CHECKING:  # each subclass defines it; declared here for the type checker only

        def __call__(self, x: Any) -> Any: ...

    def parameters(self) -> list[Value]:
        """Every trainable Value, in a stable order (the order state_dict and optimizers use)."""
        return []

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to 0 (leaf gradients accumulate across backward)."""
        for p in self.parameters():
            p.grad = 0.0

    def num_parameters(self) -> int:
        """How many scalar parameters the module has."""
        return len(self.parameters())

    # --- state: plain Python data, the part of a model that training changes ---------

    def state_dict(self) -> dict[str, Any]:
        """The parameter values as plain JSON-ready data: {"parameters": [floats]}."""
        return {"parameters": [p.data for p in self.parameters()]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Set every parameter from `state`, checked in full first: ValueError leaves them as
        they were."""
        floats = self._parse_state(state, "")
        for p, x in zip(self.parameters(), floats):
            p.data = x

    def _parse_state(self, state: Any, where: str) -> list[float]:
        """Check `state` against this module's shape; its floats in parameters() order."""
        expected = len(self.parameters())
        (values,) = state_fields(state, ["parameters"], where)
        values = state_list(values, where + "parameters")
        if len(values) != expected:
            raise ValueError(f"the model has {expected} parameters, but found {len(values)}")
        return [state_number(x, f"{where}parameters[{i}]") for i, x in enumerate(values)]

    def _config(self) -> dict[str, Any]:
        """What (besides shapes) a saved file must match to load: see MLP's activation."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()  [{self.num_parameters()} parameters]"

    # --- files ------------------------------------------------------------------------

    def save(self, path: PathLike) -> None:
        """Write the parameters to `path` as JSON, atomically: on failure any old file is intact."""
        state = self.state_dict()
        bad = [p.data for p in self.parameters() if not math.isfinite(p.data)]
        if bad:
            raise ValueError(
                f"cannot save: {len(bad)} parameters are not finite (first: {bad[0]}); "
                f"training probably diverged, try a smaller learning rate"
            )
        document = {
            "format": FORMAT,
            "version": VERSION,
            "model": repr(self).splitlines()[0],
            "config": self._config(),
            "state": state,
        }
        text = json.dumps(document, allow_nan=False)
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        # the temporary file sits in the same folder, so os.replace is a rename, never a copy
        fd, tmp = tempfile.mkstemp(
            prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, _mode_of(path))  # mkstemp makes the file private (0600)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.remove(tmp)
            except OSError:
                pass
            raise

    def load(self, path: PathLike) -> None:
        """Load parameters saved by save() into this model; ValueError (weights untouched) if the
        file is corrupt or does not fit; FileNotFoundError if it does not exist."""
        path = os.fspath(path)
        with open(path, "rb") as f:
            raw = f.read()
        try:
            floats = self._parse_file(raw)
        except ValueError as e:
            raise ValueError(f"cannot load {path!r}: {e}") from None
        for p, x in zip(self.parameters(), floats):
            p.data = x

    def _parse_file(self, raw: bytes) -> list[float]:
        if not raw.strip():
            raise ValueError("the file is empty")
        try:
            document = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ValueError("the file is not UTF-8 text (not a chainrule model file?)") from None
        except json.JSONDecodeError as e:
            raise ValueError(
                f"the file is not valid JSON ({e}); it may be truncated or corrupt"
            ) from None
        except RecursionError:
            raise ValueError(
                "the file nests JSON too deeply to be a chainrule model file"
            ) from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError(
                f"not a chainrule model file (expected a JSON object with format {FORMAT!r})"
            )
        if document.get("version") != VERSION:
            raise ValueError(
                f"the file has format version {document.get('version')!r}; "
                f"this chainrule reads version {VERSION}"
            )
        if "state" not in document:
            raise ValueError("the file has no 'state' (the weights)")
        theirs, mine = str(document.get("model", "another model")), repr(self).splitlines()[0]
        try:
            floats = self._parse_state(document["state"], "")
        except ValueError as e:
            hint = f" (the file holds {theirs}; this model is {mine})" if theirs != mine else ""
            raise ValueError(f"{e}{hint}") from None
        if document.get("config", {}) != self._config():
            raise ValueError(
                f"the file was saved from {theirs}, but this model is {mine}; their "
                f"configuration differs ({document.get('config')} vs {self._config()}): "
                f"build the model as saved, then load"
            )
        return floats


def _mode_of(path: str) -> int:
    """The permission bits a saved file gets: those of the file it replaces, else rw-r--r--."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return 0o644


# --- checks shared by every module's _parse_state ------------------------------------


def state_fields(state: Any, keys: Sequence[str], where: str) -> list[Any]:
    """[state[k] for k in keys]; ValueError naming a wrong container, a missing or an extra key."""
    if not isinstance(state, dict):
        raise ValueError(
            f"{where or 'the state'} should be a JSON object, found {type(state).__name__}"
        )
    missing = [k for k in keys if k not in state]
    if missing:
        raise ValueError(
            f"{where}{missing[0]} is missing: {where or 'the state'} should have keys {list(keys)}"
        )
    extra = sorted(set(state) - set(keys))
    if extra:
        raise ValueError(
            f"{where or 'the state'} has unexpected keys {extra} (expected {list(keys)})"
        )
    return [state[k] for k in keys]


def state_list(x: Any, where: str) -> Sequence[Any]:
    """x when it is a list; ValueError naming where it is otherwise."""
    if not isinstance(x, list):
        raise ValueError(f"{where} should be a list, found {type(x).__name__}")
    return x


def state_number(x: Any, where: str) -> float:
    """x as a finite float; ValueError for booleans, strings, nulls, nan and inf."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(f"{where} should be a number, found {type(x).__name__} {x!r:.40}")
    value = as_float(x)  # an integer literal beyond float range becomes +-inf
    if not math.isfinite(value):
        raise ValueError(f"{where} is {value}: weights must be finite")
    return value


class Layered(Module):
    """A module made of the modules in `self.layers` (MLP, Sequential): its parameters are
    theirs in order, and it saves as {"layers": [each one's state_dict]}."""

    layers: Sequence[Module]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def state_dict(self) -> dict[str, Any]:
        """{"layers": [each layer's state_dict]}."""
        return {"layers": [layer.state_dict() for layer in self.layers]}

    def _parse_state(self, state: Any, where: str) -> list[float]:
        (layers,) = state_fields(state, ["layers"], where)
        layers = state_list(layers, where + "layers")
        if len(layers) != len(self.layers):
            raise ValueError(f"the model has {len(self.layers)} layers, but found {len(layers)}")
        floats: list[float] = []
        for i, (layer, s) in enumerate(zip(self.layers, layers)):
            floats += layer._parse_state(s, f"{where}layers[{i}].")
        return floats
