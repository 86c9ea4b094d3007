"""What the commands share: errors the user can fix, optional imports, files.

``__main__`` parses the arguments and reports errors; :mod:`._score` and
:mod:`._demo` do the work and raise :class:`CommandError` for anything the
user can fix. Output files are checked before any fit and written atomically.
"""

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path

from ..utils._optional import import_optional, installed, missing_message

MAX_FITS = 100_000
"""Most resampled fits (``--cv`` x ``--n-repeats``) a command may plan."""

_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zip", ".csv.xz")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_HTML_SUFFIXES = (".html", ".htm")


class CommandError(Exception):
    """A problem the user can fix: reported in one line, without a traceback."""


# -- optional dependencies -------------------------------------------------


def require_pandas(purpose):
    """Import pandas, or say which extra provides it."""
    return import_optional("pandas", purpose, error=CommandError)


def _require_pyarrow(path):
    if not installed("pyarrow"):
        raise CommandError(missing_message("pyarrow", f"{path}: reading Parquet"))


# -- files -------------------------------------------------------------------


def table_format(path):
    """``"csv"`` or ``"parquet"``, from the file name's extension."""
    name = str(path).lower()
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    if name.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    raise CommandError(
        f"{path}: cannot tell the file format from the extension; use a .csv "
        "(optionally compressed, e.g. .csv.gz) or a .parquet file."
    )


def read_table(path):
    """The CSV or Parquet file at ``path`` as a DataFrame."""
    pandas = require_pandas("Reading a data file")
    kind = table_format(path)
    if Path(path).is_dir():
        raise CommandError(f"{path}: is a folder, not a data file.")
    if not Path(path).is_file():
        raise CommandError(f"{path}: no such file.")
    if kind == "parquet":
        _require_pyarrow(path)
    try:
        if kind == "parquet":
            return pandas.read_parquet(path)
        # low_memory=False: type each column from all its rows, not per chunk,
        # which would mix numbers and strings in one column.
        return pandas.read_csv(path, low_memory=False)
    except pandas.errors.EmptyDataError:
        raise CommandError(
            f"{path}: the file is empty, without even a header row; give a CSV "
            "file whose first row names the columns and whose other rows are "
            "the samples."
        ) from None
    except (OSError, ValueError, UnicodeDecodeError, pandas.errors.ParserError) as e:
        raise CommandError(f"{path}: cannot read it as {kind}: {e}") from None


def same_file(first, second):
    """Whether two paths name one file, however each is spelled.

    Relative or absolute, with ``.`` or ``..`` segments, through a symbolic
    link, or a hard link: the paths are compared resolved, and by device and
    inode when both exist.

    >>> same_file("data.csv", "./sub/../data.csv")
    True
    >>> same_file("data.csv", "scores.csv")
    False
    """
    if os.path.normcase(os.path.realpath(first)) == os.path.normcase(
        os.path.realpath(second)
    ):
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (yet)
        return False


def _existing_ancestor(path):
    """The nearest of ``path``'s folders (itself excluded) that exists."""
    for folder in Path(os.path.abspath(path)).parents:
        if os.path.lexists(folder):
            return folder
    return Path(os.path.abspath(os.sep))  # pragma: no cover (the root exists)


def _writable(path):
    return os.access(path, os.W_OK)


def _check_folder(folder, what):
    """Fail unless ``folder`` exists, is a folder, and takes new files."""
    folder = Path(folder)
    if not folder.exists():
        above = _existing_ancestor(folder)
        if not above.is_dir():
            raise CommandError(f"{what}: {above} is a file, not a folder.")
        raise CommandError(f"{what}: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise CommandError(f"{what}: {folder} is a file, not a folder.")
    if not (_writable(folder) and os.access(folder, os.X_OK)):
        raise CommandError(
            f"{what}: cannot create files in the folder {folder} (permission "
            "denied); choose another place."
        )


def check_writable_file(path, what):
    """Fail unless a file can be written (or replaced) at ``path``.

    ``what`` names the file in the messages, e.g. ``"--output scores.csv"``.
    """
    target = Path(os.path.realpath(path))  # a symbolic link is written through
    if target.is_dir():
        raise CommandError(f"{what} is a folder, not a file.")
    if target.exists() and not _writable(target):
        raise CommandError(
            f"{what} exists and is not writable (permission denied); make it "
            "writable or choose another file."
        )
    _check_folder(target.parent, what)


def check_output(path, data=None):
    """Fail early, before any fit, on an output file that cannot be written.

    ``data``, the input file, is never written over: an output that names it
    (however spelled) is refused.
    """
    if path is None:
        return
    kind = table_format(path)
    if data is not None and same_file(path, data):
        raise CommandError(
            f"--output {path} is the input file {data}: writing the scores "
            "there would destroy the data; choose another output file."
        )
    if kind == "parquet":
        _require_pyarrow(path)
    check_writable_file(path, f"--output {path}")


def check_report(path, data=None, output=None):
    """Fail early, before any fit, on a ``--report`` file that cannot be written.

    The report is an .html file that is neither the input ``data`` nor the
    scores' ``output`` (however spelled).
    """
    if not str(path).lower().endswith(_HTML_SUFFIXES):
        raise CommandError(
            f"--report {path}: the report is a web page; name it with the "
            "extension .html."
        )
    if data is not None and same_file(path, data):
        raise CommandError(
            f"--report {path} is the input file {data}: writing the report "
            "there would destroy the data; choose another report file."
        )
    if output is not None and same_file(path, output):
        raise CommandError(
            f"--report {path} and --output {output} name the same file; "
            "choose two files."
        )
    check_writable_file(path, f"--report {path}")


def _new_file_mode(target):
    """Permissions for a new ``target``: those of the file it replaces, or the
    default of a new file (0o666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path, write):
    """Call ``write(temporary_path)``, then move the result onto ``path``.

    The temporary file sits in the same folder and ends with the same name
    (the extension tells pandas the compression), so that ``os.replace`` is
    atomic: a failed or interrupted write leaves any old ``path`` whole and no
    partial file. A symbolic link at ``path`` is written through.
    """
    target = os.path.realpath(path)
    folder, name = os.path.split(target)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=".tmp-", suffix=f"-{name}", dir=folder
        )
    except OSError as error:
        raise CommandError(f"{path}: cannot write it: {_reason(error)}") from None
    os.close(handle)
    done = False
    try:
        os.chmod(temporary, _new_file_mode(target))
        write(temporary)
        os.replace(temporary, target)
        done = True
    except OSError as error:
        raise CommandError(f"{path}: cannot write it: {_reason(error)}") from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.remove(temporary)


def _reason(error):
    return error.strerror or str(error)


def write_table(frame, path):
    """Write ``frame`` to ``path`` by its extension, or as CSV to stdout."""
    if path is None:
        frame.to_csv(sys.stdout, index=False)
    elif table_format(path) == "parquet":
        write_atomically(path, lambda file: frame.to_parquet(file, index=False))
    else:
        write_atomically(path, lambda file: frame.to_csv(file, index=False))


def check_fits(args):
    """Refuse a plan of more than MAX_FITS resampled fits, before any work."""
    n_fits = args.cv * args.n_repeats
    if n_fits > MAX_FITS:
        raise CommandError(
            f"--cv {args.cv} x --n-repeats {args.n_repeats} plans {n_fits} fits; "
            f"at most {MAX_FITS} are allowed: use --n-repeats "
            f"{max(1, MAX_FITS // args.cv)} or less."
        )


def write_text(text, path):
    """Write ``text`` to ``path`` as UTF-8, atomically."""
    write_atomically(path, lambda file: Path(file).write_text(text, encoding="utf-8"))
