"""The benchmark's tasks: for each (task, engine), a builder of a callable doing one unit.

"mlp": one SGD step of MLP(2, [16, 16, 1]) on 100 two-moons points, hinge loss + 1e-4 L2;
also compiled once by autograd.compile_graph and replayed (the "compiled" engines).
"chain": `size` mixed ops x -> exp(tanh(x * w + c)), forward and backward; by size, also
in a bare process and in a plotting session's heap (see _heap).
"memory": bytes per Value * Value node. "cnn": one SGD step of notebook 09's digits CNN
(see cnn.py). A builder raises Missing for an absent engine.
"""

from __future__ import annotations

import gc
import importlib
import time
from collections.abc import Callable, Sequence
from typing import Any

from . import cnn, handwritten, memory
from .models import OpsMLP, Weights, init_weights

NIN, NOUTS, POINTS, LR, ALPHA = 2, [16, 16, 1], 100, 0.05, 1e-4
Built = tuple[Callable[[], Any], str, str]  # (run, engine label, note)


class Missing(Exception):
    """An optional engine that is not installed; the message says how to get it."""


def _optional(module: str, hint: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise Missing(f"not installed ({hint})") from None


def _torch() -> Any:
    torch = _optional("torch", "pip install torch==2.13.0, as the dev extra does")
    torch.set_num_threads(1)  # 0-d tensors gain nothing from threads; keep the machine quiet
    return torch


def _load(params: Sequence[Any], weights: Weights) -> None:
    """Copy weights into a model's parameters, listed neuron by neuron as (w..., b)."""
    flat = [p for layer in weights for ws, b in layer for p in (*ws, b)]
    if len(flat) != len(params):
        raise ValueError(f"model has {len(params)} parameters, the benchmark {len(flat)}")
    for p, value in zip(params, flat):
        p.data = value


Setup = tuple[Weights, list, list]  # (weights, X, Y): the MLP task's starting point


def mlp_setup() -> Setup:
    """micrograd's initial weights and nn.data.moons, made once by the runner and handed
    to every engine's process (which then imports only its own engine)."""
    import nn

    X, labels = nn.data.moons(POINTS, noise=0.1, seed=1)  # lists of floats
    return init_weights(NIN, NOUTS, seed=0), X, [2.0 * label - 1.0 for label in labels]


# --- the MLP training step -----------------------------------------------------------


def _mlp_handwritten(size: int, setup: Setup) -> Built:
    weights, X, Y = setup
    layers = [([list(ws) for ws, _ in layer], [b for _, b in layer]) for layer in weights]
    return (lambda: handwritten.mlp_step(layers, X, Y, LR, ALPHA)), "handwritten", ""


def _mlp_chainrule_nn(size: int, setup: Setup) -> Built:
    """chainrule as its users write it: nn.MLP (a neuron is act(dot(w, x, b))), nn.losses."""
    import nn
    from autograd import dot

    weights, X, Y = setup
    model = nn.MLP(NIN, NOUTS, seed=0)
    params = model.parameters()
    _load(params, weights)

    def step() -> float:
        scores = [model(x) for x in X]
        loss = nn.losses.hinge(scores, Y) + ALPHA * dot(params, params)
        model.zero_grad()
        loss.backward()
        _sgd_floats(params)
        return loss.data

    return step, "chainrule nn", ""


def _mlp_chainrule_compiled(size: int, setup: Setup) -> Built:
    """The nn step traced once and compiled (autograd.compile_graph): the weights and the
    data are the compiled step's inputs; its run is the generated code plus the update.
    The one-off cost (trace, generate, compile) is kept for the report, not timed."""
    import nn
    from autograd import Value, compile_graph, dot

    weights, X, Y = setup
    model = nn.MLP(NIN, NOUTS, seed=0)
    params = model.parameters()
    _load(params, weights)
    start = time.process_time()
    data = [[Value(v) for v in x] for x in X]
    loss = nn.losses.hinge([model(x) for x in data], Y) + ALPHA * dot(params, params)
    step_code = compile_graph(loss, params, data=[v for x in data for v in x]).function
    seconds = time.process_time() - start
    flat_x = [v for x in X for v in x]

    def step() -> float:
        value, grads, _ = step_code(*[p.data for p in params], *flat_x)
        for p, g in zip(params, grads):
            p.data -= LR * g
        return value

    step.compile_seconds = seconds  # type: ignore[attr-defined]
    return step, "chainrule nn, compiled", f"traced, generated and compiled once in {seconds:.2f} s"


def _ops_step(
    model: Any, params: list[Any], X: list, Y: list, zero: Callable, update: Callable
) -> Callable:
    """micrograd's demo step, op for op, for any engine with micrograd's Value API."""

    def step() -> float:
        scores = [model(x) for x in X]
        losses = [(1 + -y * s).relu() for y, s in zip(Y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in params)
        loss = data_loss + reg_loss
        zero(params)
        loss.backward()
        update(params)
        return float(loss.data)

    return step


def _zero_floats(params: list[Any]) -> None:
    for p in params:
        p.grad = 0.0


def _sgd_floats(params: list[Any]) -> None:
    for p in params:
        p.data -= LR * p.grad


def _mlp_chainrule_ops(size: int, setup: Setup) -> Built:
    from autograd import Value

    weights, X, Y = setup
    model = OpsMLP(weights, Value)
    return (
        _ops_step(model, model.parameters(), X, Y, _zero_floats, _sgd_floats),
        "chainrule ops",
        "",
    )


def _mlp_micrograd(size: int, setup: Setup) -> Built:
    micrograd_nn = _optional("micrograd.nn", "pip install 'chainrule[bench]'")
    weights, X, Y = setup
    model = micrograd_nn.MLP(NIN, NOUTS)
    params = model.parameters()
    _load(params, weights)
    return _ops_step(model, params, X, Y, _zero_floats, _sgd_floats), "micrograd 0.1.0", ""


def _mlp_torch(size: int, setup: Setup) -> Built:
    torch = _torch()
    weights, X, Y = setup

    def zero(params: list[Any]) -> None:
        for p in params:
            p.grad = None

    def update(params: list[Any]) -> None:
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad

    model = OpsMLP(weights, _tensor_maker(torch))
    return (
        _ops_step(model, model.parameters(), X, Y, zero, update),
        f"pytorch {torch.__version__} 0-d",
        "",
    )


def _tensor_maker(torch: Any) -> Callable[[float], Any]:
    return lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)


# --- the chain of mixed ops ------------------------------------------------------------


def _chain(n: int, make: Callable[[float], Any], grad_of: Callable[[Any], float]) -> Callable:
    def run() -> tuple:
        x0, w = make(0.5), make(0.9)
        x = x0
        for _ in range(n // 4):
            x = (x * w + 0.3).tanh().exp()
        x.backward()
        return float(x.data), grad_of(x0), grad_of(w)

    return run


def _chain_compiled(size: int, setup: None) -> Built:
    """The chain traced once and compiled; each run is the generated forward and backward."""
    from autograd import compile

    def f(x: Any, w: Any) -> Any:
        for _ in range(size // 4):
            x = (x * w + 0.3).tanh().exp()
        return x

    start = time.process_time()
    code = compile(f, [0.5, 0.9]).function
    seconds = time.process_time() - start

    def run() -> tuple:
        value, (d_x, d_w), _ = code(0.5, 0.9)
        return value, d_x, d_w

    return run, "chainrule, compiled", f"traced, generated and compiled once in {seconds:.2f} s"


def _chain_handwritten(size: int, setup: None) -> Built:
    return (lambda: handwritten.chain(size)), "handwritten", ""


def _chain_chainrule(size: int, setup: None) -> Built:
    from autograd import Value

    return _chain(size, Value, lambda v: v.grad), "chainrule", ""


def _chain_chainrule_collector_off(size: int, setup: None) -> Built:
    """The engine's own cost without CPython's cyclic collector, whose full collections
    walk the whole heap and so cost more per node as the graph grows."""
    run, _, _ = _chain_chainrule(size, setup)

    def run_collector_off() -> tuple:
        gc.disable()
        try:
            return run()
        finally:
            gc.enable()

    return run_collector_off, "chainrule, collector off", _heap("bare process")


def _heap(process: str) -> str:
    """Make this worker's heap that of a `process`, and say how big it is.

    "bare process": only the engine imported. "plotting session": also what a chainrule
    program that trains and plots loads (nn, matplotlib.pyplot, tqdm), as the demo and the
    notebooks do; a Jupyter kernel's heap is larger still. The heap matters because each
    full collection walks all of it: in a bare process a graph of 10,000 nodes is most of
    the heap and is rarely walked, while a million-node graph is walked about five times
    over as it grows.
    """
    if process == "plotting session":
        import matplotlib.pyplot  # noqa: F401
        import tqdm  # noqa: F401

        import nn  # noqa: F401
    return f"{len(gc.get_objects()):,} objects tracked before the graph"


def _chain_in(process: str, engine: str) -> Callable[[int, None], Built]:
    """The chain, by chainrule or by the least graph pure Python can build (linked list),
    in a worker whose heap is that of `process`."""

    def build(size: int, setup: None) -> Built:
        if engine == "chainrule":
            run, _, _ = _chain_chainrule(size, setup)
        else:
            run = lambda: handwritten.linked_chain(size)  # noqa: E731
        return run, f"{engine}, {process}", _heap(process)

    return build


def _chain_torch(size: int, setup: None) -> Built:
    torch = _torch()
    run = _chain(size, _tensor_maker(torch), lambda t: t.grad.item())
    return run, f"pytorch {torch.__version__} 0-d", ""


# --- memory per node -------------------------------------------------------------------


def _memory_chainrule(size: int, setup: None) -> Built:
    from autograd import Value

    return (lambda: memory.bytes_per_node(Value, size)), "chainrule", "tracemalloc"


def _memory_micrograd(size: int, setup: None) -> Built:
    engine = _optional("micrograd.engine", "pip install 'chainrule[bench]'")
    return (lambda: memory.bytes_per_node(engine.Value, size)), "micrograd 0.1.0", "tracemalloc"


def _memory_torch(size: int, setup: None) -> Built:
    torch = _torch()
    make = _tensor_maker(torch)
    note = "resident set growth: tensors live outside tracemalloc's view"
    return (lambda: memory.rss_bytes_per_node(make)), f"pytorch {torch.__version__} 0-d", note


BUILDERS: dict[str, dict[str, Callable[[int, Any], Built]]] = {
    "mlp": {
        "handwritten": _mlp_handwritten,
        "chainrule nn": _mlp_chainrule_nn,
        "chainrule ops": _mlp_chainrule_ops,
        "chainrule nn, compiled": _mlp_chainrule_compiled,
        "micrograd": _mlp_micrograd,
        "pytorch": _mlp_torch,
    },
    "chain": {
        "handwritten": _chain_handwritten,
        "chainrule": _chain_chainrule,
        "chainrule, compiled": _chain_compiled,
        "chainrule, collector off": _chain_chainrule_collector_off,
        **{
            f"{engine}, {process}": _chain_in(process, engine)
            for engine in ("chainrule", "linked list")
            for process in ("bare process", "plotting session")
        },
        "pytorch": _chain_torch,
    },
    "memory": {
        "chainrule": _memory_chainrule,
        "micrograd": _memory_micrograd,
        "pytorch": _memory_torch,
    },
    "cnn": cnn.builders(_torch),
}


def build(task: str, engine: str, size: int = 0, setup: Any = None) -> Built:
    """(run, label, note) for one engine on one task; raises Missing for an absent engine."""
    return BUILDERS[task][engine](size, setup)
