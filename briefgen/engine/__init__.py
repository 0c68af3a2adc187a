"""Engine: the machinery every workflow runs on, knowing nothing of briefs' content.

Long-lived worker processes with time and memory budgets (`workers`); the stamps that tell
what is up to date, for briefs and books alike (`stamps`); output written atomically under
a lock, never through a link (`output`); every name in output/ made from one typed key
(`names`); the local secret that seals what briefgen keeps there (`seal`); a project's files
at a git revision (`revisions`).
Entry points: `workers.run_jobs`, `stamps.is_up_to_date`, `output.write_outputs`,
`revisions.repository_of`.
"""
