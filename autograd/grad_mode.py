"""Grad mode: whether ops record a graph, per thread; and no_grad to switch it off.

The flags live in one thread-local object; `plain` is True in the common case (recording,
no anomaly detection). Reading a thread-local costs more than the rest of making a node,
so the factory first reads `threads_not_plain`, a plain global that is 0 unless some
thread is inside no_grad or detect_anomaly. anomaly.py sets its flag through `set_flags`.
"""

from __future__ import annotations

import contextlib
import threading


class _Mode(threading.local):
    """Per-thread flags; class attributes are each new thread's defaults."""

    recording = True
    anomaly = False
    plain = True


mode = _Mode()
threads_not_plain = 0  # how many threads have `plain` False; while 0, no thread need look
_count_lock = threading.Lock()


def set_flags(*, recording: bool | None = None, anomaly: bool | None = None) -> None:
    """Change this thread's flags and keep `plain` and `threads_not_plain` in step with them."""
    global threads_not_plain
    was_plain = mode.plain
    if recording is not None:
        mode.recording = recording
    if anomaly is not None:
        mode.anomaly = anomaly
    mode.plain = mode.recording and not mode.anomaly
    if mode.plain != was_plain:
        with _count_lock:
            threads_not_plain += -1 if mode.plain else 1


def is_grad_enabled() -> bool:
    """True when ops in this thread record the graph for backward."""
    return mode.recording


class FlagSetter(contextlib.ContextDecorator):
    """Context manager and decorator: set one of this thread's flags inside, restore it after.

    Subclasses name the flag and its value inside. It nests, and each decorated call gets
    its own saved state, so one decorated function is safe to call from several threads.
    """

    flag = ""
    value = False

    def __init__(self) -> None:
        self._saved: list[bool] = []  # a stack, so one instance may be entered twice

    def _recreate_cm(self) -> FlagSetter:
        return type(self)()

    def __enter__(self) -> FlagSetter:
        self._saved.append(getattr(mode, self.flag))
        set_flags(**{self.flag: self.value})
        return self

    def __exit__(self, *exc: object) -> None:
        set_flags(**{self.flag: self._saved.pop()})


class no_grad(FlagSetter):
    """Context manager and decorator: ops inside record no graph (results have no parents).

    As in PyTorch, it affects only the current thread, and nests.
    """

    flag, value = "recording", False
