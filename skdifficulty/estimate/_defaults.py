"""The models by name, and the default estimator: a scaled logistic
regression, or a scaled ridge."""

from sklearn import get_config
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

# type_of_target values that mean real-valued targets.
REGRESSION_TARGETS = ("continuous", "continuous-multioutput")


MODELS = ("logistic", "forest", "hgb")
"""The models ``skdifficulty score --estimator`` can fit, by name."""


def model_by_name(name, *, regression=False):
    """A new unfitted model: ``"logistic"`` (ridge for regression),
    ``"forest"`` or ``"hgb"`` (histogram gradient boosting)."""
    if name == "logistic":
        return Ridge() if regression else LogisticRegression(max_iter=1000)
    if name == "forest":
        return RandomForestRegressor() if regression else RandomForestClassifier()
    if regression:
        return HistGradientBoostingRegressor()
    return HistGradientBoostingClassifier()


def default_estimator(*, regression=False, sparse=False):
    """``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``,
    or ``Ridge()`` in its place for regression; no centering for sparse X."""
    model = model_by_name("logistic", regression=regression)
    scaler = StandardScaler(with_mean=not sparse)
    if get_config()["enable_metadata_routing"]:
        # The weights go to the model, as they do without routing.
        model.set_fit_request(sample_weight=True)
        scaler.set_fit_request(sample_weight=False)
    return make_pipeline(scaler, model)
