"""The columns of ``difficulty_table`` and of the ``score`` command's output.

Built from the package's names for them, which ``test_inspection.py``
spells out once.
"""

from skdifficulty._inspection import (
    CLASSIFICATION_COLUMNS,
    REGRESSION_COLUMNS,
    SCORE_COLUMNS,
)

TABLE_COLUMNS = {
    "classification": [*CLASSIFICATION_COLUMNS, *SCORE_COLUMNS],
    "regression": [*REGRESSION_COLUMNS, *SCORE_COLUMNS],
}
# ``score`` writes the table with each sample's row in the file first.
OUTPUT_COLUMNS = {task: ["row", *columns] for task, columns in TABLE_COLUMNS.items()}
