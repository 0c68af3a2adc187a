"""Attack class: the workflow itself.

zizmor (a static analyser for GitHub Actions) runs over .github/workflows offline, so a
later change cannot bring back what it found: actions pinned by tag rather than by
commit hash, and a checkout that persists its credentials into the workspace that is
then uploaded as an artifact.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
ZIZMOR = Path(sys.executable).parent / "zizmor"


def test_zizmor_finds_nothing():
    assert ZIZMOR.exists(), "zizmor is in the test extra: make test-deps, or pip install -e '.[test]'"
    result = subprocess.run([str(ZIZMOR), "--offline", "--no-progress", str(WORKFLOWS)],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr, result.stdout + result.stderr


def test_every_action_is_pinned_by_hash_with_its_version_in_a_comment():
    for workflow in WORKFLOWS.glob("*.y*ml"):
        uses = re.findall(r"uses:\s*(\S+)(.*)", workflow.read_text())
        assert uses, workflow
        for reference, comment in uses:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", reference), reference
            assert re.fullmatch(r"\s*# v\d+(\.\d+)*\s*", comment), (reference, comment)


def test_checkout_does_not_persist_credentials():
    text = (WORKFLOWS / "brief.yml").read_text()
    checkout = text[text.index("actions/checkout@"):]
    assert re.match(r"actions/checkout@\S+[^\n]*\n\s+with:\n\s+persist-credentials: false\n", checkout)
