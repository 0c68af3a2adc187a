"""The `briefgen` command: argument parsing for every command, and the one place where
problems become printed messages and exit codes.

The commands are thin: each parses its arguments and calls one entry point of the
library below it. Entry points: `main.main` (also `briefgen.cli.main`), `progress.BuildProgress`.
"""

from briefgen.cli.main import main

__all__ = ["main"]
