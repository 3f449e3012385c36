"""Memory: bytes per graph node, and whether a dropped graph is freed without the collector.

Bytes come from tracemalloc, which sees every allocation Python's allocators make; for
PyTorch, whose tensors live in its own C++ allocator, the resident set size stands in.
"""

from __future__ import annotations

import gc
import os
import tracemalloc
from collections.abc import Callable
from typing import Any

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def bytes_per_node(make: Callable[[float], Any], n: int = 10_000) -> float:
    """tracemalloc bytes held by a chain of n Value * Value nodes (the graph as built)."""
    gc.collect()
    tracemalloc.start()
    try:
        x, w = make(0.5), make(1.0)
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            x = x * w
        return (tracemalloc.get_traced_memory()[0] - before) / n
    finally:
        tracemalloc.stop()


def _resident_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def rss_bytes_per_node(make: Callable[[float], Any], n: int = 200_000) -> float:
    """Growth of the resident set per Value * Value node: for engines tracemalloc can't see."""
    gc.collect()
    x, w = make(0.5), make(1.0)
    before = _resident_bytes()
    for _ in range(n):
        x = x * w
    used = _resident_bytes() - before
    del x
    return used / n


def cyclic_garbage(run: Callable[[], Any]) -> int:
    """Objects the cyclic collector finds after `run()` built and dropped its graph.

    With the collector disabled during run(), whatever reference counting could not free
    is still there for gc.collect() to find: 0 means no reference cycles.
    """
    gc.collect()
    gc.disable()
    try:
        run()
        return gc.collect()
    finally:
        gc.enable()
