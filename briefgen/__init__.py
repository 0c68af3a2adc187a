"""briefgen: meeting briefs from validated YAML to a one-page HTML and PDF.

The folders follow the data, and imports point one way only (tests/test_architecture.py):

    `content`   read and check what authors write: YAML with positions, the model, the rules
    `render`    a validated brief to what a reader sees: HTML, plain text, PDF, pictures
    `engine`    the machinery under every workflow: budgeted workers, stamps, atomic output, git
    `workflows` one module per thing a user asks for: brief, check, book, diff, record, word
    `preview`   `briefgen serve`, the live preview on 127.0.0.1
    `mail`      a built brief as an email, drafted or sent
    `cli`       the `briefgen` command, a thin layer over the folders above

Beside them, `errors` holds the `Diagnostic` every stage reports and the one place that
turns a user's mistake into a message and an exit code; `project` resolves where a
project's content, templates and output live; `__main__` makes `python -m briefgen` work.
"""

__version__ = "0.1.0"
