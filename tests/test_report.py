"""The HTML report of ``score --report``: what it holds, and how it behaves in a
real browser.

The browser tests drive the system's Chromium (Debian's ``chromium``
package; also ``chromium-browser`` or Google Chrome) headless through the
DevTools protocol over a pipe, with the standard library only. They are
skipped where no such browser is installed.
"""

import base64
import html
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from argparse import Namespace

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from sklearn.datasets import load_diabetes, load_wine  # noqa: E402

from skdifficulty import DifficultyEstimator  # noqa: E402
from skdifficulty.cli import main  # noqa: E402
from skdifficulty.cli._report import MIN_TABLE_ROWS, build_report  # noqa: E402
from skdifficulty.cli._score import score_table  # noqa: E402
from skdifficulty.datasets import flip_labels  # noqa: E402

FAST = ["--cv", "5", "--n-repeats", "1", "--n-jobs", "1", "--quiet"]
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def wine_report(tmp_path_factory):
    """A report of wine with 10% of the labels flipped, and its scores."""
    folder = tmp_path_factory.mktemp("report")
    X, y = load_wine(return_X_y=True, as_frame=True)
    y_noisy, _ = flip_labels(y.to_numpy(), rate=0.1, random_state=0)
    names = np.array(["barolo", "grignolino", "barbera"])
    X.assign(cultivar=names[y_noisy]).to_csv(folder / "wine.csv", index=False)
    status = main(
        [
            *("score", str(folder / "wine.csv"), "--target", "cultivar"),
            *("--output", str(folder / "scores.csv")),
            *("--report", str(folder / "report.html"), *FAST),
        ]
    )
    assert status == 0
    return folder / "report.html", pd.read_csv(folder / "scores.csv")


def _images(page):
    return dict(re.findall(r'<figure id="plot-([\w-]+)"><img src="([^"]+)"', page))


def test_report_is_self_contained(wine_report):
    path, _ = wine_report
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # Nothing is fetched: every src and href is inline data.
    for link in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert link.startswith("data:"), link
    assert "http://" not in page and "https://" not in page
    assert "<script src" not in page and 'rel="stylesheet"' not in page


def test_report_shows_the_plots(wine_report):
    path, _ = wine_report
    images = _images(path.read_text(encoding="utf-8"))
    assert set(images) == {"difficulty", "bias-variance", "confusion"}
    for uri in images.values():
        prefix = "data:image/png;base64,"
        assert uri.startswith(prefix)
        assert base64.b64decode(uri[len(prefix) :])[:8] == PNG


def _table_rows(page):
    body = re.search(r'<table class="sortable" id="rows">.*?<tbody>(.*?)</tbody>', page)
    return re.findall(r"<tr( class=\"flagged\")?>(.*?)</tr>", body[1])


def test_report_table_and_summary_match_the_scores(wine_report):
    path, scores = wine_report
    page = path.read_text(encoding="utf-8")
    rows = _table_rows(page)
    assert len(rows) == min(len(scores), max(MIN_TABLE_ROWS, scores["flagged"].sum()))
    # Hardest first: the first cell is the row, the second its rank.
    first_cells = [re.findall(r'data-sort="([^"]+)"', cells)[:2] for _, cells in rows]
    ranks = [int(rank) for _, rank in first_cells]
    assert ranks == sorted(ranks) and ranks[0] == 1
    by_rank = scores.set_index("difficulty_rank")
    assert [int(row) for row, _ in first_cells] == list(by_rank.loc[ranks, "row"])
    shaded = [bool(flag) for flag, _ in rows]
    assert shaded == list(by_rank.loc[ranks, "flagged"])
    n_flagged = int(scores["flagged"].sum())
    assert f"Flagged <b>{n_flagged}</b> rows ({n_flagged / len(scores):.1%})" in page
    counts = re.search(r'<table id="class-counts">(.*?)</table>', page)[1]
    for label, group in scores.groupby("given_label"):
        expected = f"<td>{len(group)}</td><td>{int(group['flagged'].sum())}</td>"
        assert f'<td class="text">{label}</td>{expected}' in counts


def test_report_escapes_the_data():
    """Labels and names are text, never markup."""
    X, y = load_wine(return_X_y=True)
    labels = np.array(["<b>a</b>", "x & y", '"q"'])[y]
    estimator = DifficultyEstimator(cv=3, n_repeats=1, random_state=0).fit(X, labels)
    table, result = score_table(estimator, labels)
    args = Namespace(
        target="<i>t</i>", estimator="logistic", cv=3, n_repeats=1, random_state=0
    )
    args.report, args.output = "r.html", None
    page = build_report(table, result, estimator, source="<data>.csv", args=args)
    assert "<b>a</b>" not in page and "<i>t</i>" not in page
    assert "&lt;b&gt;a&lt;/b&gt;" in page and "&lt;data&gt;.csv" in page
    assert html.escape("x & y") in page


def test_regression_report(tmp_path):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    y = y.copy()
    y.iloc[:10] += 400
    X.assign(target=y).to_csv(tmp_path / "d.csv", index=False)
    report = tmp_path / "r.html"
    status = main(
        [
            *("score", str(tmp_path / "d.csv"), "--target", "target"),
            *("--task", "regression", "--report", str(report), *FAST),
        ]
    )
    assert status == 0
    page = report.read_text(encoding="utf-8")
    assert set(_images(page)) == {"difficulty", "bias-variance", "prediction"}
    assert "class-counts" not in page
    assert "as outliers: residuals more than 3.5 robust standard deviations" in page


# -- in a real browser -------------------------------------------------------------


def _browser():
    for name in BROWSERS:
        if path := shutil.which(name):
            return path
    return None


_ON_3_AND_4 = """
import fcntl, os, sys
# Copies above 4 first, so that neither end is overwritten or closed early.
ends = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 5) for fd in sys.argv[1:3]]
for number, end in zip((3, 4), ends):
    os.dup2(end, number)
    os.close(end)
os.execv(sys.argv[3], sys.argv[3:])
"""


class DevTools:
    """A headless Chromium driven through the DevTools protocol on a pipe.

    ``--remote-debugging-pipe`` makes the browser read commands from file
    descriptor 3 and write replies and events to 4, each message JSON ended
    by a NUL byte.
    """

    def __init__(self, binary, profile):
        to_browser, self._commands = os.pipe()
        self._replies, from_browser = os.pipe()
        flags = [
            "--headless",
            "--no-sandbox",  # tests may run as root, e.g. in a container
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "--window-size=1280,900",
        ]
        # A small Python process puts the pipe's ends on descriptors 3 and 4,
        # then becomes the browser.
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ON_3_AND_4, str(to_browser), str(from_browser)]
            + [binary, *flags, "about:blank"],
            pass_fds=(to_browser, from_browser),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._last_id = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, *, session=True, timeout=60):
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        reply = self.wait(lambda m: m.get("id") == self._last_id, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def wait(self, matches, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if matches(message):
                    return message
                self.events.append(message)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                raise TimeoutError("the browser did not answer in time")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise RuntimeError("the browser closed the connection")
            self._buffer += chunk

    def open(self, url):
        """Open ``url`` in a new tab, with console, log and network recorded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})
        attached = self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        self.session = attached["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})
        self.wait(lambda m: m.get("method") == "Page.loadEventFired")

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def click(self, x, y):
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    def problems(self):
        """Errors the page reported, and requests it made beyond the file."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"])
            elif method == "Runtime.consoleAPICalled" and params["type"] in (
                "error",
                "assert",
                "warning",
            ):
                found.append(params["args"])
            elif method == "Log.entryAdded" and params["entry"]["level"] in (
                "error",
                "warning",
            ):
                found.append(params["entry"])
            elif method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith(("file:", "data:")):
                    found.append(f"request to {url}")
        return found

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=10)
            self.process.wait(timeout=10)
        except (OSError, RuntimeError, TimeoutError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self._commands)
            os.close(self._replies)


@pytest.fixture
def browser():
    binary = _browser()
    if binary is None or os.name != "posix":
        pytest.skip(
            "no Chromium or Chrome to open the report in (install Debian's "
            "chromium package: apt-get install chromium)"
        )
    with tempfile.TemporaryDirectory(prefix="skdifficulty-browser-") as profile:
        devtools = DevTools(binary, profile)
        try:
            yield devtools
        finally:
            devtools.close()


_COLUMN = """(() => {
  const table = document.getElementById("rows");
  const headers = Array.from(table.tHead.rows[0].cells);
  const index = headers.findIndex((h) => h.textContent === %s);
  return {
    order: headers[index].getAttribute("aria-sort"),
    values: Array.from(table.tBodies[0].rows, (row) =>
      row.cells[index].dataset.sort ?? row.cells[index].textContent),
  };
})()"""

_HEADER_CENTRE = """(() => {
  const headers = Array.from(document.querySelectorAll("#rows thead th"));
  const button = headers.find((h) => h.textContent === %s).querySelector("button");
  button.scrollIntoView({block: "center"});
  const box = button.getBoundingClientRect();
  return [box.x + box.width / 2, box.y + box.height / 2];
})()"""


def _column(devtools, name):
    return devtools.evaluate(_COLUMN % json.dumps(name))


def _click_header(devtools, name):
    devtools.click(*devtools.evaluate(_HEADER_CENTRE % json.dumps(name)))


def test_report_in_a_browser(browser, wine_report):
    path, scores = wine_report
    browser.open(path.resolve().as_uri())
    # The plots are drawn: every image decoded, with its size.
    images = browser.evaluate(
        "Array.from(document.images, (i) => [i.alt, i.complete, i.naturalWidth])"
    )
    assert len(images) == 3
    assert all(complete and width > 100 for _, complete, width in images), images
    shown = browser.evaluate(
        """["plots", "rows", "class-counts"].map((id) => {
             const box = document.getElementById(id).getBoundingClientRect();
             return box.width > 0 && box.height > 0;
           })"""
    )
    assert shown == [True, True, True]
    assert _column(browser, "row")["values"] == [
        str(r) for r in scores.sort_values("difficulty_rank")["row"]
    ]

    # A click on a column's name sorts by it; a second click reverses.
    _click_header(browser, "difficulty")
    column = _column(browser, "difficulty")
    values = [float(v) for v in column["values"]]
    assert column["order"] == "ascending"
    assert values == sorted(values) and len(values) == len(scores)
    _click_header(browser, "difficulty")
    column = _column(browser, "difficulty")
    assert column["order"] == "descending"
    assert [float(v) for v in column["values"]] == sorted(values, reverse=True)
    _click_header(browser, "given_label")
    labels = _column(browser, "given_label")["values"]
    assert labels == sorted(labels)
    assert _column(browser, "difficulty")["order"] is None
    # Sorting moved whole rows: each row keeps its own values.
    pairs = browser.evaluate(
        """Array.from(document.querySelectorAll("#rows tbody tr"), (row) =>
             [Number(row.cells[0].dataset.sort), row.cells[3].textContent])"""
    )
    given = dict(zip(scores["row"], scores["given_label"], strict=True))
    assert all(given[row] == label for row, label in pairs)

    assert browser.problems() == []
