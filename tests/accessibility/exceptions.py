"""Every accessibility exception, in one place, with its reason. Empty is the goal.

The tests read these tables and nothing else: a rule that fails and is not listed here
fails the test run, and an entry that no longer matches anything is reported as stale.
"""

from __future__ import annotations

# page-validation (PDF/UA-1 and PDF/A-3b profiles): rule id -> why it may fail.
PAGE_RULES: dict[str, str] = {
    "PDFA3B-STREAM-LENGTH-001": "page-validation 0.11.0 reports a stream /Length that does not "
                                "match, on the record copy of the page-1-and-annex layout, without "
                                "naming the stream; counting the bytes of every stream between "
                                "`stream` and `endstream` in the file (embedded files included) finds "
                                "each /Length exact, so no stream is known to be wrong. Listed until "
                                "the tool names the stream.",
}

# pdfua (second opinion): rules the tool itself fails to evaluate on our files. They are
# not findings; they are listed so that a new crash, or a rule that starts to run, shows.
PDFUA_NOT_EVALUATED: dict[str, str] = {
    "UA-14-001": "pdfua 0.1.3 raises ValueError reading a /K array (a bug in the tool, not a "
                 "finding); page-validation checks the same structure rules",
}

# axe-core (WCAG 2.0/2.1 A and AA): rule id -> why a violation is accepted.
AXE_RULES: dict[str, str] = {}
