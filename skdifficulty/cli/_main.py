"""The parser and the dispatch of ``python -m skdifficulty``."""

import argparse
import math
import os
import sys

from .. import __version__
from ..estimate._defaults import MODELS
from ._demo import (
    DEMO_NOISE_LIMITS,
    DEMO_STRENGTH,
    DEMO_STRENGTHS,
    MAX_STRENGTH,
    NOISE_KINDS,
    run_demo,
)
from ._io import MAX_FITS, CommandError
from ._score import run_score

PROG = "skdifficulty"

DESCRIPTION = """\
Measure how hard each training sample is, and train with difficulty weights.

A sample's difficulty is its expected loss under models trained without it:
the data are split many times (repeated K-fold), a model is fitted on each
training part, and every sample is scored by the models that did not see it.
Wrong labels, rare classes and samples near the class boundary come out hard.
The difficulty splits into bias (the mean prediction is wrong) plus variance
(the predictions disagree)."""

EPILOG = """\
examples:
  skdifficulty demo
      digits with 30% of the training labels flipped: plain versus
      difficulty-weighted accuracy, and plots in ./skdifficulty_demo
  skdifficulty demo --noise 0.4 --noise-kind pair --imbalance 10
  skdifficulty demo --task regression
      diabetes with 30% of the training targets grossly wrong: plain
      versus difficulty-weighted ridge regression, and Huber's robust loss
  skdifficulty score data.csv --target label --output scores.csv \\
      --report report.html
      one row per row of data.csv, in the same order: difficulty, the
      label the held-out models suggest, and a flag on the rows to check;
      a summary on stderr, and a page with plots and a sortable table
  skdifficulty score houses.parquet --target price --task regression \\
      --estimator hgb --drop id

Run "skdifficulty COMMAND --help" for the options of a command."""

SCORE_DESCRIPTION = """\
Score every row of a CSV or Parquet file (format from the extension) and flag
the rows to check, written in the same row order to --output or to stdout as
CSV. The columns: row (position in the file, from 0), difficulty_rank (1 for
the hardest row), flagged, then for classification given_label,
suggested_label (the label the held-out models favour), suggested_proba and
given_proba (their mean held-out probabilities), for regression given_value,
predicted_value (the mean held-out prediction) and residual; then
difficulty, bias, variance and n_evaluations (how many held-out models scored
the row). A summary goes to stderr: rows flagged per class, the rows to
check first, and what to do next.

Flagged rows: for classification, the hardest rows, as many as the share of
wrong labels that confident learning (Northcutt et al., 2021) estimates from
the held-out probabilities; for regression, the rows whose residuals lie more
than 3.5 robust standard deviations (1.4826 x MAD) from the median, both
taken over the rows not flagged. --flag-share sets the share instead.

Every column but the target (and --drop) is a feature. Numeric columns are
used as numbers: missing values are imputed with the column's median (inside
each resampled fit, from its training part only). Text columns are one-hot
encoded, a missing value being its own category "missing"; a category that a
fit did not see is encoded as all zeros. Parquet files need pyarrow."""

SCORE_EPILOG = """\
examples:
  skdifficulty score data.csv --target label > scores.csv
  skdifficulty score data.parquet --target label --estimator forest \\
      --output scores.parquet
  skdifficulty score data.csv --target y --task regression --drop id
  skdifficulty score data.csv --target label --output scores.csv \\
      --report report.html --flag-share 0.05

The rows with the largest difficulty are the first to check for a wrong
label; a large variance means the models disagree, a large bias that they
agree on another answer."""

DEMO_DESCRIPTION = """\
Flip a share of the labels of scikit-learn's digits (shipped with
scikit-learn, nothing is downloaded), then compare on the clean test set a
plain scaled logistic regression with the same model trained with
difficulty-based sample weights: each weighting mode at a fixed strength, and
the mode and strength that a grid search picks by cross-validation on the
noisy labels, as you would on your own data (scored by make_clean_scorer,
which leaves out the validation labels that the held-out difficulty finds
wrong). Also prints how well difficulty finds the flipped labels (AUROC), and
writes plots to --output-dir.

With --task regression: replace a share of the training targets of
scikit-learn's diabetes data by gross errors, and compare by the mean squared
error on the clean test set a plain scaled ridge regression, Huber's robust
regression, and ridge regression with difficulty weights (the grid search
scores by the median absolute error, which the gross errors in its folds
cannot sway)."""


def _number(kind, low, *, low_closed=True, high=None, high_closed=False, name=""):
    """An argparse type for a ``kind`` number between ``low`` and ``high``.

    Each bound is included when ``low_closed`` (``high_closed``) is true.

    >>> _number(int, 2, high=10, high_closed=True, name="--cv")("10")
    10
    >>> _number(float, 0, high=1, name="--noise")("1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: --noise must be >= 0 and < 1; got 1
    """

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'an integer' if kind is int else 'a number'}"
            ) from None
        too_low = value < low if low_closed else value <= low
        too_high = high is not None and (value > high if high_closed else value >= high)
        if too_low or too_high or not math.isfinite(value):
            bound = f">= {low}" if low_closed else f"> {low}"
            if high is not None:
                bound += f" and <= {high}" if high_closed else f" and < {high}"
            raise argparse.ArgumentTypeError(f"{name} must be {bound}; got {text}")
        return value

    return parse


def _n_jobs(text):
    value = _number(int, -(2**31), name="--n-jobs")(text)
    if value == 0:
        raise argparse.ArgumentTypeError(
            "--n-jobs must not be 0: use a positive count, or -1 for all cores"
        )
    return value


def _common_options(*, n_repeats):
    """Options shared by the commands: resampling, parallelism, seed, progress."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("difficulty estimation")
    group.add_argument(
        "--cv",
        type=_number(int, 2, high=MAX_FITS, high_closed=True, name="--cv"),
        default=5,
        metavar="K",
        help="folds per repeat of the K-fold splits (default: %(default)s)",
    )
    group.add_argument(
        "--n-repeats",
        type=_number(int, 1, high=MAX_FITS, high_closed=True, name="--n-repeats"),
        default=n_repeats,
        metavar="R",
        help="repeats of the K-fold splits; K x R models are fitted, at most "
        f"{MAX_FITS} (default: %(default)s)",
    )
    group.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=-1,
        metavar="N",
        help="fits run in parallel on N cores; -1: all cores (default: %(default)s)."
        " Results do not depend on it.",
    )
    group.add_argument(
        "--random-state",
        type=_number(int, 0, high=2**32 - 1, high_closed=True, name="--random-state"),
        default=0,
        metavar="SEED",
        help="seed of the splits and models: the same seed gives the same "
        "results (default: %(default)s)",
    )
    group.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar on stderr"
    )
    return parent


def _add_score(commands):
    parser = commands.add_parser(
        "score",
        parents=[_common_options(n_repeats=5)],
        help="difficulty of every row of your CSV or Parquet file",
        description=SCORE_DESCRIPTION,
        epilog=SCORE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("data", metavar="DATA", help="a .csv or .parquet file")
    parser.add_argument(
        "--target", required=True, metavar="COLUMN", help="the column to predict"
    )
    parser.add_argument(
        "--task",
        choices=("classification", "regression"),
        default="classification",
        help="classification scores the log loss, regression the squared error "
        "(default: %(default)s; a numeric target is still classification "
        "unless you say regression)",
    )
    parser.add_argument(
        "--estimator",
        choices=MODELS,
        default="logistic",
        help="logistic: scaled logistic regression (ridge regression for "
        "--task regression); forest: random forest; hgb: histogram gradient "
        "boosting (default: %(default)s)",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the scores to FILE (.csv or .parquet) instead of stdout; "
        "FILE may not be DATA itself",
    )
    parser.add_argument(
        "--drop",
        nargs="+",
        default=[],
        metavar="COLUMN",
        help="columns that are not features (identifiers, free text)",
    )
    parser.add_argument(
        "--categorical",
        nargs="+",
        default=[],
        metavar="COLUMN",
        help="one-hot encode these columns even if they hold numbers "
        "(e.g. codes such as zip codes)",
    )
    parser.add_argument(
        "--flag-share",
        type=_number(float, 0, high=1, high_closed=True, name="--flag-share"),
        metavar="SHARE",
        help="flag this share of the rows (0 to 1): the hardest ones, or for "
        "regression those with the largest residuals (default: estimated from "
        "the data, see above)",
    )
    parser.add_argument(
        "--report",
        metavar="FILE.html",
        help="also write a self-contained web page with the summary, plots of "
        "the difficulty, and a sortable table of the hardest rows (needs "
        "matplotlib); FILE.html may not be DATA or the --output file",
    )
    parser.set_defaults(run=run_score)


def _add_demo(commands):
    parser = commands.add_parser(
        "demo",
        parents=[_common_options(n_repeats=2)],
        help="label noise on digits: plain versus difficulty-weighted accuracy",
        description=DEMO_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--task",
        choices=tuple(NOISE_KINDS),
        default="classification",
        help="classification: flipped labels of digits; regression: grossly "
        "wrong targets of diabetes (default: %(default)s)",
    )
    parser.add_argument(
        "--noise",
        type=_number(float, 0, high=1, name="--noise"),
        default=0.3,
        help="share of the training labels to flip (targets to contaminate): "
        f"below {DEMO_NOISE_LIMITS['symmetric']:g} for symmetric noise, below "
        f"{DEMO_NOISE_LIMITS['pair']:g} for the others (default: %(default)s)",
    )
    parser.add_argument(
        "--noise-kind",
        choices=tuple(kind for kinds in NOISE_KINDS.values() for kind in kinds),
        help="classification: symmetric (a flipped label becomes any other "
        "digit; the default) or pair (digit d becomes d + 1); regression: "
        "two-sided (a wrong target is 3 to 6 standard deviations too high or "
        "too low; the default) or one-sided (too high)",
    )
    parser.add_argument(
        "--imbalance",
        type=_number(float, 1, name="--imbalance"),
        metavar="RATIO",
        help="shrink the training classes geometrically so that digit 0 has "
        "RATIO times as many images as digit 9; adds balanced accuracy and "
        "per-class weight normalization",
    )
    parser.add_argument(
        "--strength",
        type=_number(float, 0, high=MAX_STRENGTH, high_closed=True, name="--strength"),
        default=DEMO_STRENGTH,
        help="strength of each weighting mode in the table, 0 to "
        f"{MAX_STRENGTH:g} (default: %(default)s)",
    )
    parser.add_argument(
        "--strengths",
        type=_number(float, 0, high=MAX_STRENGTH, high_closed=True, name="--strengths"),
        nargs="+",
        default=list(DEMO_STRENGTHS),
        metavar="S",
        help=f"strengths the grid search tries with every mode, 0 to {MAX_STRENGTH:g}"
        " (default: %(default)s)",
    )
    parser.add_argument(
        "--search-cv",
        type=_number(int, 2, high=MAX_FITS, high_closed=True, name="--search-cv"),
        default=3,
        metavar="K",
        help="folds of the grid search; every digit needs a training label in "
        "each fold, and in each --cv fold inside (default: %(default)s)",
    )
    parser.add_argument(
        "--output-dir",
        default="skdifficulty_demo",
        metavar="DIR",
        help="folder for the plots (default: ./%(default)s)",
    )
    parser.set_defaults(run=run_demo)


def build_parser():
    """The argument parser of the ``skdifficulty`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    commands.required = True
    _add_demo(commands)
    _add_score(commands)
    return parser


def main(argv=None):
    """Run the command line; return the exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    status : int
        - 0 on success (``--help`` and ``--version`` included);
        - 1 when the output pipe closed early (e.g. piped into ``head``);
        - 2 when the arguments or the data are wrong (the reason is printed
          to stderr as "skdifficulty: error: ...");
        - 130 when interrupted (Ctrl-C), as shells report it.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error
        return exit_.code
    try:
        args.run(args)
    except CommandError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into head: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error at exit
        return 1
    return 0

