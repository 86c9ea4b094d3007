"""The difficulty of a neural net: stacked engine against sequential fits.

Two parts, on ``load_digits`` (pixels scaled to [0, 1]):

``timing``: wall time, in one process with the repeats interleaved, of one
plain skorch training, the sequential engine (5 folds x 2 repeats = 10
trainings), the stacked engine (the same 10 members in one pass) and, where
available, one training that records its training dynamics; for an MLP
(64-128-10), a small CNN (both with Adam) and a small ResNet (BatchNorm after
every convolution, SGD with momentum and weight decay, a cosine schedule and
gradient norm clipping). Printed: the median of each and the median of the
per-repeat ratios to one plain training.

``quality``: with 20% and 40% of the training labels flipped, the AUROC with
which each engine's difficulty (and the single-run signals) finds the flipped
labels, and the clean test accuracy of a net trained with easy-first weights
from each.

``robust``: nets trained as deep-learning users train them (Adam, lr 1e-2,
batch 100, ``--robust-epochs`` epochs, 100 by default: long enough that the
plain net fits its noisy training labels), on clean labels, 20/40/60%
symmetric noise and 30% pair noise (class k labelled k+1): clean test
accuracy and cost in plain trainings (wall time over the same seed's plain
training) of the plain net, the robust losses GCE and SCE, co-teaching told
the true noise rate, confident-learning pruning, the clean-subset oracle,
and the one-line recipe
``DifficultyWeightedClassifier(net, difficulty_estimator=DifficultyEstimator(net, engine="stacked"))``.
The anchors are in ``noisy_label_anchors.py``.

Run: ``python benchmarks/bench_nets.py [--parts timing quality robust] [--device cuda]``
(timing of the MLP and the CNN about 3 min on one CPU thread, the ResNet takes
longer; quality about 15 min; robust about 15 min for the MLP and 40 min for
the CNN). ``--nets`` picks nets, ``--epochs`` the epochs of the timed
trainings (20).
"""

import argparse
import time

import numpy as np
import torch
from noisy_label_anchors import (  # noqa: I001 (next to this script)
    CoTeachingNet,
    GCELoss,
    SCELoss,
    clean_subset,
    prune_and_refit,
)
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from skorch import NeuralNetClassifier
from skorch.callbacks import GradientNormClipping, LRScheduler
from threadpoolctl import threadpool_limits

from skdifficulty import DifficultyEstimator, DifficultyWeightedClassifier
from skdifficulty.datasets import flip_labels

try:  # the single-run signals (training dynamics)
    from skdifficulty.dynamics import DynamicsDifficultyEstimator
except ImportError:
    DynamicsDifficultyEstimator = None


class MLP(torch.nn.Module):
    """64 -> 128 -> 10 logits."""

    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
        )

    def forward(self, X):
        return self.layers(X)


class CNN(torch.nn.Module):
    """Conv(1->16, 3x3) -> ReLU -> MaxPool -> Conv(16->32) -> ReLU -> Linear."""

    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1),
            torch.nn.ReLU(),
        )
        self.out = torch.nn.Linear(32 * 4 * 4, 10)

    def forward(self, X):
        return self.out(self.features(X.reshape(-1, 1, 8, 8)).flatten(1))


class _Block(torch.nn.Module):
    """Two 3x3 convolutions with BatchNorm, and the shortcut around them."""

    def __init__(self, n_in, n_out, stride=1):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(n_in, n_out, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(n_out)
        self.conv2 = torch.nn.Conv2d(n_out, n_out, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(n_out)
        self.shortcut = torch.nn.Identity()
        if stride != 1 or n_in != n_out:
            self.shortcut = torch.nn.Sequential(
                torch.nn.Conv2d(n_in, n_out, 1, stride, bias=False),
                torch.nn.BatchNorm2d(n_out),
            )

    def forward(self, X):
        h = torch.relu(self.bn1(self.conv1(X)))
        return torch.relu(self.bn2(self.conv2(h)) + self.shortcut(X))


class ResNet(torch.nn.Module):
    """Conv(1->16)+BN stem -> residual block (16, 8x8) -> residual block
    (32, 4x4, strided) -> global average pool -> Linear."""

    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1, bias=False),
            torch.nn.BatchNorm2d(16),
            torch.nn.ReLU(),
        )
        self.blocks = torch.nn.Sequential(_Block(16, 16), _Block(16, 32, stride=2))
        self.out = torch.nn.Linear(32, 10)

    def forward(self, X):
        h = self.blocks(self.stem(X.reshape(-1, 1, 8, 8)))
        return self.out(h.mean((2, 3)))


def _resnet_recipe(max_epochs):
    """How a ResNet is usually trained: SGD with momentum and weight decay, a
    cosine schedule, gradient norm clipping."""
    return dict(
        optimizer=torch.optim.SGD,
        lr=0.05,
        optimizer__momentum=0.9,
        optimizer__weight_decay=5e-4,
        callbacks=[
            ("schedule", LRScheduler("CosineAnnealingLR", T_max=max_epochs)),
            ("clip", GradientNormClipping(1.0)),
        ],
    )


# A net's training parameters where they differ from make_net's defaults.
RECIPES = {ResNet: _resnet_recipe}


def make_net(module, device, max_epochs=20, net_class=NeuralNetClassifier, **params):
    """The net of the timing and quality parts; ``params`` override its own."""
    defaults = dict(
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.002,
        max_epochs=max_epochs,
        batch_size=64,
        iterator_train__shuffle=True,
        train_split=None,
        device=device,
        verbose=0,
    )
    if module in RECIPES:
        defaults.update(RECIPES[module](max_epochs))
    return net_class(module, **{**defaults, **params})


def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y.astype(np.int64)


def engines(net, dynamics):
    """name -> function(X, y) that runs it once."""
    runs = {
        "plain": lambda X, y: net.fit(X, y),
        "sequential 5x2": lambda X, y: DifficultyEstimator(
            net, cv=5, n_repeats=2, engine="sequential", random_state=0
        ).fit(X, y),
        # All epochs, as the sequential fits train them.
        "stacked 5x2": lambda X, y: DifficultyEstimator(
            net, cv=5, n_repeats=2, engine="stacked", early_stopping=False,
            random_state=0,
        ).fit(X, y),
    }
    if dynamics:
        runs["dynamics (1 run)"] = lambda X, y: DynamicsDifficultyEstimator(
            net, random_state=0
        ).fit(X, y)
    return runs


def _synchronize(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


NETS = {"MLP": MLP, "CNN": CNN, "ResNet": ResNet}


def timing(device, repeats, nets, epochs=20):
    X, y = digits()
    print(
        f"timing: digits {X.shape}, {epochs} epochs, batch 64, Adam (ResNet: SGD, "
        f"cosine schedule, clipping), device {device}"
    )
    for name in nets:
        module = NETS[name]
        net = make_net(module, device, max_epochs=epochs)
        runs = engines(net, DynamicsDifficultyEstimator)
        for run in runs.values():  # warm-up: imports, allocator, kernels
            run(X, y)
        times = {key: [] for key in runs}
        for _ in range(repeats):
            for key, run in runs.items():
                _synchronize(device)
                start = time.perf_counter()
                run(X, y)
                _synchronize(device)
                times[key].append(time.perf_counter() - start)
        plain = np.array(times["plain"])
        print(f"\n{name}: {'':17} median s   x plain (median of ratios)")
        for key, values in times.items():
            ratio = np.median(np.array(values) / plain)
            print(f"  {key:24} {np.median(values):8.2f}   {ratio:6.2f}")
        stacked, sequential = times["stacked 5x2"], times["sequential 5x2"]
        speedup = np.median(np.array(sequential) / np.array(stacked))
        print(f"  sequential / stacked (median of ratios): {speedup:.2f}")


def quality(device, noises, seeds, nets):
    X, y = digits()
    header = (
        f"{'net':4} {'noise':>5} {'seed':>4} | AUROC: {'stacked':>7} {'seq':>7}"
        f" {'conf':>7} {'aum':>7} | test acc: {'plain':>6} {'stacked':>7}"
        f" {'seq':>6} {'conf':>6}"
    )
    print("\nquality: digits, 70/30 split, training labels flipped at random")
    print(header)
    for name in nets:
        module = NETS[name]
        for noise in noises:
            rows = []
            for seed in seeds:
                row = _quality_row(module, device, X, y, noise, seed)
                rows.append(row)
                print(_format(name, noise, seed, row))
            print(_format(name, noise, "mean", np.nanmean(rows, axis=0)))


def _quality_row(module, device, X, y, noise, seed):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=seed, stratify=y
    )
    y_noisy, flipped = flip_labels(y_train, rate=noise, random_state=seed)
    net = make_net(module, device)
    estimators = {
        # All epochs in both engines: the engines compared on one plan.
        "stacked": DifficultyEstimator(
            net, cv=5, n_repeats=2, engine="stacked", early_stopping=False,
            random_state=seed,
        ),
        "seq": DifficultyEstimator(
            net, cv=5, n_repeats=2, engine="sequential", random_state=seed
        ),
    }
    if DynamicsDifficultyEstimator is not None:
        estimators["conf"] = DynamicsDifficultyEstimator(
            net, signal="confidence", random_state=seed
        )
        estimators["aum"] = DynamicsDifficultyEstimator(
            net, signal="margin", random_state=seed
        )
    auroc, accuracy = {}, {}
    torch.manual_seed(seed)
    accuracy["plain"] = net.fit(X_train, y_noisy).score(X_test, y_test)
    for key, estimator in estimators.items():
        # Static easy-first weights of each difficulty (the robust part
        # measures the nets' defaults).
        clf = DifficultyWeightedClassifier(
            net, difficulty_estimator=estimator, weighting="easy_first",
            strength=4, relabel=False, dynamic=False,
        )
        torch.manual_seed(seed)
        clf.fit(X_train, y_noisy)
        auroc[key] = roc_auc_score(flipped, clf.difficulty_)
        accuracy[key] = clf.score(X_test, y_test)
    return [
        auroc.get("stacked"),
        auroc.get("seq"),
        auroc.get("conf", np.nan),
        auroc.get("aum", np.nan),
        accuracy["plain"],
        accuracy["stacked"],
        accuracy["seq"],
        accuracy.get("conf", np.nan),
    ]


def _format(name, noise, seed, row):
    a = " ".join(f"{v:7.4f}" for v in row[:4])
    b = " ".join(f"{v:6.4f}" for v in row[4:])
    return f"{name:4} {noise:5.2f} {seed!s:>4} |        {a} |           {b}"


# The noise cells of the robust part: (kind, rate).
NOISE_CELLS = [
    ("clean", 0.0),
    ("symmetric", 0.2),
    ("symmetric", 0.4),
    ("symmetric", 0.6),
    ("pair", 0.3),
]
ROBUST_METHODS = (
    "plain", "gce", "sce", "coteach", "prune", "oracle", "ours", "static"
)


def make_robust_net(module, device, max_epochs, net_class=NeuralNetClassifier, **params):
    """A net as deep-learning users train one: Adam at lr 1e-2, batches of 100."""
    return make_net(
        module, device, max_epochs, net_class, lr=0.01, batch_size=100, **params
    )


def _robust_fits(module, device, epochs, rate):
    """method -> function(X, y_noisy, y_true, seed) returning a fitted classifier."""
    net = make_robust_net(module, device, epochs)
    return {
        "plain": lambda X, y, y_true, seed: clone(net).fit(X, y),
        "gce": lambda X, y, y_true, seed: clone(net).set_params(criterion=GCELoss).fit(X, y),
        "sce": lambda X, y, y_true, seed: clone(net).set_params(criterion=SCELoss).fit(X, y),
        "coteach": lambda X, y, y_true, seed: make_robust_net(
            module, device, epochs, CoTeachingNet, forget_rate=rate
        ).fit(X, y),
        "prune": lambda X, y, y_true, seed: prune_and_refit(net, X, y, random_state=seed)[0],
        "oracle": lambda X, y, y_true, seed: clean_subset(net, X, y, y_true),
        "ours": lambda X, y, y_true, seed: DifficultyWeightedClassifier(
            net,
            difficulty_estimator=DifficultyEstimator(net, engine="stacked"),
            random_state=seed,
        ).fit(X, y),
        # The same with weights that stay as the difficulty set them.
        "static": lambda X, y, y_true, seed: DifficultyWeightedClassifier(
            net,
            difficulty_estimator=DifficultyEstimator(net, engine="stacked"),
            dynamic=False,
            random_state=seed,
        ).fit(X, y),
    }


def robust(device, seeds, nets, epochs, methods):
    X, y = digits()
    print(
        f"\nrobust: digits, 70/30 split, Adam lr 0.01, batch 100, {epochs} epochs; "
        "clean test accuracy, and cost in plain trainings (median over seeds)"
    )
    for name in nets:
        module = NETS[name]
        # Warm-up (imports, allocator, kernels), so the first cell's costs are
        # not off.
        make_robust_net(module, device, 2).fit(X, y)
        for kind, rate in NOISE_CELLS:
            fits = _robust_fits(module, device, epochs, rate)
            accuracy = {key: [] for key in methods}
            cost = {key: [] for key in methods}
            fitted_train = []
            for seed in seeds:
                X_train, X_test, y_train, y_test = train_test_split(
                    X, y, test_size=0.3, random_state=seed, stratify=y
                )
                y_noisy = y_train.copy()
                if rate > 0:
                    y_noisy, _ = flip_labels(
                        y_train, rate=rate, kind=kind, random_state=seed
                    )
                seconds = {}
                for key in methods:
                    torch.manual_seed(seed)
                    _synchronize(device)
                    start = time.perf_counter()
                    model = fits[key](X_train, y_noisy, y_train, seed)
                    _synchronize(device)
                    seconds[key] = time.perf_counter() - start
                    accuracy[key].append(model.score(X_test, y_test))
                    if key == "plain":
                        fitted_train.append(np.mean(model.predict(X_train) == y_noisy))
                for key in methods:
                    cost[key].append(seconds[key] / seconds["plain"])
            cell = "clean" if rate == 0 else f"{kind[:3]} {rate:.0%}"
            print(
                f"\n{name} {cell}: the plain net fits {np.mean(fitted_train):.1%} of "
                f"its training labels after {epochs} epochs"
            )
            print(f"  {'method':8} {'accuracy':>8} {'(per seed)':>24} {'cost':>6}")
            for key in methods:
                per_seed = " ".join(f"{a:.3f}" for a in accuracy[key])
                print(
                    f"  {key:8} {np.mean(accuracy[key]):8.3f} {per_seed:>24} "
                    f"{np.median(cost[key]):6.2f}"
                )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=["timing", "quality", "robust"],
        default=["timing"],
    )
    parser.add_argument("--robust-epochs", type=int, default=100)
    parser.add_argument(
        "--methods", nargs="+", choices=ROBUST_METHODS, default=list(ROBUST_METHODS)
    )
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--nets", nargs="+", choices=list(NETS), default=list(NETS))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--epochs", type=int, default=20, help="epochs of the timed trainings"
    )
    parser.add_argument("--noise", type=float, nargs="+", default=[0.2, 0.4])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    if args.device == "cpu":
        # Small nets: a second thread costs more than it saves (and another
        # process on the machine makes it far worse).
        torch.set_num_threads(1)
    print(f"torch {torch.__version__}, device {args.device}", end="")
    if args.device.startswith("cuda"):
        print(f" ({torch.cuda.get_device_name()})", end="")
    print(f", torch threads {torch.get_num_threads()}")
    with threadpool_limits(limits=1):
        if "timing" in args.parts:
            timing(args.device, args.repeats, args.nets, args.epochs)
        if "quality" in args.parts:
            quality(args.device, args.noise, args.seeds, args.nets)
        if "robust" in args.parts:
            robust(args.device, args.seeds, args.nets, args.robust_epochs, args.methods)


if __name__ == "__main__":
    main()
