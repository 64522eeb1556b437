"""Benchmark of the PSY explosive-root tests: the fast path against a straightforward
implementation, and absolute times on this machine. Ratios are measured in one run.

    python benchmarks/psy_benchmark.py            # the full benchmark (about two minutes)
    python benchmarks/psy_benchmark.py --quick    # a small version, for a smoke test

The straightforward implementation fits one statsmodels OLS per window (the ADF
regression of that window), T^2/2 fits in all. The test series is a seeded random walk
(synthetic, for timing only).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import statsmodels.api as sm

from helpers.psy import default_r0, minimum_window, monte_carlo_critical_values, psy_statistics


def straightforward(y: np.ndarray, r0: float, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """BSADF and forward ADF sequences by one OLS regression per window."""
    observations = len(y)
    window = minimum_window(observations, r0)
    bsadf, forward = [], []
    for end in range(window - 1, observations):
        best = -np.inf
        for start in range(0, end - window + 2):
            x = y[start: end + 1]
            dy = np.diff(x)
            rows = len(dy) - lags
            columns = [x[lags: lags + rows]] + [dy[lags - lag: lags - lag + rows] for lag in range(1, lags + 1)]
            design = sm.add_constant(np.column_stack(columns), has_constant="add")
            t = sm.OLS(dy[lags:], design).fit().tvalues[1]
            best = max(best, t)
            if start == 0:
                forward.append(t)
        bsadf.append(best)
    return np.array(bsadf), np.array(forward)


def timed(function, repeats: int) -> float:
    """Median seconds of ``repeats`` calls (after one warm-up call)."""
    function()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    args = parser.parse_args()
    rng = np.random.default_rng(20150101)
    size = 200 if args.quick else 1000
    y = np.cumsum(rng.standard_normal(size))
    r0 = default_r0(size)

    print(f"PSY benchmark (T = {size}, r0 = {r0:.4f}, lag 0): fast path vs one statsmodels OLS per window")
    started = time.perf_counter()
    slow_bsadf, slow_forward = straightforward(y, r0, 0)
    slow = time.perf_counter() - started
    fast = timed(lambda: psy_statistics(y, r0, 0), 5)
    result = psy_statistics(y, r0, 0)
    difference = max(np.max(np.abs(result.bsadf - slow_bsadf)), np.max(np.abs(result.forward - slow_forward)))
    print(f"  straightforward: {slow:.1f} s; fast: {fast * 1e3:.1f} ms; ratio {slow / fast:,.0f}x")
    print(f"  largest difference in any BSADF or SADF value: {difference:.2e} (target below 1e-8)")

    print("Absolute times of the full BSADF/GSADF computation (median of 7 runs):")
    for observations, lags, target in ((1000, 0, 20), (1000, 1, 60), (1500, 0, 50)):
        if args.quick and observations > 1000:
            continue
        series = np.cumsum(rng.standard_normal(observations))
        seconds = timed(lambda: psy_statistics(series, None, lags), 7)
        print(f"  T = {observations}, lag {lags}: {seconds * 1e3:.1f} ms (target under {target} ms)")

    replications = 200 if args.quick else 2000
    with tempfile.TemporaryDirectory() as cache:  # an empty cache: the simulation really runs
        started = time.perf_counter()
        monte_carlo_critical_values(600, None, 0, replications, seed=1, cache_dir=Path(cache))
        seconds = time.perf_counter() - started
    print(f"Monte Carlo critical values, T = 600, {replications} replications: {seconds:.1f} s (target under 30 s)")


if __name__ == "__main__":
    main()
