"""Tiny torch modules and device parameters shared by the skorch tests.

Test modules import them as ``from _nets import ...`` after
``pytest.importorskip("torch")`` (see conftest.py).
"""

import pytest
import torch

N_FEATURES, N_CLASSES = 4, 3

DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=[
            pytest.mark.gpu,
            pytest.mark.skipif(
                not torch.cuda.is_available(), reason="needs a CUDA device"
            ),
        ],
    ),
]


class SeededLinear(torch.nn.Module):
    """A Linear layer with the same initial parameters at every construction.

    Fits are then reproducible whatever else drew from torch's global random
    generator before (DataLoaders draw a seed even without shuffling).
    """

    def __init__(self, in_features=N_FEATURES, out_features=N_CLASSES):
        super().__init__()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            self.linear = torch.nn.Linear(in_features, out_features)

    def forward(self, X):
        return self.linear(X)
