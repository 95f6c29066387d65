"""NER's matrix products: thinc's BLIS against numpy's OpenBLAS held to one thread, in one process.

    python bench/ner_ops_bench.py [--rounds 8]

privacy_guard/detect/blas.py runs spaCy's NER on numpy's OpenBLAS, one thread at a time. This
script measures what that buys on the real-traffic workload of issue 12 (~1 KB prompts mixing
EN/FR prose, code, logs and data, and a 100 KB agent paste, from bench/workloads.py): the same
detector scans the same texts with the NER layers on each kind of ops in turn, rounds
interleaved so that the machine's drift hits both alike; it prints the median wall and CPU
time. CPU above wall would mean BLAS threads ran beside the scan.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from workloads import agent_paste, load_examples, mixed_examples  # noqa: E402

from privacy_guard import Detector  # noqa: E402
from privacy_guard.detect import blas, ner  # noqa: E402


def set_ops(detector: Detector, ops: Any) -> None:
    for language in ("en", "fr"):
        blas.use_ops(detector._ner.pipeline(language), ops)


def timed(run: Callable[[], object]) -> tuple[float, float]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args(argv)
    if blas.ner_ops() is None:
        print("numpy's BLAS here is not an OpenBLAS that can be held to one thread: nothing to do")
        return 0
    from thinc.api import NumpyOps

    examples = load_examples()
    detector = Detector()
    detector.warm_up()
    prompts = [e.text for e in mixed_examples(examples, 100)]
    paste = agent_paste(examples, 100_000, 99)
    for text in prompts:  # every later round scans new texts (a suffix), but warm caches
        detector.scan(text)
    guard: Callable[[], AbstractContextManager[None]] = ner.one_blas_thread
    modes: dict[str, tuple[Any, Callable[[], AbstractContextManager[None]]]] = {
        "BLIS (thinc's default)": (NumpyOps(), contextlib.nullcontext),
        "numpy OpenBLAS, 1 thread": (blas.ner_ops(), guard),
    }
    found: dict[str, dict[str, list[float]]] = {
        mode: {"prompt": [], "prompt_cpu": [], "paste": [], "paste_cpu": []} for mode in modes
    }
    try:
        for round_ in range(args.rounds):
            for mode, (ops, held) in modes.items():
                set_ops(detector, ops)
                ner.one_blas_thread = held  # type: ignore[assignment]
                tag = f" {round_}{len(mode)}"
                wall, cpu = timed(lambda: [detector.scan(t + tag) for t in prompts])  # noqa: B023
                found[mode]["prompt"].append(wall / len(prompts) * 1000)
                found[mode]["prompt_cpu"].append(cpu / len(prompts) * 1000)
                wall, cpu = timed(lambda: detector.scan(paste + tag))  # noqa: B023
                found[mode]["paste"].append(wall * 1000)
                found[mode]["paste_cpu"].append(cpu * 1000)
    finally:
        ner.one_blas_thread = guard  # type: ignore[assignment]
        set_ops(detector, blas.ner_ops())
    print(f"NER ops, whole detection, median of {args.rounds} interleaved rounds (ms)")
    print(f"{'':28}{'1 KB mixed':>12}{'cpu':>8}{'100 KB paste':>14}{'cpu':>8}")
    for mode, figures in found.items():
        keys = ("prompt", "prompt_cpu", "paste", "paste_cpu")
        row = [statistics.median(figures[key]) for key in keys]
        print(f"{mode:28}{row[0]:>12.2f}{row[1]:>8.2f}{row[2]:>14.1f}{row[3]:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
