"""Losses and their bias-variance split, folded into running sums.

An accumulator receives the held-out predictions of one resampled fit at a
time (``update``) and keeps only per-sample sufficient statistics, so its
memory is O(n_samples x n_classes) whatever the number of fits. No estimator
lives here.

For the log loss the split is exact (Heskes 1998): with ``pbar`` the
normalized geometric mean of the held-out distributions,

    mean_m -log p_m,y = -log pbar_y  +  mean_m KL(pbar || p_m)
        difficulty    =    bias      +       variance

and ``variance = -log Z`` with ``Z`` the normalizer of ``pbar``.
"""

import numpy as np
from scipy.special import logsumexp, softmax

LOSSES = ("log_loss", "brier", "zero_one", "squared_error")
CLASSIFICATION_LOSSES = ("log_loss", "brier", "zero_one")
# Losses whose difficulty splits exactly into bias + variance.
DECOMPOSABLE_LOSSES = ("log_loss", "brier", "squared_error")


class RunningMoments:
    """Per-sample running mean and sum of squared deviations (Welford).

    Each update brings one new value for some of the samples. Welford's
    update avoids the cancellation of ``E[x^2] - E[x]^2``, and a fixed update
    order makes the result bit-identical run to run.

    Parameters
    ----------
    shape : tuple of int
        ``(n_samples,)`` or ``(n_samples, n_columns)``.
    with_m2 : bool, default=True
        Also keep the sum of squared deviations (for a variance).
    """

    def __init__(self, shape, *, with_m2=True):
        self.count = np.zeros(shape[0], dtype=np.int64)
        self.mean = np.zeros(shape, dtype=np.float64)
        self.m2 = np.zeros(shape, dtype=np.float64) if with_m2 else None

    def update(self, indices, values):
        """Fold ``values[j]`` into the moments of sample ``indices[j]``."""
        self.count[indices] += 1
        count = self.count[indices].reshape((-1,) + (1,) * (values.ndim - 1))
        delta = values - self.mean[indices]
        self.mean[indices] += delta / count
        if self.m2 is not None:
            self.m2[indices] += delta * (values - self.mean[indices])

    def variance(self):
        """Population variance per sample (``m2 / count``)."""
        count = self.count.reshape((-1,) + (1,) * (self.mean.ndim - 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.m2 / count

    def standard_error(self):
        """Standard error of each mean; NaN where fewer than two values came."""
        with np.errstate(invalid="ignore", divide="ignore"):
            sample_var = self.m2 / (self.count - 1)
            return np.where(self.count > 1, np.sqrt(sample_var / self.count), np.nan)


class LossAccumulator:
    """Running sums of the held-out losses of each sample, and its split.

    Parameters
    ----------
    n_samples : int
        Number of samples scored.
    n_classes : int
        Number of classes (1 for regression).
    y : ndarray of shape (n_samples,), default=None
        Class indices in ``range(n_classes)`` (classification) or targets
        (regression). Without ``y`` only the label-free part is available.
    """

    loss = None

    def __init__(self, n_samples, n_classes, y=None):
        self.n_samples = n_samples
        self.n_classes = n_classes
        self.y = y
        self.losses = RunningMoments((n_samples,)) if y is not None else None

    @property
    def n_evaluations(self):
        """Number of held-out predictions folded in per sample."""
        return self._prediction_moments().count

    def update(self, indices, prediction):
        """Fold in one fit's predictions for the held-out samples ``indices``."""
        indices = np.asarray(indices)
        prediction = np.asarray(prediction, dtype=np.float64)
        # Squared errors can overflow; the estimator checks the scores.
        with np.errstate(over="ignore", invalid="ignore"):
            # The prediction as folded in: what the loss is computed from.
            folded = self._update_prediction(indices, prediction)
            if self.losses is not None:
                self.losses.update(indices, self._pointwise_loss(indices, folded))

    def scores(self):
        """Difficulty, its split and standard error for every sample.

        Returns
        -------
        scores : dict of ndarray
            ``difficulty``, ``standard_error`` and, where the loss splits,
            ``bias`` and ``variance``.
        """
        if self.y is None:
            raise ValueError("Scores need the true targets y.")
        with np.errstate(over="ignore", invalid="ignore"):
            scores = {
                "difficulty": self.losses.mean.copy(),
                "standard_error": self.losses.standard_error(),
            }
            scores.update(self._split())
        return scores

    def _split(self):
        return {}


class LogLossAccumulator(LossAccumulator):
    """Log loss on predicted probabilities, with the exact split above.

    Probabilities are clipped to ``[eps, 1]`` and renormalized before the log,
    so a model that gives a class probability 0 costs ``-log(eps)``, not
    infinity.
    """

    loss = "log_loss"

    def __init__(self, n_samples, n_classes, y=None, *, eps=1e-15):
        super().__init__(n_samples, n_classes, y)
        self.eps = eps
        self.log_proba = RunningMoments((n_samples, n_classes), with_m2=False)
        self.proba = RunningMoments((n_samples, n_classes), with_m2=False)

    def _prediction_moments(self):
        return self.proba

    def _clipped(self, proba):
        proba = np.clip(proba, self.eps, 1.0)
        return proba / proba.sum(axis=1, keepdims=True)

    def _update_prediction(self, indices, proba):
        log_proba = np.log(self._clipped(proba))
        self.log_proba.update(indices, log_proba)
        self.proba.update(indices, proba)
        return log_proba

    def _pointwise_loss(self, indices, log_proba):
        return -log_proba[np.arange(len(indices)), self.y[indices]]

    def _log_normalizer(self):
        return logsumexp(self.log_proba.mean, axis=1)

    def _split(self):
        log_z = self._log_normalizer()
        mean_log_py = self.log_proba.mean[np.arange(self.n_samples), self.y]
        # -log Z >= 0 up to rounding (geometric <= arithmetic mean).
        return {"bias": log_z - mean_log_py, "variance": np.maximum(-log_z, 0.0)}

    def mean_prediction(self):
        """Arithmetic mean of the held-out probabilities."""
        return self.proba.mean

    def label_free(self):
        """Expected scores for a label ``y ~ pbar`` (no true label needed).

        The expected bias is the entropy of ``pbar``; the variance does not
        depend on the label.
        """
        log_z = self._log_normalizer()
        pbar = softmax(self.log_proba.mean, axis=1)
        log_pbar = self.log_proba.mean - log_z[:, None]
        bias = -np.sum(pbar * log_pbar, axis=1)
        variance = np.maximum(-log_z, 0.0)
        return {"difficulty": bias + variance, "bias": bias, "variance": variance}


class BrierAccumulator(LossAccumulator):
    """Squared distance between the probabilities and the one-hot label.

    ``E||p_m - e_y||^2 = ||pbar - e_y||^2 + E||p_m - pbar||^2`` with the
    arithmetic mean ``pbar``. Ranges over [0, 2].
    """

    loss = "brier"

    def __init__(self, n_samples, n_classes, y=None):
        super().__init__(n_samples, n_classes, y)
        self.proba = RunningMoments((n_samples, n_classes))

    def _prediction_moments(self):
        return self.proba

    def _update_prediction(self, indices, proba):
        self.proba.update(indices, proba)
        return proba

    def _pointwise_loss(self, indices, proba):
        residual = proba.copy()
        residual[np.arange(len(indices)), self.y[indices]] -= 1.0
        return np.sum(residual**2, axis=1)

    def _variance(self):
        return self.proba.variance().sum(axis=1)

    def _split(self):
        residual = self.proba.mean.copy()
        residual[np.arange(self.n_samples), self.y] -= 1.0
        return {"bias": np.sum(residual**2, axis=1), "variance": self._variance()}

    def mean_prediction(self):
        """Arithmetic mean of the held-out probabilities."""
        return self.proba.mean

    def label_free(self):
        """Expected scores for ``y ~ pbar``: the bias is ``1 - ||pbar||^2``."""
        bias = 1.0 - np.sum(self.proba.mean**2, axis=1)
        variance = self._variance()
        return {"difficulty": bias + variance, "bias": bias, "variance": variance}


class ZeroOneAccumulator(LossAccumulator):
    """Share of held-out models whose predicted class is wrong.

    This is one minus the consistency score (C-score) of Jiang et al. 2021.
    Predictions are class indices; the zero-one loss has no additive split.
    """

    loss = "zero_one"

    def __init__(self, n_samples, n_classes, y=None):
        super().__init__(n_samples, n_classes, y)
        self.votes = RunningMoments((n_samples, n_classes), with_m2=False)

    def _prediction_moments(self):
        return self.votes

    def _one_hot(self, labels):
        return np.eye(self.n_classes)[labels.astype(np.intp)]

    def _update_prediction(self, indices, labels):
        self.votes.update(indices, self._one_hot(labels))
        return labels

    def _pointwise_loss(self, indices, labels):
        return (labels != self.y[indices]).astype(np.float64)

    def mean_prediction(self):
        """Share of held-out models that predicted each class."""
        return self.votes.mean

    def label_free(self):
        """Expected zero-one loss for a label drawn from the votes."""
        return {"difficulty": 1.0 - np.sum(self.votes.mean**2, axis=1)}


class SquaredErrorAccumulator(LossAccumulator):
    """Squared error of regression predictions.

    ``E(f_m - y)^2 = (fbar - y)^2 + E(f_m - fbar)^2``.
    """

    loss = "squared_error"

    def __init__(self, n_samples, n_classes=1, y=None):
        super().__init__(n_samples, 1, y)
        self.prediction = RunningMoments((n_samples,))

    def _prediction_moments(self):
        return self.prediction

    def _update_prediction(self, indices, prediction):
        self.prediction.update(indices, prediction.reshape(-1))
        return prediction

    def _pointwise_loss(self, indices, prediction):
        return (prediction.reshape(-1) - self.y[indices]) ** 2

    def _split(self):
        return {
            "bias": (self.prediction.mean - self.y) ** 2,
            "variance": self.prediction.variance(),
        }

    def mean_prediction(self):
        """Mean held-out prediction."""
        return self.prediction.mean

    def label_free(self, expected_bias=0.0):
        """Variance, plus a given expected bias (no label to measure it)."""
        variance = self.prediction.variance()
        bias = np.full(self.n_samples, float(expected_bias))
        return {"difficulty": bias + variance, "bias": bias, "variance": variance}


_ACCUMULATORS = {
    "log_loss": LogLossAccumulator,
    "brier": BrierAccumulator,
    "zero_one": ZeroOneAccumulator,
    "squared_error": SquaredErrorAccumulator,
}


def make_accumulator(loss, n_samples, n_classes, y=None, **kwargs):
    """Return the accumulator of ``loss`` for ``n_samples`` samples."""
    return _ACCUMULATORS[loss](n_samples, n_classes, y, **kwargs)
