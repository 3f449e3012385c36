"""One engine on one task, in its own process, timed on command from the runner.

A process per engine keeps each one's heap to itself: PyTorch's import alone adds about
150,000 objects that every full collection of the cyclic garbage collector would scan
during the other engines' steps, and micrograd's cyclic garbage would be collected on
someone else's clock. The runner still interleaves the engines round by round.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
import traceback
from typing import Any

from . import memory, tasks

clock = time.process_time  # CPU time: other programs on a shared machine don't count


def _serve(conn: Any, task: str, engine: str, size: int, setup: Any) -> None:
    """The worker's loop: build the case, then answer commands until told to stop.

    Every reply is ("ok", value), ("missing", why) or ("error", traceback text).
    """
    try:
        run, label, note = tasks.build(task, engine, size, setup)
        conn.send(("ok", (label, note)))
        while True:
            command, arg = conn.recv()
            if command == "stop":
                return
            conn.send(("ok", _answer(run, command, arg)))
    except tasks.Missing as missing:
        conn.send(("missing", str(missing)))
    except Exception:
        conn.send(("error", traceback.format_exc()))


def _answer(run: Any, command: str, arg: Any) -> Any:
    if command == "call":  # one untimed call: warm-up, and the result to compare
        start = clock()
        result = run()
        return result, clock() - start
    if command == "time":  # seconds per call over `arg` back-to-back calls
        if arg > 1:  # a fast engine starts warm, whatever the last engine did to the caches
            run()
        gc.collect()  # start clean: no earlier garbage is collected on this clock
        start = clock()
        for _ in range(arg):
            run()
        gc.collect()  # but the garbage these calls left is theirs, as in a training loop
        return (clock() - start) / arg
    if command == "compile_seconds":  # a compiled engine's one-off cost, None for others
        return getattr(run, "compile_seconds", None)
    if command == "garbage":  # objects left for the cyclic collector by one call
        return memory.cyclic_garbage(run)
    raise ValueError(f"unknown command {command!r}")


class Worker:
    """The runner's handle on one worker process; `label` and `note` come from the worker."""

    def __init__(
        self, task: str, engine: str, size: int = 0, key: str | None = None, setup: Any = None
    ) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter, no shared heap
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, task, engine, size, setup), daemon=True
        )
        self.process.start()
        child.close()
        self.name = f"{task}/{engine}" + (f" N={size:,}" if size else "")
        self.missing: str | None = None
        self.label, self.note = engine, ""
        try:
            self.label, self.note = self._reply()
        except tasks.Missing as missing:
            self.missing = self.note = str(missing)
        self.key = key or self.label  # what the results are filed under

    def _reply(self) -> Any:
        try:
            status, value = self.conn.recv()
        except EOFError:
            raise RuntimeError(f"benchmark worker {self.name} died without a word") from None
        if status == "missing":
            raise tasks.Missing(value)
        if status == "error":
            raise RuntimeError(f"benchmark worker {self.name} failed:\n{value}")
        return value

    def ask(self, command: str, arg: Any = None) -> Any:
        self.conn.send((command, arg))
        return self._reply()

    def close(self) -> None:
        if self.process.is_alive():
            try:
                self.conn.send(("stop", None))
            except OSError:
                pass
        self.process.join(timeout=10)
        self.conn.close()
