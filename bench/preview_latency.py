"""Measure the live preview: save-to-reloaded-HTML and save-to-fresh-PDF, over several saves.

Starts `briefgen serve` on a copy of the sample project, opens the brief in Debian's
headless Chromium, then saves the brief N times (a new title each time) and times:
  html: from the save to the page showing the new title, painted (the time the preview
        script records after the next frame, on the same clock as the save);
  pdf:  from the save to output/<id>.pdf being replaced by a PDF with the new title.
Prints every sample, then the medians.

    .venv/bin/python bench/preview_latency.py [--saves 10] [--pause 1.5] [--atomic]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from pypdf import PdfReader

REPO = Path(__file__).resolve().parent.parent
BRIEF_ID = "camp-david-2023"
TITLE_LINE = "title: Camp David Trilateral Summit\n"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PDF_WAIT_SECONDS = 30
SHOWN_AT = """([marker, savedAt]) => {
  const heading = document.querySelector("h1");
  const shown = window.briefgenPreview;    // set by the preview script once a version is painted
  return heading && heading.textContent === marker && shown && shown.shownAt > savedAt
    ? shown.shownAt : false;
}"""


def save(path: Path, text: str, atomic: bool) -> float:
    """Write `text` as an editor would; returns the wall-clock time (ms) of the save."""
    started = time.time() * 1000
    if atomic:                                    # write a temporary file, rename it into place
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    else:                                         # rewrite the file in place
        path.write_text(text, encoding="utf-8")
    return started


def wait_for_new_pdf(pdf: Path, before: int, marker: str) -> float:
    """Wall-clock time (ms) at which `pdf` was replaced by one showing `marker`."""
    deadline = time.monotonic() + PDF_WAIT_SECONDS
    while time.monotonic() < deadline:
        if pdf.stat().st_mtime_ns != before:
            seen = time.time() * 1000
            text = PdfReader(pdf).pages[0].extract_text()
            if marker in " ".join(text.split()):
                return seen
            raise SystemExit(f"the new PDF does not show {marker!r}")
        time.sleep(0.003)
    raise SystemExit("no new PDF in time")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--saves", type=int, default=10)
    options.add_argument("--pause", type=float, default=1.5, help="seconds between saves")
    options.add_argument("--atomic", action="store_true", help="save by rename, as many editors do")
    args = options.parse_args()

    root = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
    shutil.copytree(REPO / "content", root / "content")
    brief, pdf = root / "content" / f"{BRIEF_ID}.yaml", root / "output" / f"{BRIEF_ID}.pdf"
    original = brief.read_text(encoding="utf-8")
    server = subprocess.Popen([sys.executable, "-m", "briefgen", "serve", "--root", str(root),
                               "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)
    url = server.stdout.readline().split()[1]
    html_ms, pdf_ms = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{url}briefs/{BRIEF_ID}")
            page.wait_for_selector("briefgen-preview #status[data-status=built]", timeout=60_000)
            for number in range(1, args.saves + 1):
                time.sleep(args.pause)
                marker = f"Latency probe {number}"
                before = pdf.stat().st_mtime_ns
                saved_at = save(brief, original.replace(TITLE_LINE, f"title: {marker}\n"), args.atomic)
                loaded_at = page.wait_for_function(SHOWN_AT, arg=[marker, saved_at], polling="raf",
                                                   timeout=10_000).json_value()
                pdf_at = wait_for_new_pdf(pdf, before, marker)
                html_ms.append(loaded_at - saved_at)
                pdf_ms.append(pdf_at - saved_at)
                print(f"save {number:2}: html {html_ms[-1]:6.0f} ms   pdf {pdf_ms[-1]:6.0f} ms")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
    print(f"median over {len(html_ms)} saves ({'rename' if args.atomic else 'in-place'} saves): "
          f"save-to-reloaded-HTML {statistics.median(html_ms):.0f} ms "
          f"(min {min(html_ms):.0f}, max {max(html_ms):.0f}); "
          f"save-to-fresh-PDF {statistics.median(pdf_ms):.0f} ms "
          f"(min {min(pdf_ms):.0f}, max {max(pdf_ms):.0f})")


if __name__ == "__main__":
    main()
