"""Checks of what a wrapped estimator predicts, before it is scored.

A model's predictions are scored by the losses as given; a probability row
that does not sum to one, a class the model was never given, or a column too
many would be scored silently and far outside the loss's range. Every check
names the estimator and where it sat (the repeat and fold of a resampled fit,
or the kept model used by ``transform``).
"""

import numpy as np

# float32 nets and softmax round: a row may sum to 1 +- a few ulps of float32.
PROBABILITY_TOLERANCE = 1e-4


class PredictionCheck:
    """Validate one model's prediction for the rows ``result.split.test``.

    Parameters
    ----------
    result : Result
        The model's prediction, its ``classes_`` and its split.
    method : str
        The method that made the prediction (for the messages).
    where : str
        The model's name, or its place where no failure record gives it
        (``"estimators_[3]"``).
    net : bool, default=False
        Whether the model is a skorch net (or a Pipeline ending in one):
        probabilities that are not probabilities then get the likely cause.
    """

    def __init__(self, result, method, where, *, net=False):
        self.prediction = np.asarray(result.prediction)
        self.classes = result.classes
        self.n_rows = len(result.split.test)
        self.method = method
        self.where = where
        self.net = net

    def _fail(self, problem):
        raise ValueError(f"{self.where}.{self.method} {problem}.")

    def _fail_probabilities(self, problem):
        if self.net:
            # skorch's predict_proba returns the module's output as it is for
            # NLLLoss (which takes its log), and applies a softmax only for
            # CrossEntropyLoss.
            problem += (
                ". They come from a skorch net: if its module returns logits, not "
                "probabilities, end the module in a softmax "
                "(torch.nn.Softmax(dim=-1)), as skorch's default criterion "
                "NLLLoss expects, or keep the logits and pass "
                "criterion=torch.nn.CrossEntropyLoss, with which predict_proba "
                "applies the softmax itself"
            )
        self._fail(problem)

    def _check_numeric(self, fail_finite=None):
        if self.prediction.dtype.kind not in "biuf":
            self._fail(f"returned values of dtype {self.prediction.dtype}, not numbers")
        if not np.all(np.isfinite(self.prediction)):
            (fail_finite or self._fail)("returned non-finite values (NaN or inf)")

    def _check_rows(self):
        if self.prediction.ndim == 0 or self.prediction.shape[0] != self.n_rows:
            self._fail(
                f"returned an array of shape {self.prediction.shape} for "
                f"{self.n_rows} samples"
            )

    def regression(self):
        """Real predictions as a float vector: one finite value per row."""
        self._check_rows()
        if self.prediction.ndim > 2 or (
            self.prediction.ndim == 2 and self.prediction.shape[1] != 1
        ):
            self._fail(
                f"returned an array of shape {self.prediction.shape}; a "
                "single-output regressor returns one value per sample"
            )
        self._check_numeric()
        return self.prediction.astype(np.float64).reshape(-1)

    def labels(self, classes):
        """Predicted labels, each one of ``classes``."""
        self._check_rows()
        prediction = self.prediction.reshape(self.n_rows, -1)
        if prediction.shape[1] != 1:
            self._fail(
                f"returned an array of shape {self.prediction.shape}; expected one "
                "label per sample"
            )
        prediction = prediction[:, 0]
        unknown = ~_isin(prediction, classes)
        if unknown.any():
            label = prediction[unknown].tolist()[0]
            self._fail(
                f"returned the label {label!r}, which is not one of the classes of "
                f"y {classes.tolist()}"
            )
        return prediction

    def model_classes(self, classes):
        """The model's ``classes_``: distinct labels, each one of ``classes``."""
        if self.classes is None:
            # Without classes_ the columns of predict_proba have no labels.
            self._fail(
                "came from a model with no classes_ attribute after fit, so its "
                "columns cannot be matched to the classes of y; a classifier's "
                "fit must set classes_, the labels of its predict_proba columns "
                "in order (scikit-learn's classifiers set classes_ = np.unique(y))"
            )
        model_classes = np.asarray(self.classes).reshape(-1)
        unknown = ~_isin(model_classes, classes)
        if unknown.any():
            self._fail(
                f"came from a model whose classes_ {model_classes.tolist()} hold "
                f"{model_classes[unknown].tolist()[0]!r}, which is not a label of y "
                f"{classes.tolist()}"
            )
        if np.unique(model_classes).shape[0] != model_classes.shape[0]:
            self._fail(
                f"came from a model whose classes_ {model_classes.tolist()} repeat "
                "a label"
            )
        return model_classes

    def probabilities(self, n_classes):
        """Probability rows: one column per class, in [0, 1], summing to one."""
        self._check_rows()
        shape = (self.n_rows, n_classes)
        if self.prediction.shape != shape:
            self._fail(
                f"returned an array of shape {self.prediction.shape}; expected "
                f"{shape}, one column per class of the model's classes_"
            )
        # NLLLoss takes the log of a net's logits: a NaN loss, NaN outputs.
        self._check_numeric(fail_finite=self._fail_probabilities)
        proba = self.prediction.astype(np.float64)
        low, high = proba.min(), proba.max()
        if low < -PROBABILITY_TOLERANCE or high > 1 + PROBABILITY_TOLERANCE:
            self._fail_probabilities(
                f"returned probabilities outside [0, 1] (from {low:g} to {high:g})"
            )
        sums = proba.sum(axis=1)
        worst = np.abs(sums - 1).argmax()
        if abs(sums[worst] - 1) > PROBABILITY_TOLERANCE * n_classes:
            self._fail_probabilities(
                f"returned probabilities whose row {worst} sums to {sums[worst]:g}, "
                "not 1"
            )
        return np.clip(proba, 0, 1)


def _isin(values, classes):
    """Elementwise membership that tolerates labels of another type."""
    try:
        return np.isin(values, classes)
    except TypeError:
        return np.array([value in set(classes.tolist()) for value in values])
