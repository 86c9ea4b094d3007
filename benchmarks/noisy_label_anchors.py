"""What deep-learning users pick instead of difficulty weighting on noisy labels.

The anchors of ``bench_nets.py --parts robust``, each a skorch net that a
user would write in a few lines (they live here, not in the package):

- :class:`GCELoss`: generalized cross-entropy (Zhang & Sabuncu, 2018),
  ``(1 - p_y ** q) / q`` with ``q = 0.7``;
- :class:`SCELoss`: symmetric cross-entropy (Wang et al., 2019),
  ``alpha * CE + beta * RCE`` with ``RCE = -log(1e-4) * (1 - p_y)``;
- :class:`CoTeachingNet`: co-teaching (Han et al., 2018), two nets that each
  learn from the share ``1 - r(t)`` of every batch with the smallest loss
  under the other, ``r(t)`` growing linearly to the forget rate over the
  first ``num_gradual`` epochs;
- :func:`prune_and_refit`: confident-learning pruning (cleanlab's
  ``find_label_issues`` on K-fold held-out probabilities, then a refit on
  the samples it keeps), what cleanlab's ``CleanLearning`` does.
"""

import math

import torch
import torch.nn.functional as F
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from skorch import NeuralNetClassifier
from skorch.dataset import unpack_data
from skorch.utils import to_tensor


class GCELoss(torch.nn.Module):
    """Generalized cross-entropy on logits: mean of ``(1 - p_y ** q) / q``."""

    def __init__(self, q=0.7):
        super().__init__()
        self.q = q

    def forward(self, logits, target):
        p_y = F.softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
        return ((1 - p_y.clamp_min(1e-7) ** self.q) / self.q).mean()


class SCELoss(torch.nn.Module):
    """Symmetric cross-entropy on logits: ``alpha * CE + beta * RCE``.

    The reverse cross-entropy ``-sum_k p_k log(clamp(onehot_k, 1e-4))`` is
    ``-log(1e-4) * (1 - p_y)``; the defaults are the paper's for CIFAR-10.
    """

    def __init__(self, alpha=0.1, beta=1.0):
        super().__init__()
        self.alpha = alpha
        self.beta = beta

    def forward(self, logits, target):
        ce = F.cross_entropy(logits, target)
        p_y = F.softmax(logits, dim=1).clamp(1e-7, 1.0)
        p_y = p_y.gather(1, target[:, None]).squeeze(1)
        rce = -math.log(1e-4) * (1 - p_y)
        return self.alpha * ce + self.beta * rce.mean()


class CoTeachingNet(NeuralNetClassifier):
    """Co-teaching: a second module, each learning from the other's small losses.

    ``forget_rate`` is the share of each batch left out once the schedule has
    reached it (Han et al. give it the true noise rate); predictions come
    from the first module. One optimizer updates both modules (the update of
    an element-wise optimizer such as Adam does not mix them).
    """

    def __init__(self, module, *args, forget_rate=0.2, num_gradual=10, **kwargs):
        super().__init__(module, *args, **kwargs)
        self.forget_rate = forget_rate
        self.num_gradual = num_gradual

    def initialize_module(self):
        super().initialize_module()
        self.peer_ = self.initialized_instance(self.module, self.get_params_for("module"))
        return self

    def _rate(self):
        epoch = len(self.history) - 1  # the epoch being trained, from 0
        return self.forget_rate * min(1.0, epoch / self.num_gradual)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        Xi = to_tensor(Xi, device=self.device)
        yi = to_tensor(yi, device=self.device)
        logits = self.module_(Xi)
        logits_peer = self.peer_(Xi)
        loss = F.cross_entropy(logits, yi, reduction="none")
        loss_peer = F.cross_entropy(logits_peer, yi, reduction="none")
        n_keep = max(1, int(round((1 - self._rate()) * len(yi))))
        # Each module learns from the samples the other finds easiest.
        keep = torch.argsort(loss_peer.detach())[:n_keep]
        keep_peer = torch.argsort(loss.detach())[:n_keep]
        total = loss[keep].mean() + loss_peer[keep_peer].mean()
        self.optimizer_.zero_grad()
        total.backward()
        self.optimizer_.step()
        return {"loss": total, "y_pred": logits}


def prune_and_refit(net, X, y, *, cv=5, random_state=0):
    """cleanlab's confident-learning pruning around ``net``; the refitted net.

    Returns the net fitted on the samples that ``find_label_issues`` keeps,
    from K-fold held-out probabilities of clones of ``net``.
    """
    from cleanlab.filter import find_label_issues

    folds = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    proba = cross_val_predict(clone(net), X, y, cv=folds, method="predict_proba")
    issues = find_label_issues(y, proba)
    keep = ~issues
    return clone(net).fit(X[keep], y[keep]), keep


def clean_subset(net, X, y_noisy, y_true):
    """The oracle: ``net`` fitted on the samples whose labels are right."""
    keep = y_noisy == y_true
    return clone(net).fit(X[keep], y_noisy[keep])
