"""Timing: engines interleaved with a reference, so machine noise hits all of them alike.

Each engine (a worker process) is first called once, as a warm-up whose result is kept to
check that every engine computed the same numbers. Then come rounds: a round times every
engine once, in an order rotated from round to round, and times the reference (the
handwritten baseline) before the first engine and after each one. An engine's ratio in
a round is its time over the mean of the two reference times around it, so a burst of
load from other programs lands on both sides of the ratio. The table shows medians over
rounds, of times and of ratios; fast engines repeat enough times per sample to measure.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from .worker import Worker


def measure(
    workers: Sequence[Worker], reference: str, rounds: int, seconds: float
) -> dict[str, Any]:
    """For each installed engine, by key: its warm-up result, median seconds per call and
    median ratio to the reference (the worker whose key is `reference`)."""
    live = [w for w in workers if w.missing is None]
    results: dict[str, dict[str, Any]] = {}
    for w in live:
        checked, first = w.ask("call")
        reps = max(1, round(seconds / max(first, 1e-9)))
        results[w.key] = {"result": checked, "reps": reps, "samples": [], "ratios": []}

    def sample(w: Worker) -> float:
        t = w.ask("time", results[w.key]["reps"])
        results[w.key]["samples"].append(t)
        return t

    ref = next(w for w in live if w.key == reference)
    others = [w for w in live if w is not ref]
    for r in range(rounds):
        shift = r % max(1, len(others))
        before = sample(ref)
        for w in others[shift:] + others[:shift]:
            t = sample(w)
            after = sample(ref)
            results[w.key]["ratios"].append(t / ((before + after) / 2))
            before = after
    for key, entry in results.items():
        entry["median"] = statistics.median(entry["samples"])
        entry["ratio"] = statistics.median(entry["ratios"]) if key != reference else 1.0
    return results


def agree(a: Any, b: Any, rel: float = 1e-9) -> bool:
    """Results equal up to rounding (numbers, or tuples of numbers)."""
    if isinstance(a, tuple):
        return len(a) == len(b) and all(agree(x, y, rel) for x, y in zip(a, b))
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=1e-12)


def human_time(seconds: float) -> str:
    """Three significant digits in the largest unit that keeps them (999.6 ms is 1 s)."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale * 0.9995:  # what rounds to 1000 of a unit is 1 of the next
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def table(rows: list[Sequence[str]], header: Sequence[str]) -> str:
    """Plain-text table, left-aligned text, columns sized to fit (Markdown-compatible)."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])
