"""What the benchmarks measure with: peak and current RSS, latency percentiles, progress."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def current_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def percentiles(latencies_ms: Sequence[float]) -> tuple[float, float, float]:
    if not latencies_ms:
        return 0.0, 0.0, 0.0
    p50, p95, p99 = np.percentile(np.asarray(latencies_ms), [50, 95, 99])
    return float(p50), float(p95), float(p99)


def time_each(function: Callable[[str], Any], questions: Sequence[str]) -> list[float]:
    """Latency of each call in ms."""
    latencies = []
    for question in questions:
        started = time.perf_counter()
        function(question)
        latencies.append((time.perf_counter() - started) * 1000.0)
    return latencies
