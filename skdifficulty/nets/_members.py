"""Per-member mechanisms of the stacked engine: early stopping on each member's
held-out loss or on its training loss, and the states kept at each member's
best epoch.
"""

import numpy as np
import torch


class MemberStopping:
    """When stacked members stop: each at its own lowest held-out loss.

    Every member has a validation set of its own, the samples it holds out.
    A net trained on noisy labels first learns what the clean samples share
    and only later fits the wrong labels one by one; the held-out loss is
    lowest in between, so the members are scored as they stood then.

    Parameters
    ----------
    loss : callable
        ``loss(result) -> float``: a member's held-out loss from its
        held-out ``Result`` of one epoch (lower is better).
    patience : int
        Epochs without a new lowest loss after which a member has stopped.
    max_epochs : int, default=None
        Epochs at most (the net's ``max_epochs`` when None or larger).
    """

    def __init__(self, loss, patience, max_epochs=None):
        self.loss = loss
        self.patience = patience
        self.max_epochs = max_epochs


class _BestEpochs:
    """Each member's lowest held-out loss so far, its epoch and its state."""

    def __init__(self, stopping, stack):
        self.stopping = stopping
        self.stack = stack
        n_members = len(stack.members)
        self.losses = np.full(n_members, np.inf)
        self.epochs = np.zeros(n_members, dtype=int)
        self.n_epochs = 0
        self.state = _MemberStates(stack)

    def update(self, results):
        """Record one epoch; True when every member has stopped improving."""
        epoch = self.n_epochs
        self.n_epochs += 1
        losses = np.array([self.stopping.loss(result) for result in results])
        better = np.flatnonzero(losses < self.losses)
        if better.size:
            self.losses[better] = losses[better]
            self.epochs[better] = epoch
            self.state.save(better)
        limit = self.stopping.max_epochs
        if limit is not None and self.n_epochs >= limit:
            return True
        return bool(np.all(epoch - self.epochs >= self.stopping.patience))

    def restore(self):
        """Put every member back to its best epoch's parameters and buffers."""
        self.state.restore(np.arange(len(self.losses)))


class _MemberStates:
    """Saved parameters and buffers of some members of a stack, by member."""

    def __init__(self, stack):
        self.live = {**stack.params, **stack.buffers}
        self.device = stack.net.device
        self.saved = {name: value.detach().clone() for name, value in self.live.items()}

    def save(self, members):
        """Keep the members' current state (an array of member indices)."""
        index = torch.as_tensor(members, device=self.device)
        with torch.no_grad():
            for name, value in self.live.items():
                self.saved[name][index] = value[index]

    def restore(self, members):
        """Put the members back to their kept state."""
        index = torch.as_tensor(members, device=self.device)
        with torch.no_grad():
            for name, value in self.live.items():
                value[index] = self.saved[name][index]


class _MemberEarlyStopping:
    """skorch's ``EarlyStopping`` on the training loss, for each member alone.

    A member whose ``train_loss`` has not improved for ``patience`` epochs
    stops as the net trained alone would (with ``load_best``, at its best
    epoch): its state is kept and put back after training, while the
    others go on; training ends when every member has stopped.
    """

    def __init__(self, callback, stack):
        if callback.threshold_mode not in ("rel", "abs"):
            raise ValueError(f"Invalid threshold mode: '{callback.threshold_mode}'")
        n_members = len(stack.members)
        self.callback = callback
        self.misses = np.zeros(n_members, dtype=int)
        lower = callback.lower_is_better
        self.threshold = np.full(n_members, np.inf if lower else -np.inf)
        self.stopped = np.zeros(n_members, dtype=bool)
        self.state = _MemberStates(stack)  # stopped members (or best, load_best)
        self.best = _MemberStates(stack) if callback.load_best else None

    def update(self, scores):
        """Record one epoch's training losses; True when every member stopped."""
        callback, running = self.callback, ~self.stopped
        scores = np.asarray(scores, dtype=np.float64)
        if callback.lower_is_better:
            improved = running & (scores < self.threshold)
        else:
            improved = running & (scores > self.threshold)
        change = callback.threshold * scores if callback.threshold_mode == "rel" else (
            np.full_like(scores, callback.threshold)
        )
        new = scores - change if callback.lower_is_better else scores + change
        self.threshold = np.where(improved, new, self.threshold)
        self.misses = np.where(improved, 0, self.misses + running)
        if self.best is not None and improved.any():
            self.best.save(np.flatnonzero(improved))
        stopping = np.flatnonzero(running & (self.misses == callback.patience))
        if stopping.size and self.best is None:
            self.state.save(stopping)
        self.stopped[stopping] = True
        return bool(self.stopped.all())

    def restore(self):
        """Put the stopped members back (with ``load_best``: every member)."""
        if self.best is not None:
            self.best.restore(np.arange(len(self.stopped)))
        elif self.stopped.any():
            self.state.restore(np.flatnonzero(self.stopped))
