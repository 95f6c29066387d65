"""NER's matrix products on numpy's OpenBLAS, held to one thread while NER runs.

spaCy's small pipelines multiply small matrices (tens of tokens by 96-288 features) in every
layer of NER. thinc does that with BLIS by default; at these shapes numpy's OpenBLAS is about 3x
faster per product here (`bench/ner_ops_bench.py` compares them), which makes a NER call 20-30 %
cheaper. But OpenBLAS spreads any product above 262,144 multiply-adds over every core, and its
worker threads spin while they wait for the next one: on a 2-core gateway that doubles NER's CPU
time and takes a core from request handling. So while any NER call runs, OpenBLAS is held at one
thread — a process-wide setting, restored when the last concurrent NER call ends; code of the
host application multiplying matrices at that moment runs single-threaded for those
milliseconds. Where numpy's BLAS is not an OpenBLAS that threadpoolctl can control (numpy built
on MKL or Accelerate), thinc keeps BLIS and nothing is changed.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import threading
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

__all__ = ["ner_ops", "one_blas_thread", "use_ops"]


class _OneThread:
    """Counts the NER calls in progress; the first sets OpenBLAS to one thread, the last puts
    back what it found."""

    def __init__(self, get_threads: Callable[[], int], set_threads: Callable[[int], None]) -> None:
        self._get = get_threads
        self._set = set_threads
        self._lock = threading.Lock()
        self._running = 0
        self._saved = 0

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._running == 0:
                self._saved = self._get()
                self._set(1)
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._set(self._saved)


# OpenBLAS's exported names, as builds spell them (numpy's wheels: `scipy_` and `64_`).
_PREFIXES = ("", "scipy_")
_SUFFIXES = ("", "64_", "_64")


@cache
def _numpy_openblas() -> _OneThread | None:
    """numpy's OpenBLAS, if it can be held to one thread."""
    try:
        import numpy
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    try:
        blas = str(numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"])
    except (KeyError, TypeError, ValueError):
        return None
    if "openblas" not in blas.lower():
        return None  # MKL, Accelerate, ...: their threading is not what was measured
    # threadpoolctl finds the loaded library; the calls go to it directly, since threadpoolctl
    # lets only the first Python thread that sets a limit set any (NER runs in many threads).
    found = ThreadpoolController().select(internal_api="openblas").lib_controllers
    if len(found) != 1:
        return None
    library = ctypes.CDLL(str(found[0].filepath))
    for prefix, suffix in itertools.product(_PREFIXES, _SUFFIXES):
        get = getattr(library, f"{prefix}openblas_get_num_threads{suffix}", None)
        set_ = getattr(library, f"{prefix}openblas_set_num_threads{suffix}", None)
        if get is not None and set_ is not None:
            get.restype, set_.restype = ctypes.c_int, None
            set_.argtypes = [ctypes.c_int]
            return _OneThread(get, set_)
    return None


def ner_ops() -> Any | None:
    """thinc ops that multiply with numpy's OpenBLAS, or None: keep thinc's BLIS."""
    if _numpy_openblas() is None:
        return None
    from thinc.api import NumpyOps

    return NumpyOps(use_blis=False)


def use_ops(nlp: Any, ops: Any) -> None:
    """Give every layer of every component of the spaCy pipeline `nlp` the thinc `ops`."""
    for _, component in nlp.pipeline:
        for layer in component.model.walk():
            layer.ops = ops


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """OpenBLAS at one thread for the duration (see the module's docstring)."""
    guard = _numpy_openblas()
    if guard is None:
        yield
        return
    with guard.held():
        yield
