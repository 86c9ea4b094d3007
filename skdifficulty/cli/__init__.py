"""The ``skdifficulty`` command line: ``python -m skdifficulty demo|score``.

Run ``python -m skdifficulty --help`` for the commands and examples.
"""

from ._main import build_parser, main

__all__ = ["build_parser", "main"]
