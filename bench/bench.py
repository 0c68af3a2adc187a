"""`make bench`: briefgen measured side by side with the engine it drives, in one run.

Generates N varied synthetic briefs in a temporary folder, then prints one table of
ratios, each the median of several runs measured here and now, and writes it with a
description of the machine to docs/performance.md. Nothing here is asserted: the
numbers are for people to read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SAMPLE = REPO / "content" / "camp-david-2023.yaml"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def make_briefs(root: Path, count: int) -> list[Path]:
    """Copies of the sample that differ in title, paper and length (all fit one page)."""
    content = root / "content"
    shutil.copytree(REPO / "content" / "people", content / "people")
    sample = SAMPLE.read_text(encoding="utf-8")
    paths = []
    for index in range(count):
        text = sample.replace("title: Camp David Trilateral Summit",
                              f"title: Trilateral Summit No. {index + 1}")
        if index % 3 == 1:
            text = text.replace("paper: letter", "paper: a4")
        if index % 3 == 2:  # a shorter brief: no quote
            text = text[: text.index("\nquotes:")] + text[text.index("\nsources:\n"):]
            text = text.replace("    source: brookings\n", "")
        path = content / f"brief-{index + 1:03d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def timed(command: list[str], **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    return time.perf_counter() - started


def median_of(runs: int, measure) -> float:
    return statistics.median(measure() for _ in range(runs))


def paired(runs: int, ours, reference) -> tuple[float, float, float]:
    """Median of each, and the median of the ratios of runs taken back to back: this
    machine's speed drifts by ±10% over minutes, and a pair shares the same moment."""
    pairs = [(ours(), reference()) for _ in range(runs)]
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(a / b for a, b in pairs))


def briefgen(*args: str | Path) -> list[str]:
    return [str(BIN / "briefgen"), *map(str, args)]


def measure(count: int, runs: int) -> list[tuple[str, str, str, str]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as folder:
        root = Path(folder)
        briefs = make_briefs(root, count)
        out = root / "output"
        subprocess.run(briefgen("build", "--root", root, "--force"), check=True,
                       stdout=subprocess.DEVNULL)
        one = briefs[0]
        html = out / f"{one.stem}.html"

        # 1. A cold briefgen build of one brief vs the weasyprint command making the same kind of
        #    PDF from its HTML: tagged PDF/UA-1 with its forms (what briefgen writes).
        cold, engine, ratio = paired(max(runs, 5), lambda: timed(briefgen(
            "build", "--root", root, "--force", "--output", root / "cold", one)),
            lambda: timed([str(BIN / "weasyprint"), "--pdf-variant", "pdf/ua-1", "--pdf-forms",
                           str(html), str(root / "engine.pdf")]))
        rows.append(("1. cold build of one brief ÷ `weasyprint --pdf-variant pdf/ua-1` on its HTML",
                     f"{cold:.2f} s", f"{engine:.2f} s", f"{ratio:.2f}"))

        # 2. Per brief inside a warm batch vs a bare in-process HTML(...).write_pdf().
        in_batch, bare, ratio = warm_per_brief(root, briefs[: min(10, count)], runs)
        rows.append(("2. per brief in a warm batch ÷ bare `HTML(...).write_pdf()`",
                     f"{in_batch:.3f} s", f"{bare:.3f} s", f"{ratio:.2f}"))

        # 3. The whole batch on one worker vs two.
        serial, parallel, ratio = paired(
            runs, lambda: timed(briefgen("build", "--root", root, "--force", "--jobs", "1")),
            lambda: timed(briefgen("build", "--root", root, "--force", "--jobs", "2")))
        rows.append((f"3. {count} briefs, `--jobs 1` ÷ `--jobs 2`", f"{serial:.2f} s",
                     f"{parallel:.2f} s", f"{ratio:.2f}"))

        # 4. A rebuild when nothing changed.
        noop = median_of(max(runs, 5), lambda: timed(briefgen("build", "--root", root)))
        rows.append((f"4. no-op rebuild of {count} briefs ÷ full build (`--jobs 2`)", f"{noop:.3f} s",
                     f"{parallel:.2f} s", f"{noop / parallel:.3f}"))

        # 5. briefgen per brief in a batch vs headless Chromium printing the same HTML.
        if Path(CHROMIUM).exists():
            chromium = median_of(runs, lambda: timed(chromium_print(html, root / "chromium.pdf")))
            per_brief = parallel / count
            rows.append(("5. briefgen per brief in a batch (`--jobs 2`) ÷ Chromium `--print-to-pdf`",
                         f"{per_brief:.3f} s", f"{chromium:.2f} s", f"{per_brief / chromium:.2f}"))
            rows.append(("5b. the same, briefgen on one worker (`--jobs 1`)", f"{serial / count:.3f} s",
                         f"{chromium:.2f} s", f"{serial / count / chromium:.2f}"))
        else:
            rows.append(("5. ÷ Chromium `--print-to-pdf`", "n/a", "not installed", "n/a"))

        # 7-8. Briefing books (measured in their own folder).
        rows += book_rows(runs)

        # 9. `check` lays briefs out, cached by the build's fingerprint: warm, it should cost
        #    what validation alone costs (`--no-layout`, the check before issue 11) ...
        warm, plain, ratio = paired(max(runs, 5), lambda: timed(briefgen("check", "--root", root)),
                                    lambda: timed(briefgen("check", "--root", root, "--no-layout")))
        rows.append((f"9. `check` of {count} briefs, layouts cached ÷ `check --no-layout`",
                     f"{warm:.2f} s", f"{plain:.2f} s", f"{ratio:.2f}"))

        # 10. ... and cold, no more than one build of the brief.
        def cold_check() -> float:
            for stamp in (out / ".briefgen").glob(f"{one.stem}.layout.json"):
                stamp.unlink()
            return timed(briefgen("check", "--root", root, one))
        cold_one, build_one, ratio = paired(max(runs, 5), cold_check, lambda: timed(briefgen(
            "build", "--root", root, "--force", "--output", root / "cold", one)))
        rows.append(("10. `check` of one brief, nothing cached ÷ `build --force` of it",
                     f"{cold_one:.2f} s", f"{build_one:.2f} s", f"{ratio:.2f}"))

        # 6. Peak memory of a worker (and of the main process) in a 2-worker build.
        worker_mb, main_mb = peak_memory(root)
        rows.append(("6. peak memory per worker (main process beside it)", f"{worker_mb:.0f} MB",
                     f"{main_mb:.0f} MB", ""))

        # 7. What accessibility costs: PDF/UA-1 tagging and the record copy (issue 12).
        rows += accessibility_cost(root, briefs[: min(10, count)], runs)
    return rows


BOOK_BRIEFS = 12


def book_rows(runs: int) -> list[tuple[str, str, str, str]]:
    """A book of 12 briefs from cold ÷ the 12 briefs alone (both `--jobs 2`, fresh output
    each run); then one brief changed: `briefgen book` (that brief rebuilt, the book
    re-assembled) ÷ a build of that brief alone."""
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-book-") as folder:
        root = Path(folder)
        briefs = make_briefs(root, BOOK_BRIEFS)
        books = root / "content" / "books"
        books.mkdir()
        (books / "bench-book.yaml").write_text(
            "title: Bench Book\nclassification: UNCLASSIFIED\nprepared_by: Bench\nas_of: 2023-08-18\n"
            "timezone: America/New_York\nhome_timezone: Asia/Tokyo\nbriefs:\n"
            + "".join(f"  - {brief.stem}\n" for brief in briefs), encoding="utf-8")
        runs_done = [0]

        def fresh(name: str) -> Path:
            runs_done[0] += 1
            return root / f"{name}-{runs_done[0]}"

        book, alone, ratio = paired(runs, lambda: timed(briefgen(
            "book", "--root", root, "--output", fresh("book"), "--jobs", "2", "bench-book")),
            lambda: timed(briefgen("build", "--root", root, "--output", fresh("alone"), "--jobs", "2",
                                   *briefs)))
        rows = [(f"7. book of {BOOK_BRIEFS} briefs from cold ÷ the {BOOK_BRIEFS} briefs alone (`--jobs 2`)",
                 f"{book:.2f} s", f"{alone:.2f} s", f"{ratio:.2f}")]
        out = root / "incremental"
        subprocess.run(briefgen("book", "--root", root, "--output", out, "bench-book"), check=True,
                       stdout=subprocess.DEVNULL)
        one = briefs[0]
        original = one.read_text(encoding="utf-8")
        edits = [0]

        def changed_book() -> float:
            edits[0] += 1
            one.write_text(original.replace("Trilateral Summit No. 1", f"Trilateral Summit No. 1 (v{edits[0]})"),
                           encoding="utf-8")
            return timed(briefgen("book", "--root", root, "--output", out, "bench-book"))

        def brief_alone() -> float:
            return timed(briefgen("build", "--root", root, "--output", root / "one", "--force", one))

        rebuild, single, ratio = paired(runs, changed_book, brief_alone)
        rows.append(("8. one brief's title changed: `briefgen book` ÷ that brief's build alone",
                     f"{rebuild:.2f} s", f"{single:.2f} s", f"{ratio:.2f}"))

        one.write_text(original, encoding="utf-8")
        subprocess.run(briefgen("book", "--root", root, "--output", out, "bench-book"), check=True,
                       stdout=subprocess.DEVNULL)

        def changed_inside() -> float:
            """One or two deliverables' status, in turn: the book's own pages are as kept, and
            the book is only joined again."""
            edits[0] += 1
            one.write_text(original.replace("status: expected", "status: announced", 1 + edits[0] % 2),
                           encoding="utf-8")
            return timed(briefgen("book", "--root", root, "--output", out, "bench-book"))

        rebuild, single, ratio = paired(runs, changed_inside, brief_alone)
        rows.append(("8b. one brief's deliverable changed (the book's own pages kept) ÷ that brief alone",
                     f"{rebuild:.2f} s", f"{single:.2f} s", f"{ratio:.2f}"))
    return rows


def accessibility_cost(root: Path, briefs: list[Path], runs: int) -> list[tuple[str, str, str, str]]:
    """Per brief in one warm process, back to back: the PDF/UA-1 build (the default) against
    the same build with tagging switched off (plain WeasyPrint output, no pikepdf finishing),
    and the build with the record copy against the one without; and the PDF's size. Times
    are the process's CPU time, which other load on a shared machine does not inflate."""
    code = f"""
import statistics, time
from pathlib import Path
import briefgen.render.pdf as pdf
import briefgen.render.pdf_tags as tags
from briefgen.workflows.brief import Project, prepare_brief, write_brief
from briefgen.workflows.record import provenance
project = Project.at(Path({str(root)!r}), Path({str(root / 'a11y')!r}))
briefs = [Path(p) for p in {[str(b) for b in briefs]!r}]
origin = provenance(project)
tagged_variant, finish = pdf.PDF_VARIANT, tags.finish_tags

def build(brief, tagged, record=None):
    pdf.PDF_VARIANT, tags.finish_tags = (tagged_variant, finish) if tagged else (None, lambda data, *_, **__: data)
    started = time.process_time()
    result, prepared = prepare_brief(project, brief)
    result = write_brief(project, prepared, record=record)
    seconds = time.process_time() - started
    assert result.ok, result.errors
    return seconds, (project.output_dir / (brief.stem + '.pdf')).stat().st_size

build(briefs[0], True, origin)
tagged, untagged, recorded, size_tagged, size_untagged = [], [], [], [], []
for _ in range({runs}):
    for brief in briefs:
        seconds, size = build(brief, False); untagged.append(seconds); size_untagged.append(size)
        seconds, size = build(brief, True); tagged.append(seconds); size_tagged.append(size)
        recorded.append(build(brief, True, origin)[0])
m = statistics.median
print(m(tagged), m(untagged), m(a / b for a, b in zip(tagged, untagged)), m(recorded),
      m(a / b for a, b in zip(recorded, tagged)), m(size_tagged), m(size_untagged))
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    tagged, untagged, ratio, recorded, record_ratio, size_tagged, size_untagged = map(float, out.stdout.split())
    return [("7. per brief (CPU), PDF/UA-1 (default) ÷ untagged, same warm process", f"{tagged:.3f} s",
             f"{untagged:.3f} s", f"{ratio:.2f}"),
            ("7b. PDF size, PDF/UA-1 ÷ untagged", f"{size_tagged / 1024:.1f} KiB",
             f"{size_untagged / 1024:.1f} KiB", f"{size_tagged / size_untagged:.2f}"),
            ("7c. per brief (CPU) with `--record` ÷ without (one more PDF write, no second layout)",
             f"{recorded:.3f} s", f"{tagged:.3f} s", f"{record_ratio:.2f}")]


def chromium_print(html: Path, pdf: Path) -> list[str]:
    return [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={pdf.parent / 'chromium-profile'}", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}", html.as_uri()]


def warm_per_brief(root: Path, briefs: list[Path], runs: int) -> tuple[float, float, float]:
    """Median seconds per brief for briefgen's in-process build and for bare WeasyPrint on
    its HTML, each pair back to back, and the median of the pairs' ratios."""
    code = f"""
import statistics, sys, time
from pathlib import Path
from weasyprint import HTML
from briefgen.workflows.brief import Project, build_brief
from briefgen.render.pdf import font_configuration
fonts = font_configuration()
project = Project.at(Path({str(root)!r}), Path({str(root / 'warm')!r}))
briefs = [Path(p) for p in {[str(b) for b in briefs]!r}]
build_brief(project, briefs[0])
ours, bare = [], []
for _ in range({runs}):
    for brief in briefs:
        started = time.perf_counter(); result = build_brief(project, brief); ours.append(time.perf_counter() - started)
        assert result.ok, result.errors
        html = (project.output_dir / (brief.stem + '.html')).read_text()
        started = time.perf_counter()
        HTML(string=html).write_pdf(font_config=fonts)
        bare.append(time.perf_counter() - started)
print(statistics.median(ours), statistics.median(bare), statistics.median(a / b for a, b in zip(ours, bare)))
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    ours, bare, ratio = map(float, out.stdout.split())
    return ours, bare, ratio


def peak_memory(root: Path) -> tuple[float, float]:
    """Largest peak RSS reported by the workers of a `--jobs 2` build, and the main process's."""
    code = f"""
import resource
from pathlib import Path
from briefgen.workflows.brief import BuildOptions, Project, build_briefs
results = build_briefs(Project.at(Path({str(root)!r})), options=BuildOptions(force=True, jobs=2))
assert all(r.ok for r in results)
print(max(r.peak_memory_mb for r in results), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    worker, main = map(float, out.stdout.split())
    return worker, main


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import weasyprint
    return (f"{platform.platform()}; {os.cpu_count()} cores ({cpu}); {memory:.0f} GiB; "
            f"Python {platform.python_version()}; WeasyPrint {weasyprint.__version__}")


def table(rows) -> str:
    lines = ["| measure | briefgen | reference | ratio |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=50, help="synthetic briefs (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measure; medians (default 3)")
    parser.add_argument("--write", type=Path, default=REPO / "docs" / "performance.md",
                        help="where to write the results (default docs/performance.md)")
    parser.add_argument("--books-only", action="store_true",
                        help="measure only the briefing book rows and print them (nothing written)")
    parser.add_argument("--accessibility-only", action="store_true",
                        help="measure only the cost of tagging and of the record copy (rows 7), "
                        "print it and write nothing")
    args = parser.parse_args()
    if args.books_only:
        print(table(book_rows(args.runs)))
        return
    if args.accessibility_only:
        with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as folder:
            print(table(accessibility_cost(Path(folder), make_briefs(Path(folder), args.briefs),
                                           args.runs)))
        return
    rows = measure(args.briefs, args.runs)
    result = table(rows)
    print(result)
    header = (f"# Performance\n\nMeasured by `make bench` (bench/bench.py) on {dt.date.today()}: "
              f"{args.briefs} synthetic briefs, medians of {args.runs} runs, all side by side in one run.\n\n"
              f"Machine: {machine()}\n\n")
    existing = args.write.read_text() if args.write.exists() else ""
    notes = existing[existing.index("## Notes"):] if "## Notes" in existing else ""
    args.write.write_text(header + result + "\n\n" + notes)
    print(f"\nwrote {args.write}")


if __name__ == "__main__":
    main()
