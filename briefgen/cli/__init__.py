"""The `briefgen` command."""

from briefgen.cli.main import main

__all__ = ["main"]
