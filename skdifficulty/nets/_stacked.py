"""The stacked runner: all members of a skorch net trained in one pass.

Sequential held-out fits of a net cost one training per member. Here the M
members (one per split of the plan) train together: their parameters and
buffers are stacked along a leading dimension
(``torch.func.stack_module_state``) and ``torch.vmap`` runs every member on
the same minibatch of *all* samples. Member m's loss on a batch is the
weighted mean of its per-sample losses with weight
``membership[m, i] * sample_weight[i]``, where ``membership`` is 0 for the
samples m holds out (and a bootstrap count in bootstrap plans), and the
members' losses are summed so each keeps its own gradient. With an optimizer
that updates each parameter element on its own (SGD, Adam, AdamW, ...),
member m is then exactly a weighted net (``skdifficulty.skorch``) trained on
all samples with weight 0 on its held-out part, from the same initial
parameters, with the same batches. So it stays with

- BatchNorm: each member's running statistics are its own slice of the
  stacked buffers, updated in place under ``vmap``; the batch statistics are
  those of the whole batch, as for the weighted net alone;
- skorch's ``LRScheduler`` with a schedule that reads no score: the one
  optimizer follows the schedule every member would;
- gradient clipping: ``GradientNormClipping`` takes each member's norm over
  its own slice of the stacked gradients, ``GradientValueClipping`` acts on
  each element.

This module imports torch and skorch; ``DifficultyEstimator`` imports it
only for ``engine="stacked"``.
"""

import time

import numpy as np
import torch
from sklearn.base import clone
from skorch.callbacks import EarlyStopping, GradientNormClipping, LRScheduler
from skorch.utils import to_tensor
from torch.optim.lr_scheduler import ReduceLROnPlateau

from ..estimate._runners import Result, seed_estimator
from ._batches import (
    _batches,
    _classes,
    _optimizer,
    _rng_devices,
    _target_counts,
    _weighted_mean,
)
from ._members import (
    _BestEpochs,
    _MemberEarlyStopping,
)
from ._memory import (
    MemoryEstimate,
    _take,
)
from ._rules import initialized_user_callbacks
from ._weighted import (
    GradientValueClipping,
    as_weighted_net,
    per_sample_losses,
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

# The callbacks the stacked pass carries out itself (exact types: a
# subclass may do more than the stacked pass knows of).
STACKED_CALLBACKS = (
    LRScheduler,
    GradientNormClipping,
    GradientValueClipping,
    EarlyStopping,
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
    chunk_size : int, "auto" or None, default=None
        Members run through the net at a time (all when None): bounds the
        memory of the activations, at the cost of more, smaller passes.
        ``"auto"``: the largest that :class:`MemoryEstimate` says fits.
    on_epoch : callable, default=None
        Called after every epoch with the members' held-out ``Result`` list,
        as :meth:`run` yields them at the end (costs one prediction pass of
        every member over its held-out samples per epoch).
    stopping : MemberStopping, default=None
        Stops each member at the epoch of its lowest held-out loss: the
        member's parameters and held-out predictions are those of that
        epoch, and training ends once every member has stopped improving
        (costs one prediction pass of every member over its held-out
        samples per epoch).
    verbose : int, default=0
        Print the memory plan and a line per epoch (the members' mean
        training and held-out losses, and the epoch's time) when positive.

    Attributes
    ----------
    history : dict of ndarray
        After :meth:`run`: ``"train_loss"`` and ``"valid_loss"`` of shape
        ``(n_epochs, n_members)`` and ``"dur"`` of shape ``(n_epochs,)``
        (see ``DifficultyEstimator.history_``).
    memory : MemoryEstimate
        After :meth:`run` has started: what the members need on the device.
    best_epochs_ : ndarray of shape (n_members,)
        With ``stopping``, after :meth:`run`: each member's best epoch,
        counted from 1.
    n_epochs_ : int
        With ``stopping``, after :meth:`run`: the epochs trained.
    """

    def __init__(self, chunk_size=None, on_epoch=None, stopping=None, verbose=0):
        self.chunk_size = chunk_size
        self.on_epoch = on_epoch
        self.stopping = stopping
        self.verbose = verbose
        self.history = None
        self.memory = None

    def run(self, plan):
        splits = list(plan.splits)
        net = as_weighted_net(plan.estimator)
        check_stackable(net, plan.params)
        seeds = [seed for _, seed in zip(splits, plan.seeds, strict=False)]
        first, batch_rng_state = _initialized_member(net, seeds[0])
        _check_member(first)
        # The net's own dataset knows its length for any X skorch takes (a
        # dict of arrays too).
        dataset = first.get_dataset(plan.X, plan.y)
        # Before the other members take their share of the device.
        self.memory = MemoryEstimate.of(first, dataset, len(seeds))
        chunk_size = self.memory.chunk_size(self.chunk_size)
        members = [first] + [_initialized_member(net, seed)[0] for seed in seeds[1:]]
        membership = membership_matrix(splits, len(dataset))
        weight = plan.params.get("sample_weight")
        if weight is not None:
            membership = membership * np.asarray(weight, dtype=np.float64)
        stack = StackedModule(members, chunk_size)
        classes = _classes(first, plan.y)
        if self.verbose:
            print(self.memory.describe(chunk_size), flush=True)

        def held_out(keep):
            """The members' held-out Results and mean held-out losses."""
            # Forked: a dataset that augments at random draws from torch's
            # generator, and the training batches must not depend on it.
            with torch.random.fork_rng(devices=_rng_devices(first.device)):
                proba, losses = stack.predict(dataset, [s.test for s in splits])
            results = [
                Result(
                    stack.member(m, classes) if keep else None,
                    split,
                    proba[m][split.test],
                    classes,
                )
                for m, split in enumerate(splits)
            ]
            valid_loss = np.full(len(splits), np.nan)
            if losses is not None:
                for m, split in enumerate(splits):
                    if len(split.test):
                        valid_loss[m] = losses[m, split.test].mean()
            return results, valid_loss

        best = None if self.stopping is None else _BestEpochs(self.stopping, stack)
        stoppers = [_MemberEarlyStopping(cb, stack) for cb in stack.callbacks.stopping]
        if len(stoppers) > 1:
            raise ValueError(
                "engine='stacked' runs one EarlyStopping callback for each member; "
                f"the net has {len(stoppers)}. Keep one, or use engine='sequential'."
            )

        def end_of_epoch():
            """Record the epoch; True when training should end."""
            record = stack.history[-1]
            stop = False
            if self.on_epoch is not None or self.verbose or best is not None:
                results, record["valid_loss"] = held_out(keep=False)
                if self.on_epoch is not None:
                    self.on_epoch(results)
                if best is not None:
                    stop = best.update(results)
            for stopper in stoppers:
                stop = stopper.update(record["train_loss"]) or stop
            record["dur"] = time.perf_counter() - record.pop("start")
            if self.verbose:
                _print_epoch(len(stack.history), record, len(members))
            return stop

        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(batch_rng_state)
            stack.fit(dataset, membership, end_of_epoch)
        for stopper in stoppers:
            stopper.restore()
        if best is not None:
            best.restore()
            self.best_epochs_ = best.epochs + 1  # counted from 1, as skorch does
            self.n_epochs_ = best.n_epochs
        results, valid_loss = held_out(plan.keep)
        if stack.history and "valid_loss" not in stack.history[-1]:
            stack.history[-1]["valid_loss"] = valid_loss
        self.history = _history_arrays(stack.history, len(members))
        yield from results


def _print_epoch(epoch, record, n_members):
    """One line per epoch, like skorch's log, of the members' means."""
    if epoch == 1:
        print(
            f"{'epoch':>5}  {'train_loss':>10}  {'valid_loss':>10}  {'dur':>8}"
            f"   (means over {n_members} members; valid: held-out samples)"
        )
    valid = record["valid_loss"]
    valid = valid[np.isfinite(valid)]  # a member may hold out no sample
    valid = valid.mean() if valid.size else np.nan
    print(
        f"{epoch:5d}  {np.mean(record['train_loss']):10.4f}  {valid:10.4f}"
        f"  {record['dur']:8.4f}",
        flush=True,
    )


def _history_arrays(history, n_members):
    """The per-epoch records as ``{"train_loss", "valid_loss", "dur"}`` arrays."""
    missing = np.full(n_members, np.nan)
    train_loss = [record["train_loss"] for record in history]
    valid_loss = [record.get("valid_loss", missing) for record in history]
    return {
        "train_loss": np.array(train_loss).reshape(-1, n_members),
        "valid_loss": np.array(valid_loss).reshape(-1, n_members),
        "dur": np.array([r["dur"] for r in history], dtype=np.float64),
    }


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


def stacking_refusal(net, params):
    """Why the stacked engine cannot train ``net`` with ``params``, or None.

    Checks an initialized clone's module and callbacks too (that costs one
    initialization, not a training).
    """
    try:
        weighted = as_weighted_net(net)
        check_stackable(weighted, params)
        with torch.random.fork_rng(devices=[]):
            _check_member(_initialized_member(weighted, 0)[0])
    except ValueError as error:
        return str(error)
    return None


def _check_callbacks(member):
    """Refuse the callbacks (as the initialized net runs them) that would mix
    the members or that the stacked pass does not carry out."""
    for name, callback in initialized_user_callbacks(member):
        if type(callback) not in STACKED_CALLBACKS:
            raise ValueError(
                f"engine='stacked' carries out only skorch's LRScheduler (a "
                "schedule that reads no score), GradientNormClipping, "
                "EarlyStopping on the training loss and "
                "skdifficulty.skorch.GradientValueClipping; the net's callback "
                f"{name!r} is a {type(callback).__name__}, which it cannot run for "
                "each member. Switch it off "
                f"(net.set_params(callbacks__{name}=None)) or use "
                "engine='sequential'."
            )
        if type(callback) is EarlyStopping and callback.monitor != "train_loss":
            raise ValueError(
                f"engine='stacked' runs EarlyStopping for each member on its "
                f"training loss, which it records; the net's callback {name!r} "
                f"has monitor={callback.monitor!r}, which is not recorded. Use "
                "EarlyStopping(monitor='train_loss'), or the engine's own early "
                "stopping on each member's held-out loss (early_stopping=True, "
                "without the callback)."
            )
        if type(callback) is LRScheduler:
            policy = callback.policy_
            if isinstance(policy, type) and issubclass(policy, ReduceLROnPlateau):
                raise ValueError(
                    f"The net's callback {name!r} is a ReduceLROnPlateau schedule, "
                    "which steps on a score; the stacked members have a score "
                    "each, and their one optimizer cannot follow them all. Use a "
                    "schedule that reads no score (StepLR, CosineAnnealingLR, "
                    "OneCycleLR, ...), or engine='sequential'."
                )
            if callback.step_every not in ("epoch", "batch"):
                raise ValueError(
                    f"The net's callback {name!r} has step_every="
                    f"{callback.step_every!r}; engine='stacked' steps a schedule "
                    "every 'epoch' or every 'batch', as skorch does."
                )


def _check_member(member):
    """Refuse a net the stacked pass cannot run, from its initialized member."""
    if list(member._modules) != ["module"]:
        raise ValueError(
            "engine='stacked' trains nets with a single module; this net has "
            f"{list(member._modules)}. Use engine='sequential'."
        )
    for name, layer in member.module_.named_modules():
        if (
            isinstance(layer, torch.nn.modules.batchnorm._BatchNorm)
            and layer.track_running_stats
            and layer.momentum is None
        ):
            raise ValueError(
                f"The net's layer {name!r} is a {type(layer).__name__} with "
                "momentum=None (a cumulative average of the batch statistics), "
                "which reads a batch count that torch.vmap cannot give each "
                "member. Give it a momentum (PyTorch's default is 0.1), or use "
                "engine='sequential'."
            )
    _check_callbacks(member)


def membership_matrix(splits, n_samples):
    """``(n_members, n_samples)`` training weights: 0 held out, else the count."""
    membership = np.zeros((len(splits), n_samples))
    for m, split in enumerate(splits):
        membership[m] = np.bincount(split.train, minlength=n_samples)
    return membership


def _initialized_member(net, seed):
    """An initialized clone seeded with ``seed``; and torch's state after it."""
    with torch.random.fork_rng(devices=[]):
        member = clone(net)
        seed_estimator(member, seed)
        member.initialize()
        return member, torch.get_rng_state()


class StackedModule:
    """The members' parameters stacked, their training and their predictions.

    Attributes
    ----------
    history : list of dict
        One record per epoch: ``"train_loss"``, each member's mean of its
        batch losses weighted by the batch sizes (skorch's ``train_loss``),
        and ``"start"``, the epoch's start (``time.perf_counter``).
    """

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
        self.callbacks = _StackedCallbacks(self.net, self.optimizer)
        self.history = []
        # Members run through the net a chunk at a time: the activations of
        # one chunk are alive at once.
        size = len(members) if chunk_size is None else chunk_size
        self.chunks = [
            slice(start, start + size) for start in range(0, len(members), size)
        ]

    def _forward(self, x, chunk, per_member=False):
        """The chunk's outputs on the batch ``x``, or on each member's own
        batch (``per_member``: ``x`` has a leading dimension M)."""

        def member(params, buffers, x):
            if isinstance(x, dict):
                return torch.func.functional_call(self.base, (params, buffers), (), x)
            return torch.func.functional_call(self.base, (params, buffers), (x,))

        params, buffers = self.params, self.buffers
        if len(self.chunks) > 1:
            # Views: BatchNorm's in-place update of a chunk's running
            # statistics reaches the stacked buffers.
            params = {name: value[chunk] for name, value in params.items()}
            buffers = {name: value[chunk] for name, value in buffers.items()}
            if per_member:
                x = _take(x, chunk)
        in_dims = (0, 0, 0 if per_member else None)
        return torch.vmap(member, in_dims=in_dims, randomness="different")(
            params, buffers, x
        )

    def fit(self, dataset, membership, end_of_epoch):
        net = self.net
        weight = torch.as_tensor(membership, device=net.device)
        for _ in range(net.max_epochs):
            start = time.perf_counter()
            train_loss = self._train_epoch(dataset, weight)
            self.history.append({"train_loss": train_loss, "start": start})
            if end_of_epoch():
                break

    def _train_epoch(self, dataset, weight):
        """One epoch, one optimizer step per batch; each member's train loss."""
        net = self.net
        self.base.train()
        loss_sum, n_seen = 0, 0
        for (x, index), y in _batches(net, dataset, training=True):
            x = to_tensor(x, device=net.device)
            batch_weight = weight[:, index.to(weight.device)]
            self.optimizer.zero_grad()
            # A member's gradient depends on its own loss only, so the
            # chunks' gradients add up to the whole stack's.
            losses = []
            for chunk in self.chunks:
                y_pred = self._forward(x, chunk)
                chunk_losses = self._losses(y_pred, y, batch_weight[chunk])
                chunk_losses.sum().backward()
                losses.append(chunk_losses.detach())
            self.callbacks.on_grad_computed(self.params.values())
            self.optimizer.step()
            self.callbacks.on_batch_end()
            loss_sum = loss_sum + torch.cat(losses) * len(index)
            n_seen += len(index)
        self.callbacks.on_epoch_end()
        return (loss_sum / max(n_seen, 1)).cpu().numpy()

    def _sample_losses(self, y_pred, y_true, training, per_member=False):
        """The criterion's per-sample losses, shape ``(M, batch, ...)``, on
        the batch's targets (or each member's own, ``per_member``)."""
        n_members, n_batch = y_pred.shape[:2]
        y_true = to_tensor(y_true, device=self.net.device)
        flat_pred = y_pred.reshape((n_members * n_batch,) + y_pred.shape[2:])
        if per_member:
            flat_true = y_true.reshape((n_members * n_batch,) + y_true.shape[2:])
        else:
            flat_true = y_true.repeat((n_members,) + (1,) * (y_true.dim() - 1))
        # The parent net's loss: its own criterion (reduction="none"), with
        # the log that skorch's classifier puts before NLLLoss.
        losses = per_sample_losses(self.net, flat_pred, flat_true, training=training)
        return losses.reshape((n_members, n_batch) + losses.shape[1:]), y_true

    def _losses(self, y_pred, y_true, weight):
        """Each member's weighted mean batch loss, shape ``(M,)``."""
        losses, y_true = self._sample_losses(y_pred, y_true, training=True)
        counts = _target_counts(self.net.criterion_, y_true, losses[0])
        if counts is not None:
            counts = counts.expand_as(losses)
        return _weighted_mean(losses, weight, counts)

    @torch.no_grad()
    def predict(self, dataset, tests):
        """Every member's prediction for its held-out samples, and its loss.

        Each member runs on its own samples of every batch (``tests[m]``;
        in evaluation mode a sample's output does not depend on its batch),
        which with 5 folds costs a fifth of running every member on every
        sample.

        Returns
        -------
        prediction : ndarray of shape (M, n_samples, ...)
            After the net's prediction nonlinearity (probabilities); zero
            outside each member's held-out samples.
        losses : ndarray of shape (M, n_samples) or None
            The criterion's loss of each held-out sample (the mean over its
            elements), NaN elsewhere; None for a dataset without targets.
        """
        net = self.net
        n_members = len(self.members)
        self.base.eval()
        nonlinearity = net._get_predict_nonlinearity()
        held_out = np.zeros((n_members, len(dataset)), dtype=bool)
        for m, test in enumerate(tests):
            held_out[m, test] = True
        held_out = torch.as_tensor(held_out)
        members = torch.arange(n_members)[:, None]
        prediction = losses = None
        for (x, index), y in _batches(net, dataset, training=False):
            index = torch.as_tensor(index)
            mask = held_out[:, index]
            counts = mask.sum(1)
            # One padded row at least in the first batch: it gives the
            # outputs' shape.
            width = max(int(counts.max()), int(prediction is None))
            if width == 0:
                continue
            # Each member's held-out rows of the batch first (padded with
            # other rows, whose outputs are dropped).
            rows = torch.argsort((~mask).to(torch.int8), dim=1, stable=True)
            rows = rows[:, :width]
            valid = torch.arange(width)[None, :] < counts[:, None]
            x = _take(to_tensor(x, device=net.device), rows.to(net.device))
            y_pred = torch.cat(
                [self._forward(x, chunk, per_member=True) for chunk in self.chunks]
            )
            out = nonlinearity(y_pred).to("cpu")
            if prediction is None:
                prediction = torch.zeros(
                    (n_members, len(dataset)) + out.shape[2:], dtype=out.dtype
                )
            where = (members.expand_as(rows)[valid], index[rows][valid])
            prediction[where] = out[valid]
            if y is None:
                continue
            y = to_tensor(y, device=net.device)[rows.to(net.device)]
            batch_losses, _ = self._sample_losses(
                y_pred, y, training=False, per_member=True
            )
            per_sample = batch_losses.reshape((n_members, width, -1)).mean(2)
            if losses is None:
                losses = torch.full(
                    (n_members, len(dataset)), np.nan, dtype=torch.float64
                )
            losses[where] = per_sample.to("cpu", torch.float64)[valid]
        return prediction.numpy(), None if losses is None else losses.numpy()

    def member(self, m, classes):
        """Member ``m`` as a fitted net of its own."""
        net = self.members[m]
        state = {name: value[m].detach() for name, value in self.params.items()}
        state.update({name: value[m] for name, value in self.buffers.items()})
        net.module_.load_state_dict(state)
        if classes is not None:
            net.classes_inferred_ = classes
        return net


class _StackedCallbacks:
    """The net's schedules and gradient clipping, carried out on the stack.

    Built from the first member's initialized callbacks (as skorch runs
    them, in their order): a schedule steps where skorch's ``LRScheduler``
    steps it (after each training batch's optimizer step, or at the end of
    the epoch); clipping happens after the backward pass, before the step.
    """

    def __init__(self, net, optimizer):
        self.clips, self.per_batch, self.per_epoch = [], [], []
        self.stopping = []  # EarlyStopping callbacks, run by the stack
        for _, callback in initialized_user_callbacks(net):
            if type(callback) is EarlyStopping:
                self.stopping.append(callback)
            elif type(callback) is LRScheduler:
                scheduler = _scheduler(callback, optimizer)
                if callback.step_every == "batch":
                    self.per_batch.append(scheduler)
                else:
                    self.per_epoch.append(scheduler)
            elif callback.gradient_clip_value is not None:
                self.clips.append(callback)

    def on_grad_computed(self, params):
        grads = [param.grad for param in params if param.grad is not None]
        for clip in self.clips:
            if type(clip) is GradientValueClipping:
                for grad in grads:
                    grad.clamp_(-clip.gradient_clip_value, clip.gradient_clip_value)
            else:
                clip_norm_per_member(
                    grads, clip.gradient_clip_value, clip.gradient_clip_norm_type
                )

    def on_batch_end(self):
        for scheduler in self.per_batch:
            scheduler.step()

    def on_epoch_end(self):
        for scheduler in self.per_epoch:
            scheduler.step()


def _scheduler(callback, optimizer):
    """The torch scheduler that ``callback`` builds at the start of a fit."""
    kwargs = callback.kwargs
    # skorch starts a fresh fit's schedule at last_epoch = len(history) - 1.
    kwargs.setdefault("last_epoch", -1)
    return callback.policy_(optimizer, **kwargs)


def clip_norm_per_member(grads, max_norm, norm_type=2):
    """``torch.nn.utils.clip_grad_norm_`` for every member on its own slice.

    ``grads`` are stacked gradients (leading dimension M); member m's norm is
    that of its slices of all of them together, and its slices are scaled
    by ``min(1, max_norm / (norm + 1e-6))``, as ``clip_grad_norm_`` scales a
    net's gradients.

    Returns
    -------
    norms : torch.Tensor of shape (M,)
        Each member's norm before clipping.
    """
    norm_type = float(norm_type)
    per_tensor = torch.stack(
        [torch.linalg.vector_norm(g.flatten(1), norm_type, dim=1) for g in grads],
        dim=1,
    )
    norms = torch.linalg.vector_norm(per_tensor, norm_type, dim=1)
    scale = torch.clamp(max_norm / (norms + 1e-6), max=1.0)
    for grad in grads:
        grad.mul_(scale.to(grad.dtype).reshape((-1,) + (1,) * (grad.dim() - 1)))
    return norms


