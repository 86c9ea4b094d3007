"""The stacked runner: all members of a skorch net trained in one pass.

Sequential held-out fits of a net cost one training per member. Here the M
members (one per split of the plan) train together: their parameters are
stacked along a leading dimension (``torch.func.stack_module_state``) and
``torch.vmap`` runs every member on the same minibatch of *all* samples.
Member m's loss on a batch is the weighted mean of its per-sample losses with
weight ``membership[m, i] * sample_weight[i]``, where ``membership`` is 0 for
the samples m holds out (and a bootstrap count in bootstrap plans), and the
members' losses are summed so each keeps its own gradient. With an optimizer
that updates each parameter element on its own (SGD, Adam, AdamW, ...),
member m is then exactly a weighted net (``skdifficulty.skorch``) trained on
all samples with weight 0 on its held-out part, from the same initial
parameters, with the same batches.

This module imports torch and skorch; ``DifficultyEstimator`` imports it
only for ``engine="stacked"``.
"""

import numpy as np
import torch
from sklearn.base import clone
from skorch.dataset import Dataset, unpack_data
from skorch.utils import to_tensor

from ._runners import Result, seed_estimator
from ._skorch_utils import active_callbacks
from .skorch import (
    SampleWeightMixin,
    _target_counts,
    _weighted_mean,
    as_weighted_net,
)

# Optimizers whose update of a parameter element depends on that element's
# gradient history alone: stacked members are then updated as if alone.
ELEMENTWISE_OPTIMIZERS = (
    torch.optim.SGD,
    torch.optim.Adam,
    torch.optim.AdamW,
    torch.optim.Adamax,
    torch.optim.NAdam,
    torch.optim.RAdam,
    torch.optim.RMSprop,
    torch.optim.Adagrad,
    torch.optim.Adadelta,
)


class StackedNetRunner:
    """Train every member of a plan together and yield their held-out predictions.

    Members are initialized one by one, each after seeding torch with its
    own seed (as a sequential fit would be); the batch order is then drawn
    from torch's generator as it stood after the first member's
    initialization, so member 0 is exactly the weighted net that
    ``seed_torch(seeds[0]); net.fit(X, y, sample_weight=membership[0])``
    trains.

    Parameters
    ----------
    chunk_size : int, default=None
        Members run through the net at a time (all when None): bounds the
        memory of the activations, at the cost of more, smaller passes.
    on_epoch : callable, default=None
        Called after every epoch with the members' held-out ``Result`` list,
        as :meth:`run` yields them at the end (costs one prediction pass of
        all members per epoch).
    stopping : MemberStopping, default=None
        Stops each member at the epoch of its lowest held-out loss: the
        member's parameters and held-out predictions are those of that
        epoch, and training ends once every member has stopped improving
        (costs one prediction pass of all members per epoch).
    """

    def __init__(self, chunk_size=None, on_epoch=None, stopping=None):
        self.chunk_size = chunk_size
        self.on_epoch = on_epoch
        self.stopping = stopping

    def run(self, plan):
        splits = list(plan.splits)
        net = as_weighted_net(plan.estimator)
        check_stackable(net, plan.params)
        seeds = [seed for _, seed in zip(splits, plan.seeds, strict=False)]
        members, batch_rng_state = _initialized_members(net, seeds)
        # The net's own dataset knows its length for any X skorch takes (a
        # dict of arrays too).
        dataset = members[0].get_dataset(plan.X, plan.y)
        membership = membership_matrix(splits, len(dataset))
        weight = plan.params.get("sample_weight")
        if weight is not None:
            membership = membership * np.asarray(weight, dtype=np.float64)
        stack = StackedModule(members, self.chunk_size)
        classes = _classes(members[0], plan.y)

        def held_out(keep):
            proba = stack.predict(dataset)
            return [
                Result(
                    stack.member(m, classes) if keep else None,
                    split,
                    proba[m][split.test],
                    classes,
                )
                for m, split in enumerate(splits)
            ]

        best = None if self.stopping is None else _BestEpochs(self.stopping, stack)

        def end_of_epoch():
            """Report the epoch; True when training should end."""
            if self.on_epoch is None and best is None:
                return False
            # The loader draws a seed even without shuffling: forked, the
            # pass leaves the next epochs' batches as they would be without it.
            with torch.random.fork_rng(devices=[]):
                results = held_out(keep=False)
            if self.on_epoch is not None:
                self.on_epoch(results)
            return best is not None and best.update(results)

        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(batch_rng_state)
            stack.fit(dataset, membership, end_of_epoch)
        if best is not None:
            best.restore()
            self.best_epochs_ = best.epochs + 1  # counted from 1, as skorch does
            self.n_epochs_ = best.n_epochs
        yield from held_out(plan.keep)


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
        self.state = _stack_state(stack, copy=True)

    def update(self, results):
        """Record one epoch; True when every member has stopped improving."""
        epoch = self.n_epochs
        self.n_epochs += 1
        losses = np.array([self.stopping.loss(result) for result in results])
        better = np.flatnonzero(losses < self.losses)
        if better.size:
            self.losses[better] = losses[better]
            self.epochs[better] = epoch
            index = torch.as_tensor(better, device=self.stack.net.device)
            with torch.no_grad():
                for name, value in _stack_state(self.stack).items():
                    self.state[name][index] = value[index]
        limit = self.stopping.max_epochs
        if limit is not None and self.n_epochs >= limit:
            return True
        return bool(np.all(epoch - self.epochs >= self.stopping.patience))

    def restore(self):
        """Put every member back to its best epoch's parameters and buffers."""
        with torch.no_grad():
            for name, value in _stack_state(self.stack).items():
                value.copy_(self.state[name])


def _stack_state(stack, copy=False):
    """The stacked parameters and buffers by name (detached copies if asked)."""
    state = {**stack.params, **stack.buffers}
    if copy:
        return {name: value.detach().clone() for name, value in state.items()}
    return state


def check_stackable(net, params):
    """Refuse what would mix the members or that the stacked pass cannot run."""
    extra = sorted(set(params) - {"sample_weight"})
    if extra:
        raise ValueError(
            f"engine='stacked' passes no fit parameters but sample_weight to the "
            f"net; got {extra}. Use engine='sequential'."
        )
    optimizer = net.optimizer
    if not (
        isinstance(optimizer, type) and issubclass(optimizer, ELEMENTWISE_OPTIMIZERS)
    ):
        name = getattr(optimizer, "__name__", repr(optimizer))
        raise ValueError(
            f"engine='stacked' trains all members with one optimizer, which must "
            f"update each parameter on its own; {name} is not known to (LBFGS, for "
            "one, mixes them through its line search). Use one of "
            f"{[o.__name__ for o in ELEMENTWISE_OPTIMIZERS]}, or "
            "engine='sequential'."
        )
    callbacks = [name for name, _ in active_callbacks(net)]
    if callbacks:
        raise ValueError(
            f"engine='stacked' runs none of the net's callbacks, and the net has "
            f"{callbacks}. Gradient clipping by a global norm and schedulers that "
            "step on a score would mix the members. Switch them off "
            "(net.set_params(callbacks__<name>=None)) or use engine='sequential'."
        )


def stacking_refusal(net, params):
    """Why the stacked engine cannot train ``net`` with ``params``, or None.

    Checks an initialized clone's module too (that costs one initialization,
    not a training).
    """
    try:
        weighted = as_weighted_net(net)
        check_stackable(weighted, params)
        with torch.random.fork_rng(devices=[]):
            _initialized_members(weighted, [0])
    except ValueError as error:
        return str(error)
    return None


def _check_module(module):
    for name, layer in module.named_modules():
        if isinstance(layer, torch.nn.modules.batchnorm._BatchNorm) and (
            layer.track_running_stats
        ):
            raise ValueError(
                f"The net's layer {name!r} is a {type(layer).__name__} that tracks "
                "running statistics, which the stacked members cannot keep apart. "
                "Use GroupNorm or LayerNorm, or track_running_stats=False, or "
                "engine='sequential'."
            )


def membership_matrix(splits, n_samples):
    """``(n_members, n_samples)`` training weights: 0 held out, else the count."""
    membership = np.zeros((len(splits), n_samples))
    for m, split in enumerate(splits):
        membership[m] = np.bincount(split.train, minlength=n_samples)
    return membership


def _initialized_members(net, seeds):
    """One initialized clone per seed; and the torch state after the first."""
    members, state = [], None
    with torch.random.fork_rng(devices=[]):
        for seed in seeds:
            member = clone(net)
            seed_estimator(member, seed)
            member.initialize()
            if state is None:
                state = torch.get_rng_state()
            members.append(member)
    if list(members[0]._modules) != ["module"]:
        raise ValueError(
            "engine='stacked' trains nets with a single module; this net has "
            f"{list(members[0]._modules)}. Use engine='sequential'."
        )
    _check_module(members[0].module_)
    return members, state


class StackedModule:
    """The members' parameters stacked, their training and their predictions."""

    def __init__(self, members, chunk_size=None):
        self.members = members
        self.net = members[0]
        self.base = self.net.module_
        modules = [member.module_ for member in members]
        self.params, self.buffers = torch.func.stack_module_state(modules)
        args, kwargs = self.net.get_params_for_optimizer(
            "optimizer", self.params.items()
        )
        self.optimizer = _optimizer(self.net.optimizer, args, kwargs)
        # Members run through the net a chunk at a time: the activations of
        # one chunk are alive at once.
        size = len(members) if chunk_size is None else chunk_size
        self.chunks = [
            slice(start, start + size) for start in range(0, len(members), size)
        ]

    def _forward(self, x, chunk):
        def member(params, buffers, x):
            if isinstance(x, dict):
                return torch.func.functional_call(self.base, (params, buffers), (), x)
            return torch.func.functional_call(self.base, (params, buffers), (x,))

        params, buffers = self.params, self.buffers
        if len(self.chunks) > 1:
            params = {name: value[chunk] for name, value in params.items()}
            buffers = {name: value[chunk] for name, value in buffers.items()}
        return torch.vmap(member, in_dims=(0, 0, None), randomness="different")(
            params, buffers, x
        )

    def fit(self, dataset, membership, end_of_epoch):
        net = self.net
        weight = torch.as_tensor(membership, device=net.device)
        for _ in range(net.max_epochs):
            self.base.train()
            for (x, index), y in _batches(net, dataset, training=True):
                x = to_tensor(x, device=net.device)
                batch_weight = weight[:, index.to(weight.device)]
                self.optimizer.zero_grad()
                # A member's gradient depends on its own loss only, so the
                # chunks' gradients add up to the whole stack's.
                for chunk in self.chunks:
                    y_pred = self._forward(x, chunk)
                    self._loss(y_pred, y, batch_weight[chunk]).backward()
                self.optimizer.step()
            if end_of_epoch():
                break

    def _loss(self, y_pred, y_true, weight):
        """Sum over members of each member's weighted mean batch loss."""
        n_members, n_batch = y_pred.shape[:2]
        y_true = to_tensor(y_true, device=self.net.device)
        flat_pred = y_pred.reshape((n_members * n_batch,) + y_pred.shape[2:])
        flat_true = y_true.repeat((n_members,) + (1,) * (y_true.dim() - 1))
        # The parent net's loss: its own criterion (reduction="none"), with
        # the log that skorch's classifier puts before NLLLoss.
        net = self.net
        losses = super(SampleWeightMixin, net).get_loss(
            flat_pred, flat_true, X=None, training=True
        )
        losses = losses.reshape((n_members, n_batch) + losses.shape[1:])
        counts = _target_counts(net.criterion_, y_true, losses[0])
        if counts is not None:
            counts = counts.expand_as(losses)
        return _weighted_mean(losses, weight, counts).sum()

    @torch.no_grad()
    def predict(self, dataset):
        """Every member's prediction for every sample, shape ``(M, n, ...)``."""
        net = self.net
        self.base.eval()
        nonlinearity = net._get_predict_nonlinearity()
        outputs = []
        for (x, _), _ in _batches(net, dataset, training=False):
            x = to_tensor(x, device=net.device)
            y_pred = torch.cat([self._forward(x, chunk) for chunk in self.chunks])
            outputs.append(nonlinearity(y_pred).to("cpu"))
        return torch.cat(outputs, dim=1).numpy()

    def member(self, m, classes):
        """Member ``m`` as a fitted net of its own."""
        net = self.members[m]
        state = {name: value[m].detach() for name, value in self.params.items()}
        state.update({name: value[m] for name, value in self.buffers.items()})
        net.module_.load_state_dict(state)
        if classes is not None:
            net.classes_inferred_ = classes
        return net


def _optimizer(optimizer, args, kwargs):
    """The net's optimizer over the stacked tensors, fused where it can be.

    M members make every tensor M times larger, and a fused step (one kernel
    per tensor) costs half the per-element loop of the default on a CPU; the
    update is the same arithmetic. The user's own choice of ``foreach`` or
    ``fused`` is kept.
    """
    if "foreach" not in kwargs and "fused" not in kwargs:
        try:
            return optimizer(*args, **kwargs, fused=True)
        except (TypeError, RuntimeError, ValueError):
            pass  # no fused kernel for this optimizer, device or dtype
    return optimizer(*args, **kwargs)


class _Indices(torch.utils.data.Dataset):
    """The sample indices ``0 .. n-1``: batching them draws the same batch order."""

    def __init__(self, n_samples):
        self.n_samples = n_samples

    def __len__(self):
        return self.n_samples

    def __getitem__(self, i):
        return i


class _IndexedDataset(_Indices):
    """Items ``((X_i, i), y_i)`` of any dataset: batches carry their indices."""

    def __init__(self, dataset):
        super().__init__(len(dataset))
        self.dataset = dataset

    def __getitem__(self, i):
        Xi, yi = unpack_data(self.dataset[i])
        return (Xi, i), yi


def _batches(net, dataset, *, training):
    """``((X_batch, indices), y_batch)`` in the order the net's loader gives.

    Arrays are indexed a batch at a time instead of collated sample by
    sample, which costs more than a small net's step; the loader only draws
    the batches of indices, so the order (and the random draws) are the
    ones the net's own loader would make.
    """
    data = _array_data(dataset)
    if data is None:
        yield from net.get_iterator(_IndexedDataset(dataset), training=training)
        return
    X, y = data
    for index in net.get_iterator(_Indices(len(dataset)), training=training):
        yield (X[index], index), (None if y is None else y[index])


def _array_data(dataset):
    """``(X, y)`` as CPU tensors for a plain skorch Dataset of arrays; else None."""
    if type(dataset) is not Dataset:
        return None
    X, y = dataset.X, dataset.y
    arrays = (np.ndarray, torch.Tensor)
    if not isinstance(X, arrays) or not (y is None or isinstance(y, arrays)):
        return None
    return to_tensor(X, device="cpu"), None if y is None else to_tensor(y, device="cpu")


def _classes(net, y):
    """The classes a classifier net's output columns stand for; None otherwise."""
    if not hasattr(net, "classes"):
        return None
    if net.classes is not None:
        return np.asarray(net.classes)
    return np.unique(np.asarray(y))
