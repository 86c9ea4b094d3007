"""The ``demo`` command: plain versus difficulty-weighted training on noisy data.

Classification (the default): scikit-learn's digits with a share of the
training labels flipped. Regression (``--task regression``): scikit-learn's
diabetes data with a share of the training targets replaced by gross errors.
Both print a table of clean test scores, how well difficulty finds the
corrupted samples, and write plots.
"""

import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import HuberRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import Bunch

from ..estimate._defaults import default_estimator
from ..estimate._estimator import DifficultyEstimator
from ..utils._optional import installed
from ..weighting._modes import LABEL_MODES
from ..weighting._weights import WEIGHTING_MODES
from ._io import (
    CommandError,
    _check_folder,
    _existing_ancestor,
    _reason,
    check_fits,
    check_writable_file,
    require_pandas,
    write_atomically,
)

# The modes that read the difficulty alone (the label modes need held-out
# class probabilities, which a regression has not).
DEMO_MODES = tuple(
    mode for mode in WEIGHTING_MODES if mode != "none" and mode not in LABEL_MODES
)
"""The weighting modes that the demo compares, one table row each."""
# The recommended grid of difficulty_weights(strength=...).
DEMO_STRENGTHS = (0.5, 1.0, 2.0, 4.0, 8.0)
# Favoured samples weigh 2**4 = 16 times the median one: strong enough to mute
# most wrong labels under easy_first (the strength of the README's quickstart).
DEMO_STRENGTH = 4.0
# Beyond this, nearly all the weight sits on a handful of samples (and the
# weights overflow for very large values): no longer a weighting to compare.
MAX_STRENGTH = 64
# A flipped label must stay rarer than the true one among a digit's images:
# symmetric noise at rate r leaves 1 - r true labels and r / 9 of each wrong
# one; pair noise leaves 1 - r true and r of the next digit. Gross errors of
# regression targets must stay fewer than the right targets.
DEMO_NOISE_LIMITS = {"symmetric": 0.9, "pair": 0.5, "two-sided": 0.5, "one-sided": 0.5}
NOISE_KINDS = {
    "classification": ("symmetric", "pair"),
    "regression": ("two-sided", "one-sided"),
}
"""The ``--noise-kind`` values of each ``--task``; the first is the default."""
DEMO_PLOTS = ("difficulty.png", "weighting_modes.png")


def noise_kind(args):
    """``--noise-kind``, or the default of ``--task``."""
    return args.noise_kind or NOISE_KINDS[args.task][0]


# -- the table --------------------------------------------------------------


def _scores(model, data, task, balanced):
    from sklearn.metrics import (
        accuracy_score,
        balanced_accuracy_score,
        mean_squared_error,
    )

    y_pred = model.predict(data.X_test)
    if task == "regression":
        return {"mse": mean_squared_error(data.y_test, y_pred)}
    scores = {"accuracy": accuracy_score(data.y_test, y_pred)}
    if balanced:
        scores["balanced_accuracy"] = balanced_accuracy_score(data.y_test, y_pred)
    return scores


def demo_modes(balanced):
    """Modes of the table's weighted rows; "none" is class balancing alone."""
    return ("none", *DEMO_MODES) if balanced else DEMO_MODES


def _demo_grid(strengths, balanced):
    """Search space: no weighting, or any mode at any strength."""
    normalize = ["mean", "class"] if balanced else ["mean"]
    return [
        {"weighting": ["none"], "normalize": normalize},
        {
            "weighting": list(DEMO_MODES),
            "strength": list(strengths),
            "normalize": normalize,
        },
    ]


def _row(name, model, data, task, balanced, **settings):
    return {"model": name, **settings, **_scores(model, data, task, balanced)}


def _task_models(args, memory):
    """The plain model, the weighted one, and the search's scorer and folds.

    Regression also gets a robust-loss reference (Huber's). The validation
    folds of the grid search hold wrong labels (contaminated targets) too,
    and a score on them would reward fitting them. Classification scores
    with make_clean_scorer, which leaves out the validation samples whose
    held-out difficulty (by the resampled models of each candidate's
    difficulty, kept for that) stands out. Regression scores by the median
    absolute error, which the gross errors cannot sway: a clean mean squared
    error missed one-sided gross errors that had pulled the resampled models
    toward them.
    """
    from sklearn.metrics import accuracy_score, balanced_accuracy_score
    from sklearn.model_selection import KFold, StratifiedKFold

    from .._meta import DifficultyWeightedClassifier, DifficultyWeightedRegressor
    from .._scoring import make_clean_scorer

    balanced = args.imbalance is not None
    # One difficulty setting everywhere, so that the cache serves every model
    # fitted on the same training set; the grid search parallelizes instead.
    # The clean scorer of classification reads the kept models.
    difficulty = DifficultyEstimator(
        cv=args.cv,
        n_repeats=args.n_repeats,
        keep_estimators=args.task == "classification",
        random_state=args.random_state,
    )
    if args.task == "regression":
        base = default_estimator(regression=True)
        return Bunch(
            base=base,
            weighted=DifficultyWeightedRegressor(
                base, difficulty_estimator=difficulty, memory=memory
            ),
            references={
                "huber": make_pipeline(StandardScaler(), HuberRegressor(max_iter=1000))
            },
            scoring="neg_median_absolute_error",
            folds=KFold(args.search_cv, shuffle=True, random_state=args.random_state),
        )
    base = default_estimator()
    return Bunch(
        base=base,
        weighted=DifficultyWeightedClassifier(
            base,
            difficulty_estimator=difficulty,
            normalize="class" if balanced else "mean",
            memory=memory,
        ),
        references={},
        scoring=make_clean_scorer(
            balanced_accuracy_score if balanced else accuracy_score
        ),
        folds=StratifiedKFold(
            args.search_cv, shuffle=True, random_state=args.random_state
        ),
    )


def n_demo_steps(args):
    """Fits the demo makes before its grid search, plus the search: a bar each."""
    balanced = args.imbalance is not None
    references = 1 if args.task == "regression" else 0
    return 2 + references + len(demo_modes(balanced))


def demo_rows(data, args, memory, progress):
    """Fit the plain and the weighted models; one table row each.

    Returns the rows and the fitted difficulty of the whole training set.
    """
    from sklearn.model_selection import GridSearchCV

    task = args.task
    balanced = args.imbalance is not None
    models = _task_models(args, memory)
    X, y = data.X_train, data.y_train
    extra = {"normalize": models.weighted.normalize} if balanced else {}
    progress.set_description("plain model")
    plain = clone(models.base).fit(X, y)
    rows = [_row("plain", plain, data, task, balanced, weighting="none")]
    progress.update()
    for name, reference in models.references.items():
        progress.set_description(name)
        fitted = clone(reference).fit(X, y)
        rows.append(_row(name, fitted, data, task, balanced, weighting="none"))
        progress.update()
    fitted = {}
    for mode in demo_modes(balanced):
        progress.set_description(f"weighted: {mode}")
        model = clone(models.weighted).set_params(
            weighting=mode, strength=args.strength
        )
        fitted[mode] = model.fit(X, y)
        strength = {} if mode == "none" else {"strength": args.strength}
        settings = {"weighting": mode, **strength, **extra}
        rows.append(_row("weighted", model, data, task, balanced, **settings))
        progress.update()

    progress.set_description("grid search")
    search = GridSearchCV(
        models.weighted,
        _demo_grid(args.strengths, balanced),
        scoring=models.scoring,
        cv=models.folds,
        n_jobs=args.n_jobs,
        error_score="raise",
    ).fit(X, y)
    rows.append(
        _row("grid search", search, data, task, balanced, **_chosen(search, balanced))
    )
    progress.update()
    # Every weighted model read the same cached difficulty.
    fitted_difficulty = fitted[DEMO_MODES[0]].difficulty_estimator_
    return rows, fitted_difficulty


def _chosen(search, balanced):
    """The settings that the grid search chose, as table columns."""
    best = search.best_params_
    chosen = {"weighting": best["weighting"]}
    if best["weighting"] != "none":
        chosen["strength"] = best["strength"]
    if balanced:
        chosen["normalize"] = best["normalize"]
    return chosen


def format_table(rows, pandas):
    """The rows as an aligned text table, numbers to three decimals (the mean
    squared error to three significant digits)."""
    table = pandas.DataFrame(rows)
    settings = [
        c for c in ("model", "weighting", "strength", "normalize") if c in table
    ]
    table = table[settings + [c for c in table if c not in settings]]
    if "strength" in table:
        table["strength"] = table["strength"].map(
            lambda s: "-" if pandas.isna(s) else f"{s:g}"
        )
    if "mse" in table:
        table["mse"] = table["mse"].map(lambda v: f"{v:.4g}")
    table = table.fillna("-")
    return table.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def noise_auroc(flipped, difficulty):
    """AUROC with which difficulty ranks the corrupted samples; None without any."""
    from sklearn.metrics import roc_auc_score

    if flipped.all() or not flipped.any():
        return None
    return roc_auc_score(flipped, difficulty)


# -- plots -------------------------------------------------------------------


def write_demo_plots(data, difficulty, strengths, output_dir, task="classification"):
    """Save the demo's figures; return their paths."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    import matplotlib.pyplot as plt

    from ..plotting import DifficultyDisplay, WeightingDisplay

    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(
            f"--output-dir {output_dir}: cannot create it: {_reason(error)}"
        ) from None
    difficulty_plot, modes_plot = DEMO_PLOTS
    regression = task == "regression"
    displays = {
        difficulty_plot: DifficultyDisplay.from_estimator(
            difficulty,
            None if regression else data.y_train,
            highlight=data.flipped,
            highlight_label="contaminated target" if regression else "flipped label",
            # Log axes show the easy bulk and the hard tail at once; a sample
            # scored by one model only (n_repeats=1) has variance 0.
            log_scale=bool(np.all(difficulty.variance_ > 0)),
        ),
        modes_plot: WeightingDisplay.from_modes(modes=DEMO_MODES, strengths=strengths),
    }
    paths = []
    for name, display in displays.items():
        path = output_dir / name
        try:
            write_atomically(
                path,
                lambda file, f=display.figure_: f.savefig(file, format="png", dpi=100),
            )
        finally:
            plt.close(display.figure_)
        paths.append(path)
    return paths


# -- data and option checks ---------------------------------------------------


def _describe_data(data, args):
    kind = noise_kind(args)
    n_train, n_bad = data.y_train.shape[0], int(data.flipped.sum())
    fits = f"difficulty from {args.cv} x {args.n_repeats} resampled fits."
    if args.task == "regression":
        from ..datasets._regression import GROSS_ERROR_SIZE

        low, high = GROSS_ERROR_SIZE
        return (
            f"diabetes: {n_train} training rows, {n_bad} targets replaced by gross "
            f"errors ({kind}, {low:g} to {high:g} standard deviations off); mean "
            f"squared error (mse) on a clean test set of {data.y_test.shape[0]}; "
            f"{fits}"
        )
    imbalance = (
        "" if args.imbalance is None else f", classes imbalanced {args.imbalance:g}:1"
    )
    return (
        f"digits: {n_train} training images, {n_bad} labels flipped "
        f"({kind}{imbalance}); accuracy on a clean test set of "
        f"{data.y_test.shape[0]}; {fits}"
    )


def check_output_dir(path):
    """Fail unless the demo can write its plots in the folder ``path``.

    The folder may not exist yet (it is created), but then the nearest
    existing folder above it must take new files; a plot file already there
    is replaced, so it must be a writable file.
    """
    what = f"--output-dir {path}"
    folder = Path(path)
    if os.path.lexists(folder) and not folder.is_dir():
        raise CommandError(
            f"{what} exists and is not a folder; choose a folder for the plots."
        )
    if not folder.exists():
        _check_folder(_existing_ancestor(folder), what)
        return
    _check_folder(folder, what)
    for name in DEMO_PLOTS:
        check_writable_file(folder / name, f"{what}: {folder / name}")


def _check_task_options(args):
    kind = noise_kind(args)
    if kind not in NOISE_KINDS[args.task]:
        raise CommandError(
            f"--noise-kind {kind} is for the other task; with --task {args.task} "
            f"use {' or '.join(NOISE_KINDS[args.task])}."
        )
    if args.task == "regression" and args.imbalance is not None:
        raise CommandError(
            "--imbalance shrinks classes, which --task regression does not have; "
            "leave it out."
        )


def check_demo_options(args, plots=True):
    """Refuse the demo options that are out of range, before any work."""
    check_fits(args)
    _check_task_options(args)
    kind = noise_kind(args)
    limit = DEMO_NOISE_LIMITS[kind]
    if args.noise >= limit:
        why = (
            "as many targets are wrong as right, so no model can tell which"
            if args.task == "regression"
            else "a digit's images carry a wrong label as often as their true one, "
            "so no model can tell which labels were flipped"
        )
        raise CommandError(
            f"--noise must be >= 0 and < {limit:g} with --noise-kind {kind}; got "
            f"{args.noise:g}. From {limit:g} on, {why}."
        )
    if plots:
        check_output_dir(args.output_dir)


def _min_class_size(cv, search_cv):
    """Fewest samples of a class that every fold of the grid search holds, and
    every ``cv`` fold of the difficulty inside each search's training part.

    A stratified test fold holds at most ``ceil(n / search_cv)`` of the ``n``
    samples of a class, so its training part keeps ``n - ceil(n / search_cv)``.

    >>> _min_class_size(cv=5, search_cv=3)
    8
    >>> _min_class_size(cv=2, search_cv=2)
    4
    """
    n = search_cv
    while n - math.ceil(n / search_cv) < cv:
        n += 1
    return n


def _noisy_digits(args, imbalance):
    from ..datasets import load_noisy_digits

    return load_noisy_digits(
        noise=args.noise,
        kind=noise_kind(args),
        imbalance=imbalance,
        random_state=args.random_state,
    )


def _largest_imbalance(args, need):
    """About the largest ``--imbalance`` (in tenths) that leaves every digit
    ``need`` training images, or None when even 1 does not.

    The flips do not enter: the images kept fall with the ratio (each digit
    keeps a prefix of one random order), so a bisection finds the bound.
    """

    def enough(tenths):
        try:
            y = _noisy_digits(args, tenths / 10).y_train_clean
        except ValueError:  # a digit left without images
            return False
        return np.bincount(y, minlength=10).min() >= need

    # The training part has about 125 images of each digit: no ratio above
    # 250 leaves every digit one.
    low, high = 10, min(math.ceil(args.imbalance * 10), 5000)
    if not enough(low):
        return None
    while high - low > 1:
        middle = (low + high) // 2
        if enough(middle):
            low = middle
        else:
            high = middle
    return low / 10


def _fold_fixes(n, args):
    """Fold options with which ``n`` labels of a digit fill every fold."""
    fixes = []
    if args.search_cv <= n and (largest := n - math.ceil(n / args.search_cv)) >= 2:
        fixes.append(f"--cv {largest} or less")
    valid = [k for k in range(2, n + 1) if n - math.ceil(n / k) >= args.cv]
    if valid:
        fixes.append(f"--search-cv from {valid[0]} to {valid[-1]}")
    return fixes


def _regression_data(args):
    """The contaminated diabetes data; refused when the folds cannot be filled."""
    from ..datasets import load_contaminated_diabetes

    data = load_contaminated_diabetes(
        noise=args.noise, kind=noise_kind(args), random_state=args.random_state
    )
    need, n = _min_class_size(args.cv, args.search_cv), data.y_train.shape[0]
    if n >= need:
        return data
    fixes = _fold_fixes(n, args)
    remedy = "use " + ", or ".join(fixes) if fixes else "use fewer folds"
    raise CommandError(
        f"the diabetes data has {n} training rows, but the folds need at least "
        f"{need}: each of the {args.search_cv} folds of --search-cv must leave "
        f"enough rows for the {args.cv} --cv folds inside; {remedy}."
    )


def demo_data(args):
    """The demo's noisy data; refused when a class cannot fill every fold."""
    if args.task == "regression":
        return _regression_data(args)
    need = _min_class_size(args.cv, args.search_cv)
    imbalance = (
        "" if args.imbalance is None else f" with --imbalance {args.imbalance:g}"
    )
    try:
        data = _noisy_digits(args, args.imbalance)
    except ValueError:
        if args.imbalance is None:
            raise
        n, flips = 0, False
        problem = f"--imbalance {args.imbalance:g} leaves a digit without images"
    else:
        clean = np.bincount(data.y_train_clean, minlength=10)
        noisy = np.bincount(data.y_train, minlength=10)
        flips = clean.min() >= need
        counts = noisy if flips else clean
        if counts.min() >= need:
            return data
        digit, n = int(counts.argmin()), int(counts.min())
        problem = (
            f"digit {digit} keeps only {n} training labels after the flips"
            if flips
            else f"digit {digit} has only {n} training images{imbalance}"
        )
    fixes = _fold_fixes(n, args)
    if flips:
        fixes.insert(0, "a lower --noise")
    elif args.imbalance is not None:
        bound = _largest_imbalance(args, need)
        if bound is not None:
            fixes.insert(0, f"--imbalance at most about {bound:g}")
    remedy = "use " + ", or ".join(fixes) if fixes else "use fewer folds"
    raise CommandError(
        f"{problem}, but the folds need at least {need} of every digit: each of "
        f"the {args.search_cv} folds of --search-cv, and each of the {args.cv} "
        "--cv folds inside their training parts, must hold every digit; "
        f"{remedy}."
    )


# -- the command ---------------------------------------------------------------


def run_demo(args):
    """The ``demo`` command."""
    from threadpoolctl import threadpool_limits
    from tqdm.auto import tqdm

    pandas = require_pandas("The demo's table")
    plots = installed("matplotlib")
    check_demo_options(args, plots=plots)
    data = demo_data(args)
    print(_describe_data(data, args))
    # The matrices are small: BLAS threads in this process would only compete
    # with the joblib workers for the cores (and slow each fit down).
    with (
        tempfile.TemporaryDirectory(
            prefix="skdifficulty-", ignore_cleanup_errors=True
        ) as cache,
        threadpool_limits(limits=1),
        tqdm(
            total=n_demo_steps(args), file=sys.stderr, disable=args.quiet, leave=False
        ) as bar,
    ):
        from joblib import Memory

        rows, difficulty = demo_rows(data, args, Memory(cache, verbose=0), bar)
    print(format_table(rows, pandas))
    what = "contaminated targets" if args.task == "regression" else "flipped labels"
    auroc = noise_auroc(data.flipped, difficulty.difficulty_)
    if auroc is None:
        none = (
            "target was contaminated"
            if args.task == "regression"
            else "label was flipped"
        )
        print(f"{what} found by difficulty: n/a (no {none})")
    else:
        print(f"{what} found by difficulty with AUROC {auroc:.3f}")
    if not plots:
        print(
            "plots skipped: matplotlib is not installed "
            '(pip install "skdifficulty[plot]")',
            file=sys.stderr,
        )
        return
    paths = write_demo_plots(
        data, difficulty, args.strengths, args.output_dir, task=args.task
    )
    for path in paths:
        print(f"wrote {path}")
