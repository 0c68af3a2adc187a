"""Workflows: one module per thing a user asks briefgen to do, over the engine.

Build briefs (`brief`: validate, render and lay out each brief and its audiences' versions,
skipping what is up to date), check them (`check`), assemble briefing books (`book`),
compare every brief with a git revision (`diff`), write and read the archival record copy
(`record`), and take a brief to Word and back (`word`); every other layout a command needs
runs on the workers as a job (`layouts`). Entry points: `brief.build_briefs`,
`brief.build_brief`, `check.check_briefs`, `book.build_books`, `diff.diff_project`,
`word.write_docx`, `word.import_docx`.
"""
