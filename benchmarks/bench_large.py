"""Wall time and peak memory of DifficultyEstimator on a large data set.

Scores 1,000,000 samples x 20 features x 10 classes (``make_classification``)
with a multinomial logistic regression (lbfgs, ``tol=1e-3``) and repeated
stratified 5-fold resampling, then shows how the peak memory grows with
``n_repeats`` (it should not: held-out predictions are folded into running
sums) and with ``n_samples`` (linearly).

Every configuration runs in a fresh Python process, because the peak resident
set size (``resource.getrusage(...).ru_maxrss``) of a process only ever grows.
The figures are the peak of that process and of its reaped children. Fits run
with ``n_jobs=1`` by default: with several workers each one holds its own
training part, so the memory adds up across processes, and joblib's loky
workers outlive the fit and are never counted as reaped children.

Run: ``python benchmarks/bench_large.py [--n-samples 1000000] [--n-repeats 1]
[--scan-samples 200000] [--skip-scans] [--n-jobs 1] [--blas-threads 1]``
"""

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from skdifficulty import DifficultyEstimator

MIB = 2.0**20


def peak_rss_mib():
    """Peak resident set size of this process and of its reaped children."""
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    unit = 1.0 if sys.platform == "darwin" else 1024.0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) * unit / MIB


def current_rss_mib():
    """Resident set size now (Linux only; NaN elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return float("nan")
    return pages * resource.getpagesize() / MIB


def make_data(n_samples, n_features, n_classes, seed):
    return make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=10,
        n_redundant=5,
        n_classes=n_classes,
        n_clusters_per_class=1,
        random_state=seed,
    )


def run_one(config):
    """Generate the data and fit once; return the measured figures."""
    X, y = make_data(
        config["n_samples"], config["n_features"], config["n_classes"], seed=0
    )
    peak_data = peak_rss_mib()
    rss_before_fit = current_rss_mib()
    estimator = DifficultyEstimator(
        # A loose tolerance: the ranking of samples does not need a tight fit.
        LogisticRegression(tol=1e-3, max_iter=200),
        cv=config["cv"],
        n_repeats=config["n_repeats"],
        keep_estimators=False,
        n_jobs=config["n_jobs"],
        random_state=0,
    )
    # Spinning BLAS threads on a busy machine can slow lbfgs twentyfold.
    with threadpool_limits(limits=config["blas_threads"]):
        start = time.perf_counter()
        estimator.fit(X, y)
        wall = time.perf_counter() - start
    return {
        **config,
        "wall_s": wall,
        "data_mib": X.nbytes / MIB,
        "peak_after_data_mib": peak_data,
        "rss_before_fit_mib": rss_before_fit,
        "peak_mib": peak_rss_mib(),
        "mean_difficulty": float(np.mean(estimator.difficulty_)),
    }


def measure(config):
    """Run ``run_one`` in a fresh interpreter, so that its peak is its own."""
    completed = subprocess.run(
        [sys.executable, __file__, "--one", json.dumps(config)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def print_row(result):
    print(
        f"{result['n_samples']:>9} {result['n_repeats']:>7} "
        f"{result['cv'] * result['n_repeats']:>4} {result['wall_s']:>8.1f} "
        f"{result['data_mib']:>8.0f} {result['peak_after_data_mib']:>10.0f} "
        f"{result['rss_before_fit_mib']:>10.0f} {result['peak_mib']:>8.0f} "
        f"{result['peak_mib'] - result['rss_before_fit_mib']:>8.0f}",
        flush=True,
    )


def print_header(title):
    print(f"\n{title}")
    print(
        f"{'n_samples':>9} {'repeats':>7} {'fits':>4} {'wall_s':>8} "
        f"{'X_MiB':>8} {'data_peak':>10} {'before_fit':>10} {'peak_MiB':>8} "
        f"{'fit_MiB':>8}",
        flush=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1_000_000)
    parser.add_argument("--n-features", type=int, default=20)
    parser.add_argument("--n-classes", type=int, default=10)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--n-repeats", type=int, default=1)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--blas-threads", type=int, default=1)
    parser.add_argument("--scan-samples", type=int, default=200_000)
    parser.add_argument("--skip-scans", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one:
        print(json.dumps(run_one(json.loads(args.one))))
        return

    base = {
        "n_features": args.n_features,
        "n_classes": args.n_classes,
        "cv": args.cv,
        "n_jobs": args.n_jobs,
        "blas_threads": args.blas_threads,
    }
    print(
        f"LogisticRegression(tol=1e-3), {args.n_features} features, "
        f"{args.n_classes} classes, cv={args.cv}, n_jobs={args.n_jobs}, "
        f"BLAS threads={args.blas_threads}; "
        "peak = ru_maxrss of a fresh process (data generation included); "
        "fit = peak - resident size just before fit"
    )
    print_header("Large input")
    print_row(
        measure({**base, "n_samples": args.n_samples, "n_repeats": args.n_repeats})
    )
    if args.skip_scans:
        return
    print_header(f"Peak memory against n_repeats (n_samples={args.scan_samples})")
    for n_repeats in (1, 2, 4):
        print_row(
            measure({**base, "n_samples": args.scan_samples, "n_repeats": n_repeats})
        )
    print_header("Peak memory against n_samples (n_repeats=1)")
    for share in (0.25, 0.5, 1.0, 2.0):
        n_samples = int(args.scan_samples * share)
        print_row(measure({**base, "n_samples": n_samples, "n_repeats": 1}))


if __name__ == "__main__":
    main()
