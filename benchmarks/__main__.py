"""`python -m benchmarks [--quick] [--json FILE]`: every task, one table, the targets.

Each engine runs in its own process; the engines are interleaved round by round and the
table shows medians. Ratios are measured in the same run: they depend on the machine
far less than the times do.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
from collections.abc import Iterator
from typing import Any

from . import cnn, tasks
from .runner import agree, human_time, measure, table
from .worker import Worker

# the chain by size: chainrule where its users run it (the target), then the same in a bare
# process, without the cyclic collector, and the least graph pure Python can build
BY_SIZE = [
    "chainrule, plotting session",
    "chainrule, bare process",
    "chainrule, collector off",
    "linked list, bare process",
    "linked list, plotting session",
]
QUICK = {
    "rounds": 4,
    "seconds": 0.25,
    "big_rounds": 3,
    "sizes": [10_000, 1_000_000],
    "memory_nodes": 10_000,
    "by_size": BY_SIZE[:1],
}
FULL = {
    "rounds": 9,
    "seconds": 0.5,
    "big_rounds": 5,
    "sizes": [10_000, 100_000, 1_000_000],
    "memory_nodes": 100_000,
    "by_size": BY_SIZE,
}
MLP_ENGINES = [
    "handwritten",
    "chainrule nn",
    "chainrule nn, compiled",
    "chainrule ops",
    "micrograd",
    "pytorch",
]
CNN_ENGINES = ["handwritten", "chainrule nn", "pytorch", "pytorch batched"]
VERDICTS = {True: "met", False: "MISSED", None: "n/a"}
HEADER = ["task", "engine", "median", "vs handwritten", "vs micrograd"]


@contextlib.contextmanager
def _workers(
    task: str, engines: list[str], size: int = 0, setup: Any = None
) -> Iterator[list[Worker]]:
    workers = [Worker(task, engine, size, setup=setup) for engine in engines]
    try:
        yield workers
    finally:
        for w in workers:
            w.close()


def _micrograd(results: dict[str, Any]) -> float | None:
    """micrograd's median ratio to handwritten, if it ran."""
    return next((e["ratio"] for k, e in results.items() if k.startswith("micrograd")), None)


def _timing_rows(task: str, workers: list[Worker], results: dict[str, Any]) -> list[list]:
    micro = _micrograd(results)
    rows = []
    for w in workers:
        if w.missing:
            rows.append([task, w.label, w.missing, "", ""])
            continue
        entry = results[w.key]
        ratio = entry["ratio"]
        if micro is None:
            faster = ""
        else:
            faster = "1x" if w.label.startswith("micrograd") else f"{micro / ratio:.3g}x faster"
        rows.append([task, w.label, human_time(entry["median"]), f"{ratio:.3g}x", faster])
    return rows


def _agreement(task: str, results: dict[str, Any]) -> str:
    reference = results["handwritten"]["result"]
    wrong = [key for key, e in results.items() if not agree(e["result"], reference)]
    if wrong:
        return f"{task}: results DIFFER from handwritten for {', '.join(wrong)}"
    return f"{task}: every engine's first result equals handwritten's (to 1e-9)"


class Report:
    """What the tasks found: table rows, notes, targets, raw timings and cyclic garbage."""

    def __init__(self) -> None:
        self.rows: list[list] = []
        self.notes: list[str] = []
        self.targets: list[dict[str, Any]] = []
        self.timings: dict[str, Any] = {}
        self.garbage: dict[str, int] = {}

    def target(self, name: str, value: float | None, met: bool | None, shown: str) -> None:
        self.targets.append(
            {
                "target": name,
                "value": value,
                "met": met,
                "shown": "not measured" if value is None else shown,
            }
        )


def _mlp_task(report: Report, config: dict[str, Any]) -> None:
    """1-2. The MLP training step, every engine; and the cyclic garbage one step leaves."""
    with _workers("mlp", MLP_ENGINES, setup=tasks.mlp_setup()) as workers:
        report.notes += [f"{w.label}: {w.note}" for w in workers if w.note and not w.missing]
        mlp = measure(workers, "handwritten", config["rounds"], config["seconds"])
        compiled = next(w for w in workers if w.key == "chainrule nn, compiled")
        compile_seconds = compiled.ask("compile_seconds")
        for w in workers:
            if not w.missing and w.label != "handwritten" and not w.label.startswith("pytorch"):
                report.garbage[f"{w.label} step"] = w.ask("garbage")
    report.timings["mlp_step"] = mlp
    report.rows += _timing_rows("MLP step", workers, mlp)
    report.notes.append(_agreement("MLP step", mlp))
    nn_step, ops_step = mlp["chainrule nn"]["ratio"], mlp["chainrule ops"]["ratio"]  # x handwritten
    report.target("chainrule nn step <= 5x handwritten", nn_step, nn_step <= 5.0, f"{nn_step:.2f}x")
    step = mlp["chainrule nn, compiled"]["ratio"]
    report.target(
        "chainrule nn step, compiled <= 1.5x handwritten", step, step <= 1.5, f"{step:.2f}x"
    )
    report.target(
        "MLP step graph compiles in <= 3 s (trace, generate, compile)",
        compile_seconds,
        compile_seconds <= 3.0,
        f"{compile_seconds:.2f} s",
    )
    micro = _micrograd(mlp)
    for name, t, need in (("nn", nn_step, 35.0), ("ops", ops_step, 5.0)):
        speedup = micro / t if micro else None
        report.target(
            f"chainrule {name} step >= {need:g}x faster than micrograd",
            speedup,
            None if speedup is None else speedup >= need,
            f"{speedup or 0:.1f}x",
        )


def _chain_task(report: Report, config: dict[str, Any]) -> None:
    """3. A chain of N mixed ops against handwritten; then chainrule alone as N grows."""
    small, big = config["sizes"][0], config["sizes"][-1]
    engines = ["handwritten", "chainrule", "chainrule, compiled", "pytorch"]
    with _workers("chain", engines, small) as workers:
        chain = measure(workers, "handwritten", config["rounds"] + 2, config["seconds"])
        mine = next(w for w in workers if w.label == "chainrule")
        report.garbage[f"chainrule chain N={small:,}"] = mine.ask("garbage")
    report.timings["chain"] = chain
    report.rows += _timing_rows(f"chain N={small:,}", workers, chain)
    report.notes.append(_agreement(f"chain N={small:,}", chain))
    ratio = chain["chainrule"]["ratio"]
    report.target(f"chain N={small:,} <= 30x handwritten", ratio, ratio <= 30.0, f"{ratio:.1f}x")
    ratio = chain["chainrule, compiled"]["ratio"]
    report.target(
        f"chain N={small:,}, compiled, fwd+bwd <= 3x handwritten",
        ratio,
        ratio <= 3.0,
        f"{ratio:.2f}x",
    )
    for engine in config["by_size"]:
        sized = [Worker("chain", engine, n, key=f"N={n:,}") for n in config["sizes"]]
        try:
            linear = measure(sized, f"N={small:,}", config["big_rounds"], config["seconds"])
        finally:
            for w in sized:
                w.close()
        report.timings[f"chain sizes, {engine}"] = linear
        report.notes.append(f"chain by size, {engine}: {sized[0].note}")
        for n in config["sizes"]:
            entry = linear[f"N={n:,}"]
            growth = entry["ratio"] * small / n  # per-node cost relative to N=small, round by round
            report.rows.append(
                [
                    f"chain N={n:,}, by size",
                    engine,
                    human_time(entry["median"]),
                    f"{human_time(entry['median'] / n)}/node = {growth:.2f}x N={small:,}",
                    "",
                ]
            )
        if engine == BY_SIZE[0]:
            report.target(
                f"per-node cost at N={big:,} <= 1.5x N={small:,} ({engine})",
                growth,
                growth <= 1.5,
                f"{growth:.2f}x",
            )
    report.notes.append(f"recursion limit {sys.getrecursionlimit()} (the default) in every worker")


def _cnn_task(report: Report, config: dict[str, Any]) -> None:
    """5. One SGD step of notebook 09's digits CNN on 100 digits: chainrule against PyTorch
    with a 0-d tensor per scalar (the same scalar graph) and batched (the ceiling)."""
    try:
        setup = cnn.cnn_setup()
    except ImportError as e:  # the digits come from scikit-learn
        report.notes.append(f"CNN step: not run ({e})")
        return
    with _workers("cnn", CNN_ENGINES, setup=setup) as workers:
        report.notes += [
            f"CNN step, {w.label}: {w.note}" for w in workers if w.note and not w.missing
        ]
        step = measure(workers, "handwritten", config["rounds"], config["seconds"])
        mine = next(w for w in workers if w.label == "chainrule nn")
        report.garbage["chainrule nn CNN step"] = mine.ask("garbage")
    report.timings["cnn_step"] = step
    report.rows += _timing_rows("CNN step", workers, step)
    report.notes.append(_agreement("CNN step", step))
    ours = step["chainrule nn"]["ratio"]
    scalar = next((e["ratio"] for k, e in step.items() if k.endswith(" 0-d")), None)
    batched = next((e["ratio"] for k, e in step.items() if k.endswith(" batched")), None)
    speedup = scalar / ours if scalar else None
    report.target(
        "chainrule CNN step faster than PyTorch 0-d",
        speedup,
        None if speedup is None else speedup > 1.0,
        f"{speedup or 0:.1f}x faster",
    )
    if batched:
        ceiling = ours / batched
        report.notes.append(f"CNN step: PyTorch batched (the ceiling) is {ceiling:.0f}x faster")


def _memory_task(report: Report, config: dict[str, Any]) -> None:
    """4. Bytes per Value*Value node, and the cyclic garbage the other tasks found."""
    with _workers(
        "memory", ["chainrule", "micrograd", "pytorch"], config["memory_nodes"]
    ) as workers:
        per_node = {w.label: None if w.missing else w.ask("call")[0] for w in workers}
    micro = next((b for k, b in per_node.items() if k.startswith("micrograd")), None)
    for w in workers:
        b = per_node[w.label]
        less = ""
        if micro and b and not w.label.startswith("micrograd"):
            less = f"{micro / b:.3g}x less" if b <= micro else f"{b / micro:.3g}x more"
        report.rows.append(
            ["memory / Value*Value node", w.label, w.missing or f"{b:.0f} B", "", less]
        )
        if w.note and not w.missing:
            report.notes.append(f"memory, {w.label}: {w.note}")
    mine = per_node["chainrule"]
    report.target("<= 450 bytes per Value*Value node", mine, mine <= 450, f"{mine:.0f} B")
    for name, found in report.garbage.items():
        report.rows.append(["cyclic garbage, graph dropped", name, f"{found} objects", "", ""])
    cyclic = sum(found for name, found in report.garbage.items() if name.startswith("chainrule"))
    report.target(
        "no cyclic garbage from chainrule graphs", cyclic, cyclic == 0, f"{cyclic} objects"
    )


def run(config: dict[str, Any]) -> dict[str, Any]:
    """Every task; returns the table rows, notes and targets (and the raw timings)."""
    report = Report()
    for task in (_mlp_task, _chain_task, _cnn_task, _memory_task):
        task(report, config)
    return {
        "config": {
            **config,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "clock": "process CPU time",
        },
        "notes": report.notes,
        "header": HEADER,
        "rows": report.rows,
        "targets": report.targets,
        "timings": report.timings,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds: about 80 s")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    config = {**(QUICK if args.quick else FULL), "quick": args.quick}
    report = run(config)
    c = report["config"]
    print(
        f"chainrule benchmarks ({'quick' if args.quick else 'full'}): Python {c['python']}, "
        f"{c['cpus']} CPUs, one process per engine, medians of {c['rounds']} interleaved rounds "
        f"of {c['clock']}"
    )
    for note in report["notes"]:
        print(f"  {note}")
    print()
    print(table(report["rows"], report["header"]))
    print("\ntargets:")
    for t in report["targets"]:
        print(f"  [{VERDICTS[t['met']]}] {t['target']}: {t['shown']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2, default=str)
    return 0 if all(t["met"] is not False for t in report["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
