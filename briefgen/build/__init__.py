"""Build: many briefs to files in output/.

The pipeline over many briefs (`pipeline`), long-lived worker processes with budgets
(`workers`), incremental stamps (`incremental`) and atomic, locked output (`output`).
Entry points: `pipeline.build`, `pipeline.check`, `pipeline.build_brief`.
"""
