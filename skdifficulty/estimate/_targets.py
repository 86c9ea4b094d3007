"""The rules of each task: class labels or real targets, checked, scored, stored.

:class:`Classification` and :class:`Regression` each check the targets,
resolve the loss, encode a model's predictions for it, say how many outputs
the accumulators hold, and give the fitted target attributes; the estimator
asks the one of its task (:func:`task_of`) and never branches on it.
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

from ..nets._rules import is_skorch_net
from ..utils._validation import (
    check_class_labels,
    check_regression_targets,
    label_codes,
)
from ._decomposition import DECOMPOSABLE_LOSSES, make_accumulator
from ._predictions import PredictionCheck


def task_of(estimator):
    """The task of ``estimator``: :class:`Classification` or :class:`Regression`."""
    return Classification if is_classifier(estimator) else Regression


def target_type(y):
    """scikit-learn's ``type_of_target``, or None where it cannot tell."""
    try:
        return type_of_target(y, input_name="y")
    except (ValueError, TypeError):
        return None  # left to the target checks, whose errors name the problem


class _Task:
    """What both tasks share: the loss, its accumulators and prediction checks.

    Parameters
    ----------
    loss : str
        The resolved loss.
    eps : float
        The clipping of the log loss.
    classes : ndarray or None, default=None
        The class labels (classification).
    net : bool, default=False
        Whether the estimator ends in a skorch net (for the hints of the
        prediction checks).
    """

    def __init__(self, loss, eps, *, classes=None, net=False):
        self.loss = loss
        self.eps = eps
        self.classes = classes
        self.net = net

    @property
    def method(self):
        """The prediction method that the loss scores."""
        return "predict_proba" if self.loss in ("log_loss", "brier") else "predict"

    @property
    def score_names(self):
        """The score columns: the difficulty, and its split where the loss has one."""
        if self.loss in DECOMPOSABLE_LOSSES:
            return ["difficulty", "bias", "variance"]
        return ["difficulty"]

    def stack(self, scores):
        """The score columns side by side, as ``transform`` returns them."""
        return np.column_stack([scores[name] for name in self.score_names])

    def check_method(self, estimator):
        """Refuse an estimator without the prediction method of the loss."""
        if not hasattr(estimator, self.method):
            raise TypeError(
                f"loss={self.loss!r} needs {self.method}, which "
                f"{type(estimator).__name__} does not have. Use a classifier with "
                "predict_proba, or loss='zero_one'."
            )

    def accumulator(self, n_samples, targets=None):
        """An empty accumulator of the loss for ``n_samples`` samples."""
        kwargs = {"eps": self.eps} if self.loss == "log_loss" else {}
        return make_accumulator(self.loss, n_samples, self.n_outputs, targets, **kwargs)

    def encode(self, result, where):
        """Check a model's prediction and put it on the accumulator's axis."""
        return self._encode(PredictionCheck(result, self.method, where, net=self.net))


class Classification(_Task):
    """Class labels, scored by probabilities (or predicted labels) per class."""

    stratify = True

    @staticmethod
    def check_targets(estimator, y):
        """``y`` for the fits, the codes the losses compare with, and the classes."""
        classes, y_encoded = check_class_labels(y)
        return np.asarray(y).reshape(-1), y_encoded, classes

    @staticmethod
    def resolve_loss(loss, estimator):
        """``loss`` with ``"auto"`` resolved, refused where it is for regressors."""
        if loss == "auto":
            return "log_loss"
        if loss == "squared_error":
            raise ValueError(
                f"loss='squared_error' is for regressors, but "
                f"{type(estimator).__name__} is a classifier; use 'log_loss', "
                "'brier' or 'zero_one'."
            )
        return loss

    @property
    def n_outputs(self):
        return self.classes.shape[0]

    def new_targets(self, y):
        """The codes of new labels; labels unknown to the fit are refused."""
        return label_codes(column_or_1d(y, warn=True), self.classes)

    def _encode(self, check):
        if self.loss == "zero_one":
            return np.searchsorted(self.classes, check.labels(self.classes))
        model_classes = check.model_classes(self.classes)
        proba = check.probabilities(len(model_classes))
        # A class absent from the training part gets probability 0.
        encoded = np.zeros((proba.shape[0], self.classes.shape[0]))
        encoded[:, np.searchsorted(self.classes, model_classes)] = proba
        return encoded

    def misses_classes(self, model_classes):
        """Whether a model trained without every class."""
        # No classes_ passes only with loss="zero_one", whose labels are
        # checked against the classes of y one by one.
        if model_classes is None:
            return False
        return len(model_classes) < len(self.classes)

    def fitted_attributes(self, accumulator, scores):
        """The fitted attributes of the targets: the classes, the mean prediction."""
        return {
            "classes_": self.classes,
            "heldout_proba_": accumulator.mean_prediction(),
        }

    def label_free(self, accumulator):
        """The scores of unlabelled samples."""
        return accumulator.label_free()


class Regression(_Task):
    """Real targets, scored by the squared error of the predictions."""

    stratify = False
    n_outputs = 1

    @staticmethod
    def check_targets(estimator, y):
        """``y`` for the fits, the targets the losses compare with, and None."""
        targets = check_regression_targets(y)
        # A skorch regressor needs the (n, 1) column it was given: MSELoss
        # would broadcast 1-D targets against its (n, 1) output to (n, n).
        if is_skorch_net(estimator) and np.ndim(y) == 2:
            return np.asarray(y), targets, None
        return targets, targets, None

    @staticmethod
    def resolve_loss(loss, estimator):
        """``loss`` with ``"auto"`` resolved, refused where it needs a classifier."""
        if loss in ("auto", "squared_error"):
            return "squared_error"
        raise ValueError(
            f"loss={loss!r} needs a classifier, but {type(estimator).__name__} is "
            "not one (is_classifier is False); regressors use 'squared_error'."
        )

    def new_targets(self, y):
        """New real targets, checked."""
        return check_regression_targets(y)

    def _encode(self, check):
        return check.regression()

    def misses_classes(self, model_classes):
        """A regressor has no classes to miss."""
        return False

    def fitted_attributes(self, accumulator, scores):
        """The fitted attribute of the targets, the mean prediction.

        Keeps the training samples' mean bias for the scores of new samples.
        """
        fitted = {"heldout_prediction_": accumulator.mean_prediction()}
        # A new sample has no label: its expected bias is the training mean.
        self.mean_bias = float(np.mean(scores["bias"]))
        return fitted

    def label_free(self, accumulator):
        """The scores of unlabelled samples, with the training samples' mean bias."""
        return accumulator.label_free(self.mean_bias)
