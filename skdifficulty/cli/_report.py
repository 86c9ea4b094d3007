"""The HTML report of ``score --report``: one self-contained page.

The page holds the summary, the plots (PNG images inside the page as data
URIs) and a table of the hardest rows that sorts when a column's name is
clicked (a few lines of JavaScript inside the page). It loads nothing: a
Content-Security-Policy forbids every request, so it opens the same offline,
attached to an e-mail, or years later.
"""

import base64
import html
import io
import math
from numbers import Integral, Real

import numpy as np

from .. import __version__
from ._summary import class_counts, flag_sentence, model_name, next_step

MIN_TABLE_ROWS = 200
"""The report's table shows the flagged rows, and at least this many."""

MAX_TABLE_ROWS = 2000
"""The report's table shows at most this many rows (a page stays light)."""

MAX_CONFUSION_CLASSES = 30
"""Classes in the confusion plot; those of the most flagged rows."""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
.meta { color: #555; margin-top: 0; }
.next { background: #f3f6fa; border-left: 4px solid #4a78b5; padding: 0.5em 1em; }
.figures { display: grid; gap: 1.5em;
           grid-template-columns: repeat(auto-fit, minmax(28em, 1fr)); }
figure { margin: 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #eee; text-align: right; }
th { background: #f6f6f6; position: sticky; top: 0; white-space: nowrap; }
.scroll { max-height: 80vh; overflow: auto; border: 1px solid #eee; }
td.text, th.text { text-align: left; }
tr.flagged td { background: #fff4e5; }
th button { font: inherit; font-weight: bold; background: none; border: none;
            cursor: pointer; padding: 0; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
"""

# Sort the rows of every table.sortable by the column whose name is clicked:
# numbers by value (data-sort), text alphabetically; ties keep the order the
# rows had, and a second click reverses.
_SCRIPT = """
"use strict";
document.querySelectorAll("table.sortable").forEach(function (table) {
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (header, column) {
    header.querySelector("button").addEventListener("click", function () {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      var numeric = header.dataset.kind === "number";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var keyed = rows.map(function (row, position) {
        var cell = row.cells[column];
        var key = numeric ? parseFloat(cell.dataset.sort) : cell.textContent;
        return { row: row, key: key, position: position };
      });
      keyed.sort(function (a, b) {
        var order = numeric ? a.key - b.key : a.key.localeCompare(b.key);
        if (isNaN(order)) { order = 0; }
        return (ascending ? order : -order) || a.position - b.position;
      });
      keyed.forEach(function (item) { body.appendChild(item.row); });
    });
  });
});
"""

_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'"
)

_DESCRIPTIONS = {
    "row": "position in the file, 0 for the first data row",
    "difficulty_rank": "1 for the hardest row",
    "flagged": "among the rows to check",
    "given_label": "the label in the file",
    "suggested_label": "the label the held-out models favour",
    "suggested_proba": "its mean held-out probability",
    "given_proba": "mean held-out probability of the given label",
    "given_value": "the target in the file",
    "predicted_value": "mean held-out prediction",
    "residual": "given minus predicted",
    "difficulty": "mean held-out loss",
    "bias": "loss of the mean prediction",
    "variance": "spread of the held-out predictions",
    "n_evaluations": "held-out models that scored the row",
}


def _png(figure):
    """The figure as a PNG data URI; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=100)
    finally:
        plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/png;base64,{encoded}"


def _figure(name, title, image, caption):
    return (
        f'<figure id="plot-{name}"><img src="{image}" alt="{html.escape(title)}">'
        f"<figcaption><b>{html.escape(title)}.</b> {html.escape(caption)}"
        "</figcaption></figure>"
    )


def _positive(*arrays):
    return all(np.all(np.asarray(a) > 0) for a in arrays)


def _difficulty_plots(estimator, table, classification):
    """The per-class difficulty and the bias-variance map, as figures."""
    import matplotlib.pyplot as plt

    from ..plotting import DifficultyDisplay

    flagged = table["flagged"].to_numpy()
    labels = table["given_label"].map(str).to_numpy() if classification else None
    n_groups = np.unique(labels).shape[0] if classification else 1
    figure, ax = plt.subplots(
        figsize=(max(5.0, min(0.45 * n_groups + 2, 24.0)), 4), layout="constrained"
    )
    DifficultyDisplay.from_difficulty(
        table["difficulty"],
        labels,
        highlight=flagged,
        highlight_label="flagged",
        kind="distribution",
        log_scale=_positive(table["difficulty"]),
        ax=ax,
    )
    if flagged.any():  # out of the way of the flagged rows, drawn at the top
        ax.legend(loc="best")
    if n_groups > 12:
        ax.tick_params(axis="x", labelrotation=90)
    plots = [
        _figure(
            "difficulty",
            "Difficulty per class" if classification else "Difficulty",
            _png(figure),
            "Each violin is the distribution of the held-out loss of one class"
            " (of all rows, for regression); the flagged rows are drawn in orange."
            " Wrong labels sit high above their class.",
        )
    ]
    if "bias" in table and "variance" in table:
        figure, ax = plt.subplots(figsize=(5, 4), layout="constrained")
        DifficultyDisplay.from_difficulty(
            table["difficulty"],
            bias=table["bias"],
            variance=table["variance"],
            highlight=flagged,
            highlight_label="flagged",
            kind="bias_variance",
            log_scale=_positive(table["bias"], table["variance"]),
            ax=ax,
        )
        plots.append(
            _figure(
                "bias-variance",
                "Bias-variance map",
                _png(figure),
                "One point per row. A large bias: the held-out models agree on "
                "another answer (a wrong label, or a row unlike its class); a "
                "large variance: they disagree (a row near a class boundary).",
            )
        )
    return plots


def _confusion_plot(table):
    """Given against suggested labels among the flagged rows."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    flagged = table[table["flagged"]]
    given = flagged["given_label"].map(str)
    suggested = flagged["suggested_label"].map(str)
    counts = given.value_counts().add(suggested.value_counts(), fill_value=0)
    ordered = counts.sort_values(ascending=False, kind="stable").index
    labels = sorted(ordered[:MAX_CONFUSION_CLASSES])
    kept = given.isin(labels) & suggested.isin(labels)
    side = max(4.0, min(0.4 * len(labels) + 2.5, 16.0))
    figure, ax = plt.subplots(figsize=(side + 1, side), layout="constrained")
    ConfusionMatrixDisplay.from_predictions(
        given[kept], suggested[kept], labels=labels, ax=ax, colorbar=False
    )
    ax.set_xlabel("suggested label")
    ax.set_ylabel("given label")
    ax.set_title("Flagged rows: given versus suggested")
    if len(labels) > 12:
        ax.tick_params(axis="x", labelrotation=90)
    left_out = (
        ""
        if len(labels) == counts.shape[0]
        else (f" Only the {len(labels)} classes of the most flagged rows are shown.")
    )
    return _figure(
        "confusion",
        "Given versus suggested label among the flagged rows",
        _png(figure),
        "Each cell counts the flagged rows with that given label (row) that the "
        "held-out models would label otherwise (column); a cell far from the "
        "diagonal names two classes that the file mixes up." + left_out,
    )


def _prediction_plot(table):
    """Held-out predictions against the given targets, flagged rows marked."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import PredictionErrorDisplay

    figure, ax = plt.subplots(figsize=(5, 4.5), layout="constrained")
    display = PredictionErrorDisplay.from_predictions(
        table["given_value"],
        table["predicted_value"],
        kind="actual_vs_predicted",
        ax=ax,
        scatter_kwargs={"s": 8, "alpha": 0.5, "label": "other rows"},
    )
    flagged = table[table["flagged"]]
    display.ax_.scatter(
        flagged["predicted_value"],
        flagged["given_value"],
        s=12,
        color="tab:orange",
        label="flagged",
    )
    display.ax_.set_xlabel("held-out prediction")
    display.ax_.set_ylabel("given value")
    display.ax_.legend(loc="best")
    return _figure(
        "prediction",
        "Given value versus held-out prediction",
        _png(figure),
        "A row on the diagonal is predicted as given; a flagged row (orange) "
        "lies far from it, beyond what the other rows' residuals make usual.",
    )


def _cell(value, text_column):
    """A table cell: the shown text, and the exact value to sort numbers by."""
    if isinstance(value, bool | np.bool_):
        return f'<td data-sort="{int(value)}">{"yes" if value else ""}</td>'
    if text_column:
        return f'<td class="text">{html.escape(str(value))}</td>'
    if isinstance(value, Integral):
        return f'<td data-sort="{int(value)}">{int(value)}</td>'
    if isinstance(value, Real) and math.isfinite(value):
        return f'<td data-sort="{float(value)!r}">{float(value):.4g}</td>'
    return f'<td data-sort="NaN">{html.escape(str(value))}</td>'


def _text_columns(table):
    """The columns shown as text: neither numbers nor flags."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return {
        c
        for c in table.columns
        if not (is_numeric_dtype(table[c]) or is_bool_dtype(table[c]))
    }


def _header(column, text):
    """A sortable column's header: a button, and the column's meaning on hover."""
    kind = ' data-kind="text" class="text"' if text else ' data-kind="number"'
    order = ' aria-sort="ascending"' if column == "difficulty_rank" else ""
    meaning = html.escape(_DESCRIPTIONS.get(column, str(column)))
    return (
        f'<th{kind}{order} title="{meaning}">'
        f'<button type="button">{html.escape(str(column))}</button></th>'
    )


def _rows_table(table):
    """The hardest rows as a sortable HTML table."""
    n_shown = min(max(MIN_TABLE_ROWS, int(table["flagged"].sum())), MAX_TABLE_ROWS)
    rows = table.sort_values("difficulty_rank").head(n_shown)
    text = _text_columns(table)
    header = "".join(_header(c, c in text) for c in rows.columns)
    columns = list(rows.columns)
    flagged_at = columns.index("flagged")
    body = []
    for values in rows.itertuples(index=False, name=None):
        cells = "".join(
            _cell(v, c in text) for c, v in zip(columns, values, strict=True)
        )
        shade = ' class="flagged"' if values[flagged_at] else ""
        body.append(f"<tr{shade}>{cells}</tr>")
    note = (
        f"The {n_shown} hardest of the {len(table)} rows"
        if n_shown < len(table)
        else f"All {len(table)} rows"
    )
    return (
        f"<p>{note}, hardest first; flagged rows are shaded. Click a column's "
        "name to sort by it, again to reverse. Hover over a name for its "
        "meaning.</p>"
        f'<div class="scroll"><table class="sortable" id="rows">'
        f"<thead><tr>{header}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _counts_table(counts):
    head = "".join(
        f'<th class="{"text" if c == "class" else ""}">{html.escape(c)}</th>'
        for c in counts.columns
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="text">{html.escape(str(v))}</td>'
            if c == "class"
            else f"<td>{html.escape(str(v))}</td>"
            for c, v in zip(counts.columns, row, strict=True)
        )
        + "</tr>"
        for row in counts.itertuples(index=False, name=None)
    )
    return (
        f'<table id="class-counts"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def build_report(table, result, estimator, *, source, args):
    """The report page as a string.

    Parameters
    ----------
    table : pandas DataFrame
        The scores as ``score`` writes them (``row`` and the columns of
        :func:`skdifficulty.difficulty_table`).
    result : Bunch
        What :func:`skdifficulty._inspection.inspect` returned.
    estimator : DifficultyEstimator
        The fitted estimator.
    source : str
        The data file's name, for the title.
    args : argparse.Namespace
        The ``score`` options (target, task, estimator, cv, n_repeats, ...).
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window

    classification = result.task == "classification"
    n_flagged = int(table["flagged"].sum())
    name = html.escape(str(source))
    sentence = flag_sentence(
        table, result.task, html.escape(result.rule), number="<b>{}</b>".format
    )
    summary = [f'<p id="flag-summary">{sentence[0].upper()}{sentence[1:]}.</p>']
    if classification:
        summary.append(_counts_table(class_counts(table)))
    advice = next_step(result.task)
    summary.append(f'<p class="next">{html.escape(advice)}</p>')
    plots = _difficulty_plots(estimator, table, classification)
    if classification and n_flagged:
        plots.append(_confusion_plot(table))
    elif not classification:
        plots.append(_prediction_plot(table))
    meta = (
        f"Target {html.escape(str(args.target))} ({result.task}); "
        f"{args.cv} x {args.n_repeats} held-out fits of "
        f"{html.escape(model_name(args.estimator, result.task))}, seed "
        f"{args.random_state}; skdifficulty {html.escape(__version__)}."
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Rows to check: {name}</title>
<style>{_STYLE}</style>
</head>
<body>
<header>
<h1>Rows to check in {name}</h1>
<p class="meta">{meta}</p>
</header>
<section id="summary">
<h2>Summary</h2>
{"".join(summary)}
</section>
<section id="plots">
<h2>Plots</h2>
<div class="figures">{"".join(plots)}</div>
</section>
<section id="hardest-rows">
<h2>The hardest rows</h2>
{_rows_table(table)}
</section>
<script>{_SCRIPT}</script>
</body>
</html>
"""
