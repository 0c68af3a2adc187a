"""The accessibility checkers the tests run: page-validation and pdfua on PDFs.

A failure message lists each failing rule with the checker's own words, so a red test
says what to fix without rerunning anything.
"""

from __future__ import annotations

from pathlib import Path

import page
import pdfua
import pikepdf

from accessibility.exceptions import PAGE_RULES, PDFUA_NOT_EVALUATED


def page_failures(pdf: Path, profile: str) -> dict[str, list[str]]:
    """page-validation's failed rules (rule id -> messages) under `profile` ('ua1', '3b'),
    less the exceptions listed in exceptions.py."""
    report = page.validate_pdf(pdf, profile=profile)
    assert report.rules.total > 0, f"page-validation checked no rule of {profile} on {pdf}"
    failures: dict[str, list[str]] = {}
    for failure in report.failures:
        if failure.rule_id not in PAGE_RULES:
            failures.setdefault(failure.rule_id, []).append(failure.message)
    return failures


def assert_page_conforms(pdf: Path, profile: str) -> None:
    failures = page_failures(pdf, profile)
    assert not failures, f"{pdf.name} fails page-validation {page.__version__} ({profile}):\n" + "\n".join(
        f"  {rule}: {messages[0]}" + (f" (and {len(messages) - 1} more)" if len(messages) > 1 else "")
        for rule, messages in sorted(failures.items()))


def assert_pdfua_finds_nothing(pdf: Path) -> None:
    """pdfua's machine-checkable subset of PDF/UA-1: no finding at any severity, and no
    rule left unevaluated beyond the known crashes."""
    report = pdfua.validate(str(pdf))
    findings = [f"  {f.rule_id} {f.severity.name} {f.location.describe()}: {f.message}"
                for f in report.findings]
    assert not findings, f"{pdf.name}: pdfua {pdfua.__version__} findings:\n" + "\n".join(findings)
    not_evaluated = {outcome.rule_id: outcome.skipped_reason for outcome in report.skipped}
    unknown = {rule: why for rule, why in not_evaluated.items() if rule not in PDFUA_NOT_EVALUATED}
    assert not unknown, f"pdfua could not evaluate: {unknown}"


def assert_catalog_claims_pdf_ua(pdf_path: Path, title: str) -> None:
    """Tagged, the PDF/UA-1 claim and the title in the XMP, the title shown in the viewer's
    window, the language said."""
    with pikepdf.open(pdf_path) as pdf:
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "en"
        assert str(pdf.docinfo.Title) == title
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
            assert xmp.get("dc:title") == title
