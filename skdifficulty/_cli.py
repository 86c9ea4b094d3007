"""The work behind the command line: the demo and the scoring of a data file.

``__main__`` parses the arguments and reports errors; the functions here do
the work and raise :class:`CommandError` for anything the user can fix.
"""

import contextlib
import importlib.util
import math
import os
import stat
import sys
import tempfile
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ._difficulty import DifficultyEstimator

ESTIMATORS = ("logistic", "forest", "hgb")
"""Names accepted by ``score --estimator``."""

DEMO_MODES = ("easy_first", "hard_first", "medium_first", "two_ends")
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
# one; pair noise leaves 1 - r true and r of the next digit.
DEMO_NOISE_LIMITS = {"symmetric": 0.9, "pair": 0.5}
DEMO_PLOTS = ("difficulty.png", "weighting_modes.png")

MAX_FITS = 100_000
"""Most resampled fits (``--cv`` x ``--n-repeats``) a command may plan."""

_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz")
_PARQUET_SUFFIXES = (".parquet", ".pq")


class CommandError(Exception):
    """A problem the user can fix: reported in one line, without a traceback."""


# -- optional dependencies -------------------------------------------------


def require_pandas(purpose):
    """Import pandas, or say which extra provides it."""
    try:
        import pandas
    except ImportError:
        raise CommandError(
            f"{purpose} needs pandas, which is not installed; install it with "
            'pip install "skdifficulty[pandas]".'
        ) from None
    return pandas


def installed(name):
    """Whether module ``name`` can be imported, without importing it."""
    return importlib.util.find_spec(name) is not None


def _require_pyarrow(path):
    if not installed("pyarrow"):
        raise CommandError(
            f"{path}: Parquet files need pyarrow, which is not installed; install "
            'it with pip install pyarrow (or pip install "skdifficulty[pandas]").'
        )


# -- files -------------------------------------------------------------------


def table_format(path):
    """``"csv"`` or ``"parquet"``, from the file name's extension."""
    name = str(path).lower()
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    if name.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    raise CommandError(
        f"{path}: cannot tell the file format from the extension; use a .csv "
        "(optionally compressed, e.g. .csv.gz) or a .parquet file."
    )


def read_table(path):
    """The CSV or Parquet file at ``path`` as a DataFrame."""
    pandas = require_pandas("Reading a data file")
    kind = table_format(path)
    if Path(path).is_dir():
        raise CommandError(f"{path}: is a folder, not a data file.")
    if not Path(path).is_file():
        raise CommandError(f"{path}: no such file.")
    if kind == "parquet":
        _require_pyarrow(path)
    try:
        if kind == "parquet":
            return pandas.read_parquet(path)
        # low_memory=False: type each column from all its rows, not per chunk,
        # which would mix numbers and strings in one column.
        return pandas.read_csv(path, low_memory=False)
    except (OSError, ValueError, UnicodeDecodeError, pandas.errors.ParserError) as e:
        raise CommandError(f"{path}: cannot read it as {kind}: {e}") from None


def same_file(first, second):
    """Whether two paths name one file, however each is spelled.

    Relative or absolute, with ``.`` or ``..`` segments, through a symbolic
    link, or a hard link: the paths are compared resolved, and by device and
    inode when both exist.

    >>> same_file("data.csv", "./sub/../data.csv")
    True
    >>> same_file("data.csv", "scores.csv")
    False
    """
    if os.path.normcase(os.path.realpath(first)) == os.path.normcase(
        os.path.realpath(second)
    ):
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (yet)
        return False


def _existing_ancestor(path):
    """The nearest of ``path``'s folders (itself excluded) that exists."""
    for folder in Path(os.path.abspath(path)).parents:
        if os.path.lexists(folder):
            return folder
    return Path(os.path.abspath(os.sep))  # pragma: no cover (the root exists)


def _writable(path):
    return os.access(path, os.W_OK)


def _check_folder(folder, what):
    """Fail unless ``folder`` exists, is a folder, and takes new files."""
    folder = Path(folder)
    if not folder.exists():
        above = _existing_ancestor(folder)
        if not above.is_dir():
            raise CommandError(f"{what}: {above} is a file, not a folder.")
        raise CommandError(f"{what}: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise CommandError(f"{what}: {folder} is a file, not a folder.")
    if not (_writable(folder) and os.access(folder, os.X_OK)):
        raise CommandError(
            f"{what}: cannot create files in the folder {folder} (permission "
            "denied); choose another place."
        )


def check_writable_file(path, what):
    """Fail unless a file can be written (or replaced) at ``path``.

    ``what`` names the file in the messages, e.g. ``"--output scores.csv"``.
    """
    target = Path(os.path.realpath(path))  # a symbolic link is written through
    if target.is_dir():
        raise CommandError(f"{what} is a folder, not a file.")
    if target.exists() and not _writable(target):
        raise CommandError(
            f"{what} exists and is not writable (permission denied); make it "
            "writable or choose another file."
        )
    _check_folder(target.parent, what)


def check_output(path, data=None):
    """Fail early, before any fit, on an output file that cannot be written.

    ``data``, the input file, is never written over: an output that names it
    (however spelled) is refused.
    """
    if path is None:
        return
    kind = table_format(path)
    if data is not None and same_file(path, data):
        raise CommandError(
            f"--output {path} is the input file {data}: writing the scores "
            "there would destroy the data; choose another output file."
        )
    if kind == "parquet":
        _require_pyarrow(path)
    check_writable_file(path, f"--output {path}")


def _new_file_mode(target):
    """Permissions for a new ``target``: those of the file it replaces, or the
    default of a new file (0o666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path, write):
    """Call ``write(temporary_path)``, then move the result onto ``path``.

    The temporary file sits in the same folder and ends with the same name
    (the extension tells pandas the compression), so that ``os.replace`` is
    atomic: a failed or interrupted write leaves any old ``path`` whole and no
    partial file. A symbolic link at ``path`` is written through.
    """
    target = os.path.realpath(path)
    folder, name = os.path.split(target)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=".tmp-", suffix=f"-{name}", dir=folder
        )
    except OSError as error:
        raise CommandError(f"{path}: cannot write it: {_reason(error)}") from None
    os.close(handle)
    done = False
    try:
        os.chmod(temporary, _new_file_mode(target))
        write(temporary)
        os.replace(temporary, target)
        done = True
    except OSError as error:
        raise CommandError(f"{path}: cannot write it: {_reason(error)}") from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.remove(temporary)


def _reason(error):
    return error.strerror or str(error)


def write_table(frame, path):
    """Write ``frame`` to ``path`` by its extension, or as CSV to stdout."""
    if path is None:
        frame.to_csv(sys.stdout, index=False)
    elif table_format(path) == "parquet":
        write_atomically(path, lambda file: frame.to_parquet(file, index=False))
    else:
        write_atomically(path, lambda file: frame.to_csv(file, index=False))


# -- features and target ----------------------------------------------------


def _as_text(column):
    """Values as strings; missing values stay missing (one dtype for the encoder)."""
    return column.map(str, na_action="ignore").astype(object)


def _numeric_share(column, pandas):
    """Share of the non-missing values of a text column that read as numbers."""
    present = column.dropna()
    parsed = pandas.to_numeric(present.astype(str), errors="coerce")
    return parsed.notna().mean() if present.size else 0.0


def _finite(name, values):
    """``values``, refused when infinite: imputation fills NaN only."""
    if np.isinf(values.to_numpy()).any():
        raise CommandError(
            f"feature column {name!r} has infinite values; replace them, or leave "
            "those cells empty to have them imputed."
        )
    return values


def _feature_column(name, column, forced_categorical, pandas):
    """``(kind, values)``: kind "numeric" or "categorical", values ready to encode."""
    api = pandas.api.types
    if column.isna().all():
        raise CommandError(
            f"feature column {name!r} has no values (every row is missing); "
            "drop it with --drop."
        )
    if name in forced_categorical:
        return "categorical", _as_text(column)
    if api.is_bool_dtype(column) or (
        api.is_numeric_dtype(column) and not api.is_complex_dtype(column)
    ):
        return "numeric", _finite(name, column.astype("float64"))
    if not (
        api.is_object_dtype(column)
        or api.is_string_dtype(column)
        or isinstance(column.dtype, pandas.CategoricalDtype)
    ):
        raise CommandError(
            f"feature column {name!r} has dtype {column.dtype}, which score cannot "
            "encode; convert it to numbers or text, or drop it with --drop."
        )
    share = _numeric_share(column, pandas)
    if share == 1:  # numbers stored as text
        numbers = pandas.to_numeric(column.astype(object), errors="coerce")
        return "numeric", _finite(name, numbers.astype("float64"))
    if share > 0:
        example = column.dropna().astype(str)
        text = example[pandas.to_numeric(example, errors="coerce").isna()].iloc[0]
        raise CommandError(
            f"feature column {name!r} mixes numbers and text (e.g. {text!r}), so it "
            "can be encoded neither as numbers nor as categories. Leave a cell "
            "empty for a missing number (it is imputed), name the column in "
            "--categorical to one-hot encode every value, or drop it with --drop."
        )
    return "categorical", _as_text(column)


def _check_names(names, frame, option):
    unknown = [name for name in names if name not in frame.columns]
    if unknown:
        raise CommandError(
            f"{option} names columns that are not in the file: {unknown}; "
            f"the columns are {_column_list(frame)}."
        )


def _column_list(frame, limit=20):
    names = [str(c) for c in frame.columns[:limit]]
    more = f" and {frame.shape[1] - limit} more" if frame.shape[1] > limit else ""
    return ", ".join(names) + more


def split_features(frame, target, *, drop=(), categorical=()):
    """Feature DataFrame, and the numeric and categorical column names.

    The returned frame is new; ``frame`` is left as it was.
    """
    pandas = require_pandas("Scoring a data file")
    if target not in frame.columns:
        raise CommandError(
            f"target column {target!r} is not in the file; the columns are "
            f"{_column_list(frame)}."
        )
    _check_names(drop, frame, "--drop")
    _check_names(categorical, frame, "--categorical")
    columns, kinds = {}, {"numeric": [], "categorical": []}
    for name in frame.columns:
        if name == target or name in drop:
            continue
        kind, values = _feature_column(name, frame[name], set(categorical), pandas)
        columns[name] = values
        kinds[kind].append(name)
    if not columns:
        raise CommandError(
            f"no feature columns are left besides the target {target!r}."
        )
    X = pandas.DataFrame(columns, index=frame.index)
    return X, kinds["numeric"], kinds["categorical"]


def target_values(frame, target, task):
    """The target column as an array, checked for ``task``."""
    pandas = require_pandas("Scoring a data file")
    y = frame[target]
    n_missing = int(y.isna().sum())
    if n_missing:
        raise CommandError(
            f"target column {target!r} has {n_missing} missing values; every row "
            "needs a target (drop those rows first)."
        )
    if task == "regression":
        if not pandas.api.types.is_numeric_dtype(y) or pandas.api.types.is_bool_dtype(
            y
        ):
            raise CommandError(
                f"target column {target!r} has dtype {y.dtype}; --task regression "
                "needs numbers."
            )
        return y.to_numpy(dtype=np.float64)
    classes = y.unique()
    if classes.size < 2:
        raise CommandError(
            f"target column {target!r} has a single class ({classes[0]!r}); "
            "classification needs at least two."
        )
    return y.to_numpy()


def regression_hint(y):
    """A note when a classification target looks like a quantity, else None."""
    n_unique = np.unique(y).size
    if np.issubdtype(y.dtype, np.floating) and n_unique > max(20, y.shape[0] // 2):
        return (
            f"note: the target has {n_unique} distinct values, each treated as a "
            "class; if it is a quantity, use --task regression."
        )
    return None


# -- the estimator for score ------------------------------------------------


def _model(name, task):
    classification = task == "classification"
    if name == "logistic":
        return LogisticRegression(max_iter=1000) if classification else Ridge()
    if name == "forest":
        return RandomForestClassifier() if classification else RandomForestRegressor()
    if classification:
        return HistGradientBoostingClassifier()
    return HistGradientBoostingRegressor()


def make_estimator(name, task, numeric, categorical):
    """Imputation, one-hot encoding (and scaling for linear models), then the model.

    Missing numbers get the column's median; missing categories get their own
    category "missing"; categories not seen in a fit are encoded as all zeros.
    """
    numeric_steps = [SimpleImputer(strategy="median")]
    if name == "logistic":
        numeric_steps.append(StandardScaler())
    transformers = []
    if numeric:
        transformers.append(("numeric", make_pipeline(*numeric_steps), numeric))
    if categorical:
        encode = make_pipeline(
            SimpleImputer(strategy="constant", fill_value="missing"),
            OneHotEncoder(handle_unknown="ignore"),
        )
        transformers.append(("categorical", encode, categorical))
    # Histogram gradient boosting needs dense input.
    sparse_threshold = 0.0 if name == "hgb" else 0.3
    columns = ColumnTransformer(transformers, sparse_threshold=sparse_threshold)
    return Pipeline([("columns", columns), ("model", _model(name, task))])


def score_frame(frame, args):
    """Difficulty, bias, variance and n_evaluations of every row of ``frame``."""
    pandas = require_pandas("Scoring a data file")
    X, numeric, categorical = split_features(
        frame, args.target, drop=args.drop, categorical=args.categorical
    )
    y = target_values(frame, args.target, args.task)
    if args.task == "classification" and (hint := regression_hint(y)):
        print(hint, file=sys.stderr)
    estimator = DifficultyEstimator(
        make_estimator(args.estimator, args.task, numeric, categorical),
        cv=args.cv,
        n_repeats=args.n_repeats,
        keep_estimators=False,
        n_jobs=args.n_jobs,
        random_state=args.random_state,
        verbose=int(not args.quiet),
    )
    try:
        estimator.fit(X, y)
    except ValueError as error:
        raise CommandError(f"cannot score {args.data}: {error}") from error
    return pandas.DataFrame(
        {
            "difficulty": estimator.difficulty_,
            "bias": estimator.bias_,
            "variance": estimator.variance_,
            "n_evaluations": estimator.n_evaluations_,
        }
    )


def check_fits(args):
    """Refuse a plan of more than MAX_FITS resampled fits, before any work."""
    n_fits = args.cv * args.n_repeats
    if n_fits > MAX_FITS:
        raise CommandError(
            f"--cv {args.cv} x --n-repeats {args.n_repeats} plans {n_fits} fits; "
            f"at most {MAX_FITS} are allowed: use --n-repeats "
            f"{max(1, MAX_FITS // args.cv)} or less."
        )


def run_score(args):
    """The ``score`` command."""
    check_fits(args)
    check_output(args.output, data=args.data)
    scores = score_frame(read_table(args.data), args)
    write_table(scores, args.output)
    if args.output is not None:
        print(f"wrote {len(scores)} rows to {args.output}", file=sys.stderr)


# -- the demo ----------------------------------------------------------------


def _accuracies(model, data, balanced):
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    y_pred = model.predict(data.X_test)
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


def _row(name, model, data, balanced, **settings):
    return {"model": name, **settings, **_accuracies(model, data, balanced)}


def demo_rows(data, args, memory, progress):
    """Fit the plain and the weighted models; one table row each.

    Returns the rows and the fitted difficulty of the whole training set.
    """
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from ._meta import DifficultyWeightedClassifier

    balanced = args.imbalance is not None
    normalize = "class" if balanced else "mean"
    base = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    # One difficulty setting everywhere, so that the cache serves every model
    # fitted on the same training set; the grid search parallelizes instead.
    weighted = DifficultyWeightedClassifier(
        base,
        difficulty=DifficultyEstimator(
            cv=args.cv,
            n_repeats=args.n_repeats,
            keep_estimators=False,
            random_state=args.random_state,
        ),
        normalize=normalize,
        memory=memory,
    )
    X, y = data.X_train, data.y_train
    extra = {"normalize": normalize} if balanced else {}
    progress.set_description("plain model")
    rows = [_row("plain", clone(base).fit(X, y), data, balanced, weighting="none")]
    progress.update()
    fitted = {}
    for mode in demo_modes(balanced):
        progress.set_description(f"weighted: {mode}")
        model = clone(weighted).set_params(weighting=mode, strength=args.strength)
        fitted[mode] = model.fit(X, y)
        strength = {} if mode == "none" else {"strength": args.strength}
        settings = {"weighting": mode, **strength, **extra}
        rows.append(_row("weighted", model, data, balanced, **settings))
        progress.update()

    progress.set_description("grid search")
    search = GridSearchCV(
        weighted,
        _demo_grid(args.strengths, balanced),
        scoring="balanced_accuracy" if balanced else "accuracy",
        cv=StratifiedKFold(
            args.search_cv, shuffle=True, random_state=args.random_state
        ),
        n_jobs=args.n_jobs,
        error_score="raise",
    ).fit(X, y)
    rows.append(
        _row("grid search", search, data, balanced, **_chosen(search, balanced))
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
    """The rows as an aligned text table, numbers to three decimals."""
    table = pandas.DataFrame(rows)
    settings = [
        c for c in ("model", "weighting", "strength", "normalize") if c in table
    ]
    table = table[settings + [c for c in table if c not in settings]]
    if "strength" in table:
        table["strength"] = table["strength"].map(
            lambda s: "-" if pandas.isna(s) else f"{s:g}"
        )
    table = table.fillna("-")
    return table.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def noise_auroc(flipped, difficulty):
    """AUROC with which difficulty ranks the flipped labels; None without flips."""
    from sklearn.metrics import roc_auc_score

    if flipped.all() or not flipped.any():
        return None
    return roc_auc_score(flipped, difficulty)


def write_demo_plots(data, difficulty, strengths, output_dir):
    """Save the demo's figures; return their paths."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window
    import matplotlib.pyplot as plt

    from .plotting import DifficultyDisplay, WeightingDisplay

    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(
            f"--output-dir {output_dir}: cannot create it: {_reason(error)}"
        ) from None
    difficulty_plot, modes_plot = DEMO_PLOTS
    displays = {
        difficulty_plot: DifficultyDisplay.from_estimator(
            difficulty,
            data.y_train,
            highlight=data.flipped,
            highlight_label="flipped label",
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


def _describe_data(data, args):
    n_train, n_flipped = data.y_train.shape[0], int(data.flipped.sum())
    imbalance = (
        "" if args.imbalance is None else f", classes imbalanced {args.imbalance:g}:1"
    )
    return (
        f"digits: {n_train} training images, {n_flipped} labels flipped "
        f"({args.noise_kind}{imbalance}); accuracy on a clean test set of "
        f"{data.y_test.shape[0]}; difficulty from {args.cv} x {args.n_repeats} "
        "resampled fits."
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


def check_demo_options(args, plots=True):
    """Refuse the demo options that are out of range, before any work."""
    check_fits(args)
    limit = DEMO_NOISE_LIMITS[args.noise_kind]
    if args.noise >= limit:
        raise CommandError(
            f"--noise must be >= 0 and < {limit:g} with --noise-kind "
            f"{args.noise_kind}; got {args.noise:g}. From {limit:g} on, a "
            "digit's images carry a wrong label as often as their true one, so "
            "no model can tell which labels were flipped."
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
    from .datasets import load_noisy_digits

    return load_noisy_digits(
        noise=args.noise,
        kind=args.noise_kind,
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


def demo_data(args):
    """The demo's noisy digits; refused when a digit cannot fill every fold."""
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


def run_demo(args):
    """The ``demo`` command."""
    from threadpoolctl import threadpool_limits
    from tqdm.auto import tqdm

    pandas = require_pandas("The demo's table")
    plots = installed("matplotlib")
    check_demo_options(args, plots=plots)
    data = demo_data(args)
    print(_describe_data(data, args))
    n_steps = 2 + len(demo_modes(args.imbalance is not None))
    # The matrices are small: BLAS threads in this process would only compete
    # with the joblib workers for the cores (and slow each fit down).
    with (
        tempfile.TemporaryDirectory(
            prefix="skdifficulty-", ignore_cleanup_errors=True
        ) as cache,
        threadpool_limits(limits=1),
        tqdm(total=n_steps, file=sys.stderr, disable=args.quiet, leave=False) as bar,
    ):
        from joblib import Memory

        rows, difficulty = demo_rows(data, args, Memory(cache, verbose=0), bar)
    print(format_table(rows, pandas))
    auroc = noise_auroc(data.flipped, difficulty.difficulty_)
    if auroc is None:
        print("flipped labels found by difficulty: n/a (no label was flipped)")
    else:
        print(f"flipped labels found by difficulty with AUROC {auroc:.3f}")
    if not plots:
        print(
            "plots skipped: matplotlib is not installed "
            '(pip install "skdifficulty[plot]")',
            file=sys.stderr,
        )
        return
    for path in write_demo_plots(data, difficulty, args.strengths, args.output_dir):
        print(f"wrote {path}")
