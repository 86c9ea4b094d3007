"""The memory a stacked training needs, estimated before it starts, and what is
available.
"""

import warnings

import torch
from skorch.utils import to_tensor

from ._batches import (
    _batches,
    _optimizer,
    _rng_devices,
)

# Share of the device's available memory that the members may plan to use:
# the estimate leaves room for the allocator's rounding and the rest of the
# process.
MEMORY_SHARE = 0.9


class MemoryEstimate:
    """What M stacked members need on the net's device, in bytes.

    Every member keeps its parameters twice (its own net, and its slice of
    the stack), their gradients, its buffers and the optimizer's state for
    it; a chunk of k members holds k copies of one member's activations for
    a training batch (the tensors autograd saves, counted once more for the
    backward pass's transient gradients).

    Parameters
    ----------
    n_members : int
        M.
    per_member : int
        Parameters (twice), gradients, buffers and optimizer state of one
        member.
    activations : int
        One member's activations for one training batch, backward included.
    available : int or None
        The device's available memory (None where it cannot be told).
    device : str
        The net's device.
    """

    def __init__(self, n_members, per_member, activations, available, device):
        self.n_members = n_members
        self.per_member = per_member
        self.activations = activations
        self.available = available
        self.device = device

    @classmethod
    def of(cls, net, dataset, n_members):
        """The estimate for ``n_members`` copies of the initialized ``net``."""
        module = net.module_
        params = sum(_nbytes(p) for p in module.parameters())
        buffers = sum(_nbytes(b) for b in module.buffers())
        per_member = 3 * params + buffers + _optimizer_state_bytes(net)
        activations = 2 * _activation_bytes(net, dataset)
        return cls(
            n_members, per_member, activations, _available_bytes(net.device), net.device
        )

    def needed(self, chunk_size):
        """Bytes for all members, ``chunk_size`` of them through the net at once."""
        return self.n_members * self.per_member + chunk_size * self.activations

    def largest_chunk(self):
        """The largest chunk whose need fits the budget (M where unknown), or 0."""
        if self.available is None:
            return self.n_members
        spare = MEMORY_SHARE * self.available - self.n_members * self.per_member
        if spare < self.activations:
            return 0
        if self.activations == 0:
            return self.n_members
        return min(self.n_members, int(spare // self.activations))

    def chunk_size(self, requested):
        """The chunk size to train with, for ``requested`` (int, None, "auto").

        Raises ``MemoryError`` when not even one member at a time fits;
        warns when the requested chunk may not.
        """
        largest = self.largest_chunk()
        if largest == 0:
            raise MemoryError(
                f"engine='stacked' needs about {_format_bytes(self.needed(1))} on "
                f"{self.device} for {self.n_members} members even one at a time "
                f"(chunk_size=1): {_format_bytes(self.per_member)} per member for "
                "its parameters, gradients and optimizer state, and "
                f"{_format_bytes(self.activations)} of activations for a batch; "
                f"{_format_bytes(self.available)} is available. Use a smaller "
                "batch_size, fewer members (cv x n_repeats), a device with more "
                "memory, or engine='sequential' (one member at a time)."
            )
        if requested == "auto":
            return largest
        chunk = self.n_members if requested is None else min(requested, self.n_members)
        if chunk > largest:
            warnings.warn(
                f"engine='stacked' with chunk_size={requested} may need about "
                f"{_format_bytes(self.needed(chunk))} on {self.device}, more than "
                f"the {_format_bytes(self.available)} available; "
                f"chunk_size='auto' would run {largest} members at a time.",
                UserWarning,
                stacklevel=2,
            )
        return chunk

    def describe(self, chunk_size):
        """A line on the plan, for ``verbose``."""
        available = (
            "unknown" if self.available is None else _format_bytes(self.available)
        )
        return (
            f"engine='stacked': {self.n_members} members, {chunk_size} at a time; "
            f"estimated {_format_bytes(self.needed(chunk_size))} on {self.device} "
            f"(available: {available})"
        )


def _take(x, index):
    """``x[index]`` for a tensor, or for every tensor of a dict."""
    if isinstance(x, dict):
        return {key: value[index] for key, value in x.items()}
    return x[index]


def _nbytes(tensor):
    return tensor.numel() * tensor.element_size()


def _format_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return None  # not reached


def _optimizer_state_bytes(net):
    """The optimizer's state for one member, from one step on a copy of it."""
    copies = {
        name: param.detach().clone().requires_grad_(param.requires_grad)
        for name, param in net.module_.named_parameters()
    }
    for param in copies.values():
        param.grad = torch.zeros_like(param)
    args, kwargs = net.get_params_for_optimizer("optimizer", copies.items())
    optimizer = _optimizer(net.optimizer, args, kwargs)
    optimizer.step()
    return sum(
        _nbytes(value)
        for state in optimizer.state.values()
        for value in state.values()
        if torch.is_tensor(value)
    )


def _activation_bytes(net, dataset):
    """What autograd saves when one member runs on one training batch.

    Runs the first member on the first training batch with copies of its
    buffers (BatchNorm's statistics stay as they are) and torch's generators
    forked (the batch order stays as it is).
    """
    module = net.module_
    params = dict(module.named_parameters())
    owned = {p.untyped_storage().data_ptr() for p in params.values()}
    saved = {}

    def pack(tensor):
        try:
            storage = tensor.untyped_storage()
            key, size = storage.data_ptr(), storage.nbytes()
        except (RuntimeError, NotImplementedError):  # no storage of its own
            key, size = id(tensor), _nbytes(tensor)
        if key not in owned:
            saved[key] = size
        return tensor

    training = module.training
    with torch.random.fork_rng(devices=_rng_devices(net.device)):
        (x, _), _ = next(iter(_batches(net, dataset, training=True)))
        x = to_tensor(x, device=net.device)
        buffers = {name: b.clone() for name, b in module.named_buffers()}
        module.train()
        try:
            with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
                if isinstance(x, dict):
                    out = torch.func.functional_call(module, (params, buffers), (), x)
                else:
                    out = torch.func.functional_call(module, (params, buffers), (x,))
        finally:
            module.train(training)
    outputs = out if isinstance(out, tuple | list) else [out]
    return sum(saved.values()) + sum(
        _nbytes(o) for o in outputs if torch.is_tensor(o)
    )


def _available_bytes(device):
    """Free memory on ``device``: CUDA's free and cached memory, or the
    available RAM for the CPU; None where it cannot be told."""
    device = torch.device(device)
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        cached = torch.cuda.memory_reserved(device) - torch.cuda.memory_allocated(
            device
        )
        return free + cached
    if device.type != "cpu":
        return None
    try:
        import psutil
    except ImportError:
        pass
    else:
        return psutil.virtual_memory().available
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None
