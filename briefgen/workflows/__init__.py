"""Workflows: one module per thing a user asks briefgen to do, over the engine.

Build briefs (`brief`: validate, render and lay out each brief and its audiences' versions,
skipping what is up to date), check them (`check`), assemble briefing books (`book`),
compare every brief with a git revision (`diff`), write and read the archival record copy
(`record`), take a brief to Word and back (`word`), pin its clearance chain in git and find
the brief it follows (`clearance`), read the decisions ticked on its PDF (`decisions`),
draft its readouts (`readout`) and list every deliverable's history (`ledger`); every other
layout a command needs runs on the workers as a job (`layouts`). Entry points:
`brief.build_briefs`, `brief.build_brief`, `check.check_briefs`, `book.build_books`,
`diff.diff_project`, `word.write_docx`, `word.import_docx`, `decisions.record_decisions`,
`readout.write_readouts`, `ledger.build_ledger`.
"""
