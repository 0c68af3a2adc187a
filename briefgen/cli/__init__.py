"""The `briefgen` command: argument parsing for every command, and the one place where
problems become printed messages and exit codes.

The commands are thin: each parses its arguments and calls one entry point of the
library below it. The parser and the dispatch (`main`); one module per command:
`build`, `check`, `schema`, `book`, `email`, `new`, `serve`, `diff`, `extract`, `docx`,
`import_docx`, `house`, `decisions`, `readout`, `ledger`, `translate`; shared
options (`options`), build progress (`progress`) and safe printing in a CI log (`ci`).
Entry points: `main.main` (also importable from this package), `progress.BuildProgress`.
"""

from briefgen.cli.main import main

__all__ = ["main"]
