"""Confident learning (Northcutt, Jiang and Chuang, JAIR 2021) on held-out
probabilities: the confident joint, the labels it suggests, and the share of
wrong labels it estimates.
"""

import numpy as np


def confident_joint(proba, codes):
    """The confident joint of Northcutt et al. (2021), and each sample's cell.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Held-out probabilities.
    codes : ndarray of shape (n_samples,)
        Index of each sample's given label.

    Returns
    -------
    joint : ndarray of shape (n_classes, n_classes)
        ``joint[i, j]`` counts the samples labelled ``i`` whose most probable
        class among those at or above their class threshold is ``j``.
    cell : ndarray of shape (n_samples,)
        That class ``j`` of each sample, or -1 for a sample that no class
        reaches the threshold of (not counted).

    Examples
    --------
    The thresholds are 0.82 for class 0 and 0.53 for class 1; the third sample
    reaches neither, the last one is labelled 1 but confidently 0:

    >>> proba = np.array([[0.9, 0.1], [0.85, 0.15], [0.7, 0.3], [0.2, 0.8],
    ...                   [0.3, 0.7], [0.9, 0.1]])
    >>> joint, cell = confident_joint(proba, np.array([0, 0, 0, 1, 1, 1]))
    >>> joint
    array([[2, 0],
           [1, 2]])
    >>> cell
    array([ 0,  0, -1,  1,  1,  0])
    """
    n_classes = proba.shape[1]
    thresholds = np.array(
        [
            proba[codes == j, j].mean() if np.any(codes == j) else np.inf
            for j in range(n_classes)
        ]
    )
    confident = proba >= thresholds
    masked = np.where(confident, proba, -np.inf)
    cell = np.where(confident.any(axis=1), masked.argmax(axis=1), -1)
    counted = cell >= 0
    joint = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(joint, (codes[counted], cell[counted]), 1)
    return joint, cell


def confident_relabel(proba, codes):
    """The labels confident learning would give: the confident joint's cell.

    A sample moves to the class of its confident-joint cell when that is not
    its given label (its held-out probability of that class is at or above
    the class's threshold, the mean probability of the class among the
    samples labelled with it, and is the largest such); the others keep
    theirs.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Held-out probabilities.
    codes : ndarray of shape (n_samples,)
        Index of each sample's given label.

    Returns
    -------
    new_codes : ndarray of shape (n_samples,)
        Index of each sample's label after the moves.
    moved : ndarray of shape (n_samples,) of bool
        Which samples moved.

    Examples
    --------
    >>> proba = np.array([[0.9, 0.1], [0.85, 0.15], [0.7, 0.3], [0.2, 0.8],
    ...                   [0.3, 0.7], [0.9, 0.1]])
    >>> confident_relabel(proba, np.array([0, 0, 0, 1, 1, 1]))
    (array([0, 0, 0, 1, 1, 0]), array([False, False, False, False, False,  True]))
    """
    _, cell = confident_joint(proba, codes)
    moved = (cell >= 0) & (cell != codes)
    return np.where(moved, cell, codes), moved


def estimate_noise_share(proba, codes):
    """Estimated share of wrong labels: the calibrated confident joint's
    off-diagonal share.

    Each row ``i`` of the confident joint is rescaled to the number of
    samples labelled ``i``; a row that counts no sample is taken as clean.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Held-out probabilities.
    codes : ndarray of shape (n_samples,)
        Index of each sample's given label.

    Returns
    -------
    share : float
        Between 0 and 1.
    per_class : ndarray of shape (n_classes,)
        Estimated number of wrong labels among the samples labelled with each
        class.

    Examples
    --------
    >>> proba = np.array([[0.9, 0.1], [0.85, 0.15], [0.7, 0.3], [0.2, 0.8],
    ...                   [0.3, 0.7], [0.9, 0.1]])
    >>> share, per_class = estimate_noise_share(proba, np.array([0, 0, 0, 1, 1, 1]))
    >>> round(float(share), 3), per_class.tolist()
    (0.167, [0.0, 1.0])
    """
    joint, _ = confident_joint(proba, codes)
    n_per_class = np.bincount(codes, minlength=proba.shape[1])
    counted = joint.sum(axis=1)
    off_diagonal = counted - np.diag(joint)
    per_class = np.divide(
        off_diagonal * n_per_class,
        counted,
        out=np.zeros(proba.shape[1]),
        where=counted > 0,
    )
    return per_class.sum() / codes.shape[0], per_class
