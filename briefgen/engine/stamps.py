"""Incremental builds: skip a brief whose inputs have not changed since its last build.

A brief's fingerprint is a hash of everything that shapes its output: the brief file,
the person files it referenced, its house's files and the project's glossary (see
content/house.house_inputs), the templates and CSS, the content's assets (images),
briefgen's own code and version, the commits that touched the brief's file (its
clearance trailers: engine/revisions.history_digest, one `git log` per brief), and the
installed fonts (as fontconfig's caches see them). The fingerprint and the hashes of the
outputs are stored beside the outputs; a brief is skipped only when the fingerprint
matches and both outputs are still exactly what was written. Deciding this reads a
handful of files and imports nothing heavy (no YAML, no pydantic, no WeasyPrint).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from briefgen import __version__
from briefgen.content.files import UnsafeFile, file_digest, read_regular_file
from briefgen.content.ids import ID
from briefgen.engine.names import bookkeeping_path, output_path
from briefgen.engine.output import UnsafeOutput, write_atomic
from briefgen.engine.seal import sealed, unsealed
from briefgen.project import PACKAGE_DIR

# A stamp as stored in output/.briefgen/ (JSON): what a build or a layout was made from.
Stamp = dict[str, Any]

OUTPUT_SUFFIXES = (".html", ".pdf")
RECORD_SUFFIX = ".record.pdf"      # `build --record`: the archival copy (workflows/record.py)
MAX_STAMP_BYTES = 4 * 1024 * 1024
MAX_KEPT_BYTES = 256 * 1024 * 1024    # an output read back to be sent or joined into a book
_FONT_CACHE_DIRS = ("/var/cache/fontconfig", "~/.cache/fontconfig", "~/.fontconfig")


def stamp_path(output_dir: Path, output_id: str) -> Path:
    """The stamp of one output pair: `<id>` (the full brief) or `<id>.<audience>` (a version)."""
    return bookkeeping_path(output_dir, output_id, ".json")


def fingerprint(brief_path: Path, input_files: list[Path], shared_digest: str, history: str = "") -> str:
    """Hash of every input of one brief as the files are now (see the module docstring);
    `shared_digest` is shared_inputs_digest(), computed once per run; `history` the digest
    of the brief file's commits (revisions.history_digest: its clearance trailers)."""
    paths = {brief_path.resolve(), *(p.resolve() for p in input_files)}
    return fingerprint_of([(path, file_digest(path)) for path in paths], shared_digest, history)


def fingerprint_of(file_digests: Iterable[tuple[Path, str]], shared_digest: str, history: str = "") -> str:
    """The same hash, from the SHA-256 of each input as it was read (no file is read again:
    a build fingerprints exactly the bytes it validated)."""
    digest = hashlib.sha256(f"briefgen {__version__}\n".encode())
    digest.update(shared_digest.encode())
    if history:
        digest.update(f"\ngit {history}".encode())
    for path, one in sorted({p.resolve(): d for p, d in file_digests}.items()):
        digest.update(f"\n{path}\n".encode())
        digest.update(one.encode())
    return digest.hexdigest()


def is_up_to_date(brief_path: Path, output_dir: Path, shared_digest: str,
                  suffixes: tuple[str, ...] = OUTPUT_SUFFIXES, inputs: list[Path] | None = None,
                  history: str = "") -> bool:
    """True when the last build of this brief (or book) used exactly the current inputs and
    its outputs (those with `suffixes`) are untouched. `inputs`: the inputs as now known
    (default: those the stamp recorded, checked without reading any YAML); `history`: the
    brief file's history_digest now."""
    if not ID.fullmatch(brief_path.stem):   # a file name that is no id is refused, never skipped
        return False
    stamp = read_stamp(stamp_path(output_dir, brief_path.stem))
    if stamp is None:
        return False
    recorded = [Path(p) for p in stamp.get("inputs", [])]
    expected = fingerprint(brief_path, recorded if inputs is None else inputs, shared_digest, history)
    if expected != stamp.get("fingerprint") or not _outputs_intact(output_dir, brief_path.stem, stamp, suffixes):
        return False
    for variant in stamp.get("variants", []):   # the audiences' versions, each with its stamp
        variant_stamp = read_stamp(stamp_path(output_dir, str(variant)))
        if (variant_stamp is None or variant_stamp.get("fingerprint") != expected
                or not _outputs_intact(output_dir, str(variant), variant_stamp)):
            return False
    return True


def recorded_output(output_dir: Path, output_id: str, suffix: str) -> str | None:
    """The SHA-256 the last build recorded for one of its outputs (None when there is none)."""
    stamp = read_stamp(stamp_path(output_dir, output_id))
    digest = (stamp or {}).get("outputs", {}).get(suffix)
    return digest if isinstance(digest, str) else None


def _outputs_intact(output_dir: Path, output_id: str, stamp: Stamp,
                    suffixes: tuple[str, ...] = OUTPUT_SUFFIXES) -> bool:
    outputs = stamp.get("outputs", {})
    return all(file_digest(output_path(output_dir, output_id, suffix)) == outputs.get(suffix)
               for suffix in suffixes)


def record_build(brief_path: Path, input_files: list[Path], output_dir: Path,
                 fingerprint_: str, output_id: str | None = None, variants: tuple[str, ...] = (),
                 suffixes: tuple[str, ...] = OUTPUT_SUFFIXES) -> None:
    """Remember what a successful build was made from, and what it wrote (the outputs with
    `suffixes`). `output_id` names an audience's version (default: the full brief, whose
    stamp lists the `variants` it has)."""
    output_id = output_id or brief_path.stem
    stamp: Stamp = {
        "fingerprint": fingerprint_,
        "inputs": sorted(str(p.resolve()) for p in input_files),
        "outputs": {suffix: file_digest(output_path(output_dir, output_id, suffix))
                    for suffix in suffixes},
    }
    if variants:
        stamp["variants"] = list(variants)
    write_stamp(stamp_path(output_dir, output_id), stamp)


def write_stamp(path: Path, stamp: Stamp) -> None:
    """Write a stamp (or any JSON bookkeeping), sealed with the local secret (engine/seal.py)."""
    write_atomic(path, json.dumps(sealed(stamp), indent=1).encode(), durable=False)


def read_stamp(path: Path) -> Stamp | None:
    """A stamp (or any JSON bookkeeping) beside the outputs; None unless it is a regular file
    holding an object sealed by this machine's secret: a stamp committed into output/ by a
    pull request (whose digests anyone can compute) is no stamp."""
    try:  # a regular file only: a link to /dev/zero planted in output/ is no stamp
        stamp = json.loads(read_regular_file(path, MAX_STAMP_BYTES))
    except (UnsafeFile, ValueError, RecursionError):
        return None
    return unsealed(stamp)


def read_kept(path: Path) -> bytes | None:
    """An output or a file of the bookkeeping, read without following a link and at most
    MAX_KEPT_BYTES (None when it is not a regular file or is bigger)."""
    try:
        return read_regular_file(path, MAX_KEPT_BYTES)
    except UnsafeFile:
        return None


def shared_inputs_digest(asset_roots: tuple[Path, ...]) -> str:
    """Templates, content assets, briefgen's code and the fonts: the same for every brief
    in one run, so computed once per run (and again by a long-lived process for each build)."""
    digest = hashlib.sha256()
    folders = [(root, "**/*") for root in asset_roots] + [(PACKAGE_DIR, "**/*.py")]
    for folder, pattern in folders:
        for path in sorted(p for p in folder.glob(pattern) if p.is_file()):
            digest.update(f"{folder.name}/{path.relative_to(folder)}\n{file_digest(path)}\n".encode())
    digest.update(_fonts_signature().encode())
    return digest.hexdigest()


def _fonts_signature() -> str:
    """What fontconfig knows, cheaply: its cache files change whenever fonts do."""
    entries = [os.environ.get("FONTCONFIG_FILE", ""), os.environ.get("FONTCONFIG_PATH", "")]
    for folder in _FONT_CACHE_DIRS:
        path = Path(folder).expanduser()
        if path.is_dir():
            for item in sorted(path.iterdir()):
                stat = item.stat()
                entries.append(f"{item}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(entries)


# --- layout verdicts: whether a brief fits its pages, by the same fingerprint ---------------

def layout_path(output_dir: Path, brief_id: str) -> Path:
    return bookkeeping_path(output_dir, brief_id, ".layout.json")


def read_layout_verdict(output_dir: Path, brief_id: str, fingerprint_: str) -> Stamp | None:
    """The verdict recorded for exactly these inputs: {"problems": [...], "words": n}, or None."""
    stamp = read_stamp(layout_path(output_dir, brief_id))
    if stamp is None or stamp.get("fingerprint") != fingerprint_:
        return None
    return stamp


def recorded_body(output_dir: Path, brief_id: str) -> str:
    """The body step the brief's last built PDF is set at ("" when not recorded)."""
    stamp = read_stamp(layout_path(output_dir, brief_id))
    return str(stamp.get("body", "")) if stamp else ""


def record_layout_verdict(output_dir: Path, brief_id: str, fingerprint_: str,
                          problems: list[dict[str, Any]], words: int, body: str = "",
                          overflow: Any = None) -> None:
    """Remember how a brief laid out (by `check` or `build`), so the next check of the same
    inputs does not lay it out again: its problems, words and, when it overflows, by how
    much (a dataclass, render/fit.Overflow); a build also records the body step its PDF is
    set at (a book sets all its briefs at one step)."""
    stamp = {"fingerprint": fingerprint_, "problems": problems, "words": words, "body": body,
             "overflow": None if overflow is None else asdict(overflow)}
    try:
        write_stamp(layout_path(output_dir, brief_id), stamp)
    except (OSError, UnsafeOutput):   # read-only, or a linked output/: the check stands, uncached
        pass
