"""Speed and memory of DifficultyEstimator, as ratios measured in one run.

Tables:

1. overhead: ``DifficultyEstimator(n_repeats=1, cv=5)`` against a bare
   ``cross_val_predict(method="predict_proba")`` on the same folds, on digits
   with logistic regression (the fits dominate) and on a small data set
   (iris, where the fixed per-fit cost shows).
2. parallel speed-up: ``n_jobs=2`` against ``n_jobs=1`` (5 x 5 folds on
   digits). BLAS is limited to one thread per process in both
   (``threadpoolctl`` here; joblib gives each of its worker processes
   ``cpu_count // n_jobs`` threads), so the speed-up measures the processes
   and not BLAS threads fighting over the same cores.
3. peak memory against ``n_repeats`` (should be flat) and ``n_samples``
   (should be linear): each configuration in a fresh subprocess, reading
   ``ru_maxrss``; ``n_jobs=1``, ``keep_estimators=False``, Gaussian naive
   Bayes (a fast fit; the memory under test is the library's, not the model's).
4. the grid-cache cost, imported from ``bench_weighting``.

Timed runs are interleaved and the median of the per-repeat ratios printed.

Run: ``python benchmarks/bench_speed.py [--repeats 5] [--skip-memory]
[--skip-grid]``
"""

import argparse
import cProfile
import io
import json
import pstats
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skdifficulty import DifficultyEstimator

MIB = 2.0**20


def scaled_lr():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def interleaved(runs, repeats):
    """Wall times of each named run, the runs alternating within each repeat."""
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, function in runs.items():
            times[name].append(timed(function))
    return {name: np.array(values) for name, values in times.items()}


# -- 1. overhead against cross_val_predict -----------------------------------


def overhead_runs(X, y, estimator, keep_estimators=True):
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    difficulty = DifficultyEstimator(
        estimator, cv=cv, n_repeats=1, keep_estimators=keep_estimators, random_state=0
    )
    return {
        "cross_val_predict": lambda: cross_val_predict(
            estimator, X, y, cv=cv, method="predict_proba"
        ),
        "DifficultyEstimator": lambda: difficulty.fit(X, y),
    }


def run_overhead(repeats):
    print(
        "1. DifficultyEstimator(n_repeats=1, cv=5) / cross_val_predict(predict_proba),"
    )
    print("   same StratifiedKFold folds, n_jobs=1, one BLAS thread")
    print(f"{'case':<34} {'cvp s':>8} {'diff s':>8} {'ratio':>6}")
    digits, iris = load_digits(), load_iris()
    cases = [
        ("digits 1797x64, scaled LR", digits.data, digits.target, scaled_lr()),
        ("iris 150x4, scaled LR", iris.data, iris.target, scaled_lr()),
        ("iris 150x4, GaussianNB", iris.data, iris.target, GaussianNB()),
    ]
    for label, X, y, estimator in cases:
        # Tiny fits are timed in batches so each timing is well above clock noise.
        batch = 1 if X.shape[0] > 1000 else 20
        runs = overhead_runs(X, y, estimator)
        batched = {
            k: (lambda f=f, b=batch: [f() for _ in range(b)]) for k, f in runs.items()
        }
        times = interleaved(batched, repeats)
        ratio = np.median(times["DifficultyEstimator"] / times["cross_val_predict"])
        cvp = np.median(times["cross_val_predict"]) / batch
        diff = np.median(times["DifficultyEstimator"]) / batch
        print(f"{label:<34} {cvp:8.4f} {diff:8.4f} {ratio:6.3f}")


def profile_overhead(top=12):
    """Where DifficultyEstimator's time goes on iris, beyond the fits."""
    iris = load_iris()
    fit = overhead_runs(iris.data, iris.target, GaussianNB())["DifficultyEstimator"]
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(50):
        fit()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    # Only the library's own steps and the cloning: the rest is the fits.
    stats.print_stats(r"_difficulty|_decomposition|_resampling|_validation|clone", top)
    print()
    print("1'. profile of 50 DifficultyEstimator fits, iris + GaussianNB (cumulative)")
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line))


# -- 2. parallel speed-up ----------------------------------------------------


def run_parallel(repeats):
    print()
    print("2. n_jobs=2 / n_jobs=1: DifficultyEstimator(cv=5, n_repeats=5), digits,")
    print("   scaled LR, one BLAS thread per process in both")
    digits = load_digits()
    X, y = digits.data, digits.target

    def fit(n_jobs):
        return lambda: DifficultyEstimator(
            scaled_lr(), n_jobs=n_jobs, keep_estimators=False, random_state=0
        ).fit(X, y)

    fit(2)()  # start the worker processes once, outside the timing
    times = interleaved({"n_jobs=1": fit(1), "n_jobs=2": fit(2)}, repeats)
    speedup = times["n_jobs=1"] / times["n_jobs=2"]
    print(f"{'n_jobs=1 s':>11} {'n_jobs=2 s':>11} {'speed-up':>9}")
    print(
        f"{np.median(times['n_jobs=1']):11.2f} {np.median(times['n_jobs=2']):11.2f} "
        f"{np.median(speedup):9.2f}"
    )
    print(f"   per repeat: {', '.join(f'{s:.2f}' for s in speedup)}")
    # The same comparison for pure-Python work in joblib: if this control does
    # not speed up either, the machine has no idle core to give.
    control = interleaved(
        {
            n: (lambda n=n: Parallel(n_jobs=n)(delayed(_spin)() for _ in range(8)))
            for n in (1, 2)
        },
        repeats,
    )
    print(
        f"   control (pure-Python loop in joblib): speed-up "
        f"{np.median(control[1] / control[2]):.2f}"
    )


def _spin(n=2_000_000):
    """CPU-bound work that holds no lock and uses no BLAS."""
    total = 0
    for i in range(n):
        total += i
    return total


# -- 3. peak memory in fresh processes ---------------------------------------


def peak_rss_mib():
    unit = 1.0 if sys.platform == "darwin" else 1024.0  # bytes on macOS, KiB else
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * unit / MIB


def memory_child(n_samples, n_repeats):
    """Body of one subprocess: peak RSS before and after the fit, as JSON."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=20,
        n_informative=10,
        n_classes=10,
        random_state=0,
    )
    before = peak_rss_mib()
    DifficultyEstimator(
        GaussianNB(), n_repeats=n_repeats, keep_estimators=False, random_state=0
    ).fit(X, y)
    print(json.dumps({"before": before, "peak": peak_rss_mib()}))


def measure_memory(n_samples, n_repeats):
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import bench_speed; "
        f"bench_speed.memory_child({n_samples}, {n_repeats})"
    )
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
    out = subprocess.run(
        [sys.executable, "-c", code, here], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_memory(n_samples, repeat_grid, sample_grid):
    print()
    print("3. peak RSS (MiB) of a fresh process, GaussianNB, 5-fold, n_jobs=1,")
    print(
        "   keep_estimators=False; 'data' = peak after imports and make_classification,"
    )
    print("   'fit adds' = peak after the fit minus 'data'")
    header = (
        f"{'n_samples':>9} {'n_repeats':>9} {'data':>8} {'peak':>8} {'fit adds':>9}"
    )
    scans = [
        ("3a. against n_repeats", [(n_samples, r) for r in repeat_grid]),
        ("3b. against n_samples", [(n, repeat_grid[0]) for n in sorted(sample_grid)]),
    ]
    for title, rows in scans:
        print(title)
        print(header)
        for n, r in rows:
            result = measure_memory(n, r)
            added = result["peak"] - result["before"]
            print(
                f"{n:9d} {r:9d} {result['before']:8.1f} {result['peak']:8.1f} "
                f"{added:9.1f}"
            )


# -- 4. grid-cache cost ------------------------------------------------------


def run_grid(repeats):
    from bench_weighting import run_grid_cache

    run_grid_cache(repeats, uncached_repeats=1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-grid", action="store_true")
    parser.add_argument("--memory-samples", type=int, default=200_000)
    parser.add_argument(
        "--memory-repeats", type=int, nargs="+", default=[1, 2, 5, 10, 20]
    )
    parser.add_argument(
        "--sample-grid",
        type=int,
        nargs="+",
        default=[50_000, 100_000, 200_000, 400_000],
    )
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore", category=UserWarning)
    with threadpool_limits(1):
        run_overhead(args.repeats)
        if args.profile:
            profile_overhead()
        run_parallel(args.repeats)
        if not args.skip_memory:
            run_memory(args.memory_samples, args.memory_repeats, args.sample_grid)
        if not args.skip_grid:
            run_grid(max(1, args.repeats // 2))


if __name__ == "__main__":
    main()
