"""scikit-learn's private API, in one place.

skdifficulty needs a few of scikit-learn's private helpers, as other
scikit-learn-contrib projects do (imbalanced-learn keeps them behind the
``sklearn-compat`` package). Importing them here alone means that a change in
scikit-learn breaks one file, and that the rest of the package names only
public API or these re-exports. Every name works from scikit-learn 1.6 on.
"""

import sklearn
from sklearn.base import _fit_context
from sklearn.metrics._scorer import _Scorer
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import (
    _check_feature_names_in,
    _check_method_params,
    _num_samples,
)

__all__ = [
    "SKLEARN_INDEXES_PYARROW",
    "Scorer",
    "HasMethods",
    "Hidden",
    "Interval",
    "StrOptions",
    "check_feature_names_in",
    "check_method_params",
    "fit_context",
    "num_samples",
    "safe_indexing",
    "safe_split",
    "validate_params",
]

# Parameter validation at the start of fit, honouring scikit-learn's
# ``skip_parameter_validation`` configuration (as scikit-learn's own fit does).
fit_context = _fit_context
# Rows (and, for a precomputed kernel, columns) of a training or test part.
safe_split = _safe_split
safe_indexing = _safe_indexing
# Per-sample fit parameters indexed like X.
check_method_params = _check_method_params
check_feature_names_in = _check_feature_names_in
num_samples = _num_samples
# The scorer class of make_scorer: a subclass is a scorer to every search
# (multi-metric caching of predictions, sample_weight, metadata routing).
Scorer = _Scorer

# scikit-learn indexes the rows of a pyarrow Table from 1.7 on.
SKLEARN_INDEXES_PYARROW = tuple(
    int(part) for part in sklearn.__version__.split(".")[:2]
) >= (1, 7)
