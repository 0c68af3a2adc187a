"""The one form of an id: of a person, a source, a deliverable, an audience, a book.

The model's `Id` type checks it, and every other place that reads an id (a file name that
becomes a path or an attachment's name, a command-line option, a URL) uses the same
pattern. Kept apart from the model so the command line can use it without loading pydantic.
"""

from __future__ import annotations

import re

ID_PATTERN = r"[a-z0-9][a-z0-9-]{0,63}"
ID = re.compile(ID_PATTERN)
