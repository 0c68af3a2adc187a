"""Build: many briefs to files in output/.

The pipeline over many briefs (`pipeline`), long-lived worker processes with budgets
(`workers`), incremental stamps (`incremental`) and atomic, locked output (`output`);
the record copy (`record`), briefing books (`book`), and every brief compared between a
git revision (`revisions`) and the working tree (`changes`); the Word round trip (`wordtrip`). Entry points:
`pipeline.build`, `pipeline.check`, `pipeline.build_brief`.
"""
