"""Incremental builds: skip a brief whose inputs have not changed since its last build.

A brief's fingerprint is a hash of everything that shapes its output: the brief file,
the person files it referenced, the templates and CSS, the content's assets (images),
briefgen's own code and version,
and the installed fonts (as fontconfig's caches see them). The fingerprint and the
hashes of the outputs are stored beside the outputs; a brief is skipped only when the
fingerprint matches and both outputs are still exactly what was written. Deciding this
reads a handful of files and imports nothing heavy (no YAML, no pydantic, no WeasyPrint).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from briefgen import __version__
from briefgen.project import PACKAGE_DIR

OUTPUT_SUFFIXES = (".html", ".pdf")
_FONT_CACHE_DIRS = ("/var/cache/fontconfig", "~/.cache/fontconfig", "~/.fontconfig")


def stamp_path(output_dir: Path, brief_id: str) -> Path:
    return output_dir / ".briefgen" / f"{brief_id}.json"


def fingerprint(brief_path: Path, input_files: list[Path], shared_digest: str) -> str:
    """Hash of every input of one brief (see the module docstring); `shared_digest` is
    shared_inputs_digest(), computed once per run."""
    digest = hashlib.sha256(f"briefgen {__version__}\n".encode())
    digest.update(shared_digest.encode())
    for path in sorted({brief_path.resolve(), *(p.resolve() for p in input_files)}):
        digest.update(f"\n{path}\n".encode())
        digest.update(_file_digest(path).encode())
    return digest.hexdigest()


def is_up_to_date(brief_path: Path, output_dir: Path, shared_digest: str,
                  suffixes: tuple[str, ...] = OUTPUT_SUFFIXES) -> bool:
    """True when the last build of this brief used exactly the current inputs and its
    outputs (those with `suffixes`) are untouched."""
    stamp = _read_stamp(stamp_path(output_dir, brief_path.stem))
    if stamp is None:
        return False
    inputs = [Path(p) for p in stamp.get("inputs", [])]
    if fingerprint(brief_path, inputs, shared_digest) != stamp.get("fingerprint"):
        return False
    outputs = stamp.get("outputs", {})
    return all(_file_digest(output_dir / f"{brief_path.stem}{suffix}") == outputs.get(suffix)
               for suffix in suffixes)


def record_build(brief_path: Path, input_files: list[Path], output_dir: Path,
                 shared_digest: str, suffixes: tuple[str, ...] = OUTPUT_SUFFIXES) -> None:
    """Remember what a successful build was made from, and what it wrote."""
    from briefgen.build.output import write_atomic

    stamp = {
        "fingerprint": fingerprint(brief_path, input_files, shared_digest),
        "inputs": sorted(str(p.resolve()) for p in input_files),
        "outputs": {suffix: _file_digest(output_dir / f"{brief_path.stem}{suffix}")
                    for suffix in suffixes},
    }
    write_atomic(stamp_path(output_dir, brief_path.stem), json.dumps(stamp, indent=1).encode(),
                 durable=False)


def forget_build(output_dir: Path, brief_id: str) -> None:
    stamp_path(output_dir, brief_id).unlink(missing_ok=True)


def _read_stamp(path: Path) -> dict | None:
    try:
        stamp = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def shared_inputs_digest(asset_roots: tuple[Path, ...]) -> str:
    """Templates, content assets, briefgen's code and the fonts: the same for every brief
    in one run, so computed once per run (and again by a long-lived process for each build)."""
    digest = hashlib.sha256()
    folders = [(root, "**/*") for root in asset_roots] + [(PACKAGE_DIR, "**/*.py")]
    for folder, pattern in folders:
        for path in sorted(p for p in folder.glob(pattern) if p.is_file()):
            digest.update(f"{folder.name}/{path.relative_to(folder)}\n{_file_digest(path)}\n".encode())
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
