"""Sphinx configuration for the skdifficulty documentation."""

import os
import sys

import matplotlib

# The gallery executes examples: never try to open a window.
matplotlib.use("Agg")

# Document the working tree even when the package is not installed.
sys.path.insert(0, os.path.abspath(".."))

import skdifficulty  # noqa: E402

project = "skdifficulty"
author = "The skdifficulty developers"
copyright = "The skdifficulty developers"
release = skdifficulty.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
# No intersphinx: the build must work without network access.

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
default_role = "literal"

# -- autodoc / autosummary / numpydoc ------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
# Types live in the numpydoc "Parameters" sections, not in the signatures.
autodoc_typehints = "none"
numpydoc_show_class_members = False
# Every docstring the API pages render is checked against numpydoc's rules; a
# failed check is a warning, so an error of the -W build. Left out: the
# sections a short method need not have (extended summary, See Also,
# Examples) and the named-return form of "self : object".
numpydoc_validation_checks = {"all", "ES01", "SA01", "EX01", "RT02"}
# skorch calls the callback hooks with the arguments its documentation names.
# The weighted nets take skorch's parameters, which skorch's documentation
# lists; their docstrings point there.
numpydoc_validation_exclude = {
    r"\.on_[a-z_]+$",
    r"\.skorch\.WeightedNeuralNet(Binary)?(Classifier|Regressor)$",
}


def _skip_inherited_members(app, what, name, obj, skip, options):
    """Leave out methods inherited from scikit-learn's and skorch's classes.

    Their own documentation has them; their docstrings refer to labels and
    glossary terms of it, which would be unresolved references (errors under
    -W), and follow its conventions rather than numpydoc's.
    """
    module = getattr(obj, "__module__", None) or ""
    if module.split(".")[0] in ("sklearn", "skorch"):
        return True
    # scikit-learn attaches set_*_request to every class it sees, skorch's too.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_inherited_members)


# -- sphinx-gallery -------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "doc_module": ("skdifficulty",),
    "backreferences_dir": "gen_modules/backreferences",
    "reference_url": {"skdifficulty": None},
    "remove_config_comments": True,
}

# -- HTML -----------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401
except ImportError:
    html_theme = "alabaster"
else:
    html_theme = "pydata_sphinx_theme"
    html_theme_options = {"navigation_with_keys": False}
html_title = f"skdifficulty {release}"
html_static_path = []
