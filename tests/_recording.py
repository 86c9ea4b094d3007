"""Small estimators that record what their fit received.

Test modules import them as ``from _recording import ...`` (see conftest.py).
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression that remembers the fit parameters it received."""

    def fit(self, X, y, sample_weight=None, tag=None):
        self.sample_weight_ = None if sample_weight is None else np.array(sample_weight)
        self.tag_ = tag
        self.model_ = LogisticRegression().fit(X, y, sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.model_.predict(X)


class NoWeightsClassifier(ClassifierMixin, BaseEstimator):
    """A classifier whose fit takes no sample_weight."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class NoClassesClassifier(ClassifierMixin, BaseEstimator):
    """A classifier whose fit sets no ``classes_``.

    It predicts class 1 where the first feature is positive, else class 0;
    its probabilities are uniform over the labels it saw.
    """

    def fit(self, X, y, sample_weight=None):
        self.labels_ = np.unique(y)
        return self

    def predict_proba(self, X):
        n_labels = len(self.labels_)
        return np.full((len(X), n_labels), 1 / n_labels)

    def predict(self, X):
        return self.labels_[(np.asarray(X)[:, 0] > 0).astype(int)]
