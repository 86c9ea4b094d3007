"""Difficulty rises with each factor that makes a sample hard.

One test per factor (label noise, class rarity, small margin, class overlap),
with the other factors held fixed by the generator's switches. Each test
asserts a rank statistic of the difficulty against a threshold, and shows in
the same test that two broken scorers do not reach it: random scores, and the
in-sample loss (a model fitted on all the data, scored on its own training
samples).

The model is a distance-weighted 50-nearest-neighbour classifier. Two of its
properties matter here:

- it interpolates its training set (a training sample is its own neighbour at
  distance zero), so its in-sample loss is zero for every sample, as for a
  network that has memorized its data. A linear model cannot memorize, so its
  in-sample loss ranks samples almost as well as the held-out loss and would
  not separate the broken scorer from the real one;
- it is flexible enough to let its prediction depend on the scale feature at a
  fixed class axis, which overlap at matched margin needs (a linear model's
  prediction cannot).

The thresholds sit well below the worst value measured on seeds 0 to 9 and
well above the best value of either broken scorer on those seeds; the measured
ranges are quoted in each test.
"""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdifficulty import DifficultyEstimator
from skdifficulty.datasets import make_difficulty_classification

MODEL = make_pipeline(
    StandardScaler(), KNeighborsClassifier(n_neighbors=50, weights="distance")
)
N_BANDS = 5
# Cheap enough to check a few seeds; the thresholds hold on seeds 0-9.
SEEDS = [0, 1, 2]

# ------------------------------------------------------------------ scorers


def held_out_scores(data, seed):
    """Difficulty, bias and variance from 3 x 5-fold held-out fits."""
    est = DifficultyEstimator(MODEL, cv=5, n_repeats=3, random_state=seed)
    est.fit(data.X, data.y)
    return {"difficulty": est.difficulty_, "bias": est.bias_, "var": est.variance_}


def in_sample_loss(X, y):
    """Log loss of a model fitted on all samples, on its own training samples."""
    model = clone(MODEL).fit(X, y)
    proba = model.predict_proba(X)[
        np.arange(len(y)), np.searchsorted(model.classes_, y)
    ]
    return -np.log(np.clip(proba, 1e-15, 1))


def all_scores(data, seed):
    """The real scores and the two broken scorers, by name."""
    scores = held_out_scores(data, seed)
    scores["in_sample"] = in_sample_loss(data.X, data.y)
    scores["random"] = np.random.RandomState(seed).uniform(size=len(data.y))
    return scores


# ---------------------------------------------------------------- statistics


def spearman(score, target):
    """Spearman correlation; a constant score ranks nothing, so it gets 0."""
    if np.ptp(score) == 0:
        return 0.0
    return spearmanr(score, target).statistic


def margin_bands(margin, reference):
    """Band index of each sample: quantiles of ``margin[reference]``."""
    edges = np.quantile(margin[reference], np.linspace(0, 1, N_BANDS + 1))
    return np.clip(np.searchsorted(edges, margin, side="right") - 1, 0, N_BANDS - 1)


def banded_auroc(score, positive, margin):
    """AUROC of ``positive`` against the rest, pooled over margin bands.

    Within a band the margins are alike, so the AUROC compares samples at
    matched margin; bands are weighted by their number of pairs. The bands
    are quantiles of the positives' margins, and samples outside their range
    are left out.
    """
    band = margin_bands(margin, positive)
    inside = (margin >= margin[positive].min()) & (margin <= margin[positive].max())
    total = weight = 0.0
    for b in range(N_BANDS):
        in_band = inside & (band == b)
        pos = positive[in_band]
        pairs = pos.sum() * (~pos).sum()
        if pairs:
            total += pairs * roc_auc_score(pos, score[in_band])
            weight += pairs
    return total / weight


def banded_spearman(score, target, margin):
    """Mean Spearman correlation of score and target within margin bands."""
    band = margin_bands(margin, np.ones_like(margin, dtype=bool))
    return np.mean(
        [spearman(score[band == b], target[band == b]) for b in range(N_BANDS)]
    )


# --------------------------------------------------------------- experiments
# Each returns {scorer name: statistic} for one seed, so that the thresholds
# can be re-measured on other seeds.


def noise_experiment(seed):
    """AUROC of the scores for flipped against clean labels.

    Balanced classes and a constant scale: only the flips vary.
    """
    data = make_difficulty_classification(300, scale=1.0, noise=0.2, random_state=seed)
    scores = all_scores(data, seed)
    return {name: roc_auc_score(data.flipped, s) for name, s in scores.items()}


def rarity_experiment(seed):
    """AUROC of the scores for the rare class against the common, at matched margin.

    No noise and a constant scale, so that at equal margin the Bayes posterior
    (the overlap) is equal too: only the class prior differs.
    """
    data = make_difficulty_classification(
        600, scale=1.0, weights=[0.8, 0.2], random_state=seed
    )
    scores = all_scores(data, seed)
    rare = data.y == 1
    return {name: banded_auroc(s, rare, data.margin) for name, s in scores.items()}


def margin_experiment(seed):
    """Spearman correlation of the scores with the signed margin.

    No noise, balanced classes, a constant scale: the overlap is then a
    function of the margin, and the margin is the only factor left.
    """
    data = make_difficulty_classification(300, scale=1.0, random_state=seed)
    scores = all_scores(data, seed)
    return {name: spearman(s, data.margin) for name, s in scores.items()}


def overlap_experiment(seed):
    """Spearman correlation of the scores with the overlap, at matched margin.

    No noise, balanced classes, the spread growing along the scale feature:
    at one margin the overlap grows with the scale feature. Only samples on
    the Bayes-correct side (positive margin) enter, in margin bands.
    """
    data = make_difficulty_classification(600, scale=(0.5, 1.5), random_state=seed)
    scores = all_scores(data, seed)
    keep = data.margin > 0
    return {
        name: banded_spearman(s[keep], data.overlap[keep], data.margin[keep])
        for name, s in scores.items()
    }


# --------------------------------------------------------------------- tests


def assert_broken_scorers_fail(result, passes):
    """Random and in-sample scores must not pass the test the difficulty passes."""
    for name in ("random", "in_sample"):
        assert not passes(result[name]), f"{name} scores passed: {result[name]:.3f}"


@pytest.mark.parametrize("seed", SEEDS)
def test_difficulty_is_higher_for_flipped_labels(seed):
    # Measured, seeds 0-9: difficulty 0.87-0.94; bias the same; variance
    # 0.44-0.54; in-sample exactly 0.5 (zero loss everywhere); random 0.43-0.57.
    result = noise_experiment(seed)
    threshold = 0.75
    assert result["difficulty"] >= threshold
    assert_broken_scorers_fail(result, lambda v: v >= threshold)
    # A flipped label is bias: the held-out models agree on the other class,
    # so the spread between them does not single it out.
    assert result["bias"] >= threshold
    assert 0.35 <= result["var"] <= 0.65


@pytest.mark.parametrize("seed", SEEDS)
def test_difficulty_is_higher_for_the_rare_class_at_matched_margin(seed):
    # Measured, seeds 0-9: difficulty 0.89-0.98; bias the same; variance
    # 0.49-0.67; in-sample exactly 0.5; random 0.40-0.56.
    result = rarity_experiment(seed)
    threshold = 0.75
    assert result["difficulty"] >= threshold
    assert_broken_scorers_fail(result, lambda v: v >= threshold)
    # Rarity is bias: with few rare neighbours the models lean to the common
    # class at the same distance from the Bayes boundary, and they agree.
    assert result["bias"] >= threshold
    assert result["var"] < threshold


@pytest.mark.parametrize("seed", SEEDS)
def test_difficulty_falls_with_distance_to_the_boundary(seed):
    # Measured, seeds 0-9: difficulty -0.96 to -0.92; bias the same; variance
    # -0.28 to +0.01; in-sample 0 (constant); random -0.08 to +0.06.
    result = margin_experiment(seed)
    threshold = -0.8
    assert result["difficulty"] <= threshold
    assert_broken_scorers_fail(result, lambda v: v <= threshold)
    # The margin is carried by the bias: the mean held-out prediction grows
    # less sure as the boundary nears. The variance does not track it.
    assert result["bias"] <= threshold
    assert result["var"] > threshold


@pytest.mark.parametrize("seed", SEEDS)
def test_difficulty_rises_with_overlap_at_matched_margin(seed):
    # Measured, seeds 0-9: difficulty 0.77-0.89; bias the same; variance
    # 0.05-0.29; in-sample 0 (constant); random -0.06 to +0.11.
    result = overlap_experiment(seed)
    threshold = 0.5
    assert result["difficulty"] >= threshold
    assert_broken_scorers_fail(result, lambda v: v >= threshold)
    # Overlap is irreducible uncertainty, so it is bias too: the models agree
    # that such a sample is a toss-up (a mean prediction near 1 / 2), rather
    # than disagreeing with each other.
    assert result["bias"] >= threshold
    assert result["var"] < threshold
