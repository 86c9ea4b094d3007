"""skorch's own tests pass with the weighted twins where they pass with skorch's.

skorch installs its test suite with the package. Its net, classifier,
regressor and callback tests run here in a pytest process of their own,
with the weighted twins in place of skorch's classes (``_skorch_twins.py``
says how, and which tests are left out: those that compare the class's
name, one documented difference, and two costly torch.compile timings).
Every test that fails with the twins is then run again with skorch's own
classes: it must fail there too (a missing optional package, for one), or
pass with the twins when run once more (a test seeded from the clock).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
skorch = pytest.importorskip("skorch")

import skdifficulty  # noqa: E402

SKORCH_TESTS = Path(skorch.__file__).parent / "tests"
TARGETS = ["test_net.py", "test_classifier.py", "test_regressor.py", "callbacks"]

if not all((SKORCH_TESTS / target).exists() for target in TARGETS):
    pytest.skip(
        f"skorch's tests are not installed with skorch (no {SKORCH_TESTS}); "
        "a pip install of skorch has them.",
        allow_module_level=True,
    )

# Seconds; the whole run takes about two minutes on two CPUs.
pytestmark = pytest.mark.slow


def run_skorch_tests(tmp_path, nets, tests):
    """Outcomes of skorch's ``tests`` with ``nets`` ("twins" or "skorch")."""
    outcomes = tmp_path / f"outcomes_{nets}.json"
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\n")  # none of this project's settings
    env = dict(
        os.environ,
        SKDIFFICULTY_SKORCH_NETS=nets,
        SKDIFFICULTY_OUTCOMES=str(outcomes),
        # This copy of skdifficulty, and the plugin beside this file.
        PYTHONPATH=os.pathsep.join(
            [
                str(Path(skdifficulty.__file__).parents[1]),
                str(Path(__file__).parent),
                os.environ.get("PYTHONPATH", ""),
            ]
        ),
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "_skorch_twins",
        "-p",
        "no:cacheprovider",
        "-c",
        str(ini),
        "--rootdir",
        str(SKORCH_TESTS),
        "--confcutdir",
        str(SKORCH_TESTS),
        "-q",
        "--tb=line",
        *tests,
    ]
    # In tmp_path: skorch's tests write files (checkpoints) where they run.
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1200
    )
    if not outcomes.exists():
        pytest.fail(f"skorch's tests did not run:\n{result.stdout}\n{result.stderr}")
    return json.loads(outcomes.read_text()), result.stdout


def test_skorch_tests_pass_with_the_weighted_twins(tmp_path):
    targets = [str(SKORCH_TESTS / target) for target in TARGETS]
    twins, log = run_skorch_tests(tmp_path, "twins", targets)
    outcomes = twins["outcomes"]
    passed = [test for test, outcome in outcomes.items() if outcome == "passed"]
    failed = [test for test, outcome in outcomes.items() if outcome == "failed"]
    # The twins were really there: most passing tests built one.
    assert len(passed) > 300, log[-3000:]
    assert len(set(twins["tests_with_twins"]) & set(passed)) > len(passed) / 2
    if not failed:
        return
    skorch_nets, _ = run_skorch_tests(
        tmp_path, "skorch", [str(SKORCH_TESTS / test) for test in failed]
    )
    regressions = [
        test for test in failed if skorch_nets["outcomes"].get(test) == "passed"
    ]
    if regressions:
        # A test that draws its seed from the clock may fail once by chance:
        # a regression fails again.
        again, _ = run_skorch_tests(
            tmp_path, "twins", [str(SKORCH_TESTS / test) for test in regressions]
        )
        regressions = [
            test for test in regressions if again["outcomes"].get(test) != "passed"
        ]
    assert not regressions, (
        f"{len(regressions)} of skorch's tests pass with skorch's nets and fail "
        "with the weighted twins:\n" + "\n".join(regressions) + "\n" + log[-5000:]
    )
