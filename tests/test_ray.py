"""Under Ray's joblib backend (a local Ray with 2 CPUs), results are loky's."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ray")
pytest.importorskip("ray.util.joblib")

# Starting Ray takes seconds; never run it in a quick pass.
pytestmark = pytest.mark.slow


def test_ray_gives_the_loky_results_bit_for_bit():
    # In a process of its own: Ray replaces builtins.print in the process it
    # runs in, after which nothing that holds print (skorch's PrintLog)
    # pickles.
    checks = Path(__file__).with_name("_ray_checks.py")
    result = subprocess.run(
        [sys.executable, str(checks)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ray checks passed" in result.stdout
