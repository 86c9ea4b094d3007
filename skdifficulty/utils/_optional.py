"""Optional dependencies: whether one is installed, and the sentence that
says which extra installs it.

Every message about a missing optional package is written here, so that each
one names the same extra the same way.
"""

import importlib
import importlib.util

# The extra of ``pip install "skdifficulty[extra]"`` that brings each package.
EXTRAS = {
    "matplotlib": "plot",
    "pandas": "pandas",
    "pyarrow": "pandas",
    "skorch": "torch",
    "torch": "torch",
}

_PYTORCH_FIRST = (
    "Install PyTorch first, following the instructions at "
    "https://pytorch.org/get-started/locally/ (they pick the build for your "
    "CPU or GPU), then run: "
)


def installed(name):
    """Whether module ``name`` can be imported, without importing it."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a parent package missing, or a stub
        return False


def missing_message(name, purpose, *, otherwise=None):
    """``"<purpose> needs <name>, which is not installed; install it with ..."``.

    Parameters
    ----------
    name : str
        The missing package, a key of :data:`EXTRAS`.
    purpose : str
        What needs it, the start of the sentence.
    otherwise : str, default=None
        A way around it, added after the install command (``"or pass
        as_frame=False"``).
    """
    install = f'pip install "skdifficulty[{EXTRAS[name]}]"'
    if name in ("torch", "skorch"):
        return f"{purpose} needs PyTorch and skorch. {_PYTORCH_FIRST}{install}"
    tail = f", {otherwise}" if otherwise else ""
    return (
        f"{purpose} needs {name}, which is not installed; "
        f"install it with {install}{tail}."
    )


def import_optional(name, purpose, *, error=ImportError, otherwise=None):
    """Import module ``name``, or raise ``error`` with :func:`missing_message`.

    ``name`` may be a submodule (``"matplotlib.pyplot"``); the message names
    its top-level package.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        package = name.partition(".")[0]
        raise error(missing_message(package, purpose, otherwise=otherwise)) from exc
