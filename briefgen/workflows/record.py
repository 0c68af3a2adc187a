"""The record copy: `output/<id>.record.pdf`, a PDF/A-3b that carries its own sources.

`briefgen build --record` writes it beside the PDF, from the same layout (one more PDF
write, no second layout). Embedded as PDF/A-3 associated files: the brief's YAML and the
person files it names (relationship Source), exactly as they were read, and a manifest
(relationship Supplement) saying what made the file: briefgen's version, a fingerprint of
the inputs, the build date, and, when the project is in git, the commit and which of the
embedded files differ from it (uncommitted edits: `git_dirty`, `modified_since_commit`).

The record is byte-reproducible: its date is SOURCE_DATE_EPOCH when set, else the time of
the project's git commit, else the brief's as-of date; never the clock.

`briefgen extract` reads the files back, byte for byte. A record is a PDF from anywhere,
so its embedded names are trusted for nothing: only `<name>.yaml` and `people/<name>.yaml`
are accepted, each file must match the manifest's SHA-256, and nothing is overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from briefgen import __version__
from briefgen.errors import BriefgenError

if TYPE_CHECKING:
    from briefgen.project import Project
    from briefgen.render.pdf import RecordFiles



class BuiltBrief(Protocol):
    """What the record copy needs of a brief being built (brief.PreparedBrief)."""

    brief_id: str
    path: Path
    input_files: tuple[Path, ...]
    as_of: str
    clearance: tuple[dict[str, Any], ...]


MANIFEST_NAME = "briefgen-record.json"
PEOPLE_FOLDER = "people"
_SAFE_NAME = re.compile(rf"(?:{PEOPLE_FOLDER}/)?[A-Za-z0-9][A-Za-z0-9._-]{{0,120}}\.yaml")


@dataclass(frozen=True)
class Provenance:
    """Where a build comes from, worked out once per run: the git commit and the date."""

    git_commit: str | None
    date: dt.datetime | None          # None: the brief's own as-of date
    date_from: str                    # what the date is: SOURCE_DATE_EPOCH, git commit, as_of
    # The project's files that differ from that commit (edited, added, untracked, deleted),
    # resolved; None outside git.
    modified: frozenset[Path] | None = None

    def modified_inputs(self, inputs: list[tuple[str, Path]]) -> list[str] | None:
        """The names of the (name, path) inputs that differ from the commit; None outside git."""
        if self.git_commit is None or self.modified is None:
            return None
        return [name for name, path in inputs if path.resolve() in self.modified]


def provenance(project: Project) -> Provenance:
    commit = _git_head(project.root)
    modified = _git_modified(project.root) if commit else None
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return Provenance(commit and commit[0], _utc(int(epoch)), "SOURCE_DATE_EPOCH", modified)
    if commit:
        return Provenance(commit[0], _utc(commit[1]), "git commit", modified)
    return Provenance(None, None, "as_of")


def _utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _git(root: Path, *args: str) -> str | None:
    """What `git -C root ARGS` prints, or None when it fails (not a checkout, no git)."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args],
                              check=False, capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _git_head(root: Path) -> tuple[str, int] | None:
    """(commit, commit time) of the project's checkout, or None outside git."""
    fields = (_git(root, "log", "-1", "--format=%H %ct") or "").split()
    if len(fields) != 2 or not fields[1].isdigit():
        return None
    return fields[0], int(fields[1])


def _git_modified(root: Path) -> frozenset[Path] | None:
    """The files under `root` whose content is not the commit's: modified, staged, added,
    deleted or untracked (an ignored file is none of these); None when git cannot say."""
    top = _git(root, "rev-parse", "--show-toplevel")
    status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".")
    if top is None or status is None:
        return None
    fields = iter(status.split("\0"))
    modified = set()
    for entry in fields:
        if len(entry) > 3:
            modified.add((Path(top.strip()) / entry[3:]).resolve())
            if entry[0] in "RC":          # a rename or copy: its original's name follows
                next(fields, None)
    return frozenset(modified)


def record_files(project: Project, prepared: BuiltBrief, origin: Provenance) -> RecordFiles:
    """The files a brief's record copy embeds, with their manifest."""
    from briefgen.render.pdf import EmbeddedFile, RecordFiles

    people = project.people_dir_for(prepared.path)
    inputs = [(_embedded_name(prepared.path, path), path) for path in prepared.input_files
              if path == prepared.path or path.resolve().parent == people]   # not the house's
    sources = [(name, path.read_bytes()) for name, path in inputs]
    date = origin.date or dt.datetime.combine(dt.date.fromisoformat(prepared.as_of), dt.time(),
                                              dt.UTC)
    manifest = _manifest(project, prepared.brief_id, sources, origin, date,
                         origin.modified_inputs(inputs), prepared.clearance)
    files = [EmbeddedFile(name, data, "the brief" if index == 0 else "a person file it names",
                          "Source") for index, (name, data) in enumerate(sources)]
    files.append(EmbeddedFile(MANIFEST_NAME, manifest, "what made this record", "Supplement"))
    return RecordFiles(tuple(files), date)


def _embedded_name(brief_path: Path, path: Path) -> str:
    return path.name if path == brief_path else f"{PEOPLE_FOLDER}/{path.name}"


def _manifest(project: Project, brief_id: str, sources: list[tuple[str, bytes]],
              origin: Provenance, date: dt.datetime, modified: list[str] | None,
              clearance: tuple[dict[str, Any], ...] = ()) -> bytes:
    listed = [{"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
              for name, data in sources]
    manifest = {
        "brief": brief_id,
        "briefgen": __version__,
        "build_date": date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "build_date_from": origin.date_from,
        "git_commit": origin.git_commit,
        # Whether the files embedded differ from that commit, and which: null outside git.
        "git_dirty": None if modified is None else bool(modified),
        "modified_since_commit": modified,
        "input_fingerprint": _fingerprint(project, listed),
        "input_fingerprint_covers": "briefgen's version, the templates and CSS, the files listed",
        "files": listed,
        # Who drafted, cleared and approved it, each pinned to a commit, and what changed since.
        "clearance": list(clearance),
    }
    return (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _fingerprint(project: Project, listed: list[dict[str, Any]]) -> str:
    """The same wherever the project is checked out: names are relative, not paths."""
    digest = hashlib.sha256(f"briefgen {__version__}\n".encode())
    for template in sorted(p for p in project.templates_dir.glob("*") if p.is_file()):
        digest.update(f"templates/{template.name}\n{hashlib.sha256(template.read_bytes()).hexdigest()}\n"
                      .encode())
    for entry in listed:
        digest.update(f"{entry['name']}\n{entry['sha256']}\n".encode())
    return digest.hexdigest()


# --- extract -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Extracted:
    files: list[Path]
    manifest: dict[str, Any]


def extract_record(record: Path, to_dir: Path) -> Extracted:
    """Write the brief and person files embedded in `record` under `to_dir`, byte for byte.

    Refuses (writing nothing) a file that is not a briefgen record, an embedded name that
    is not a plain `<name>.yaml` or `people/<name>.yaml`, a file whose bytes do not match
    the manifest, and a target that already exists."""
    embedded = _embedded_files(record)
    where = str(record)
    if MANIFEST_NAME not in embedded:
        raise BriefgenError(f"{where}: error: not a briefgen record copy (it embeds no "
                            f"{MANIFEST_NAME}); build one with `briefgen build --record`")
    manifest = _read_manifest(where, embedded.pop(MANIFEST_NAME))
    listed = {entry["name"]: entry["sha256"] for entry in manifest["files"]}
    for name, data in embedded.items():
        if not _SAFE_NAME.fullmatch(name):
            raise BriefgenError(f"{where}: error: refusing the embedded file name {name!r}: only "
                                f"<name>.yaml and {PEOPLE_FOLDER}/<name>.yaml are extracted")
        if listed.get(name) != hashlib.sha256(data).hexdigest():
            raise BriefgenError(f"{where}: error: the embedded file {name} does not match the "
                                "record's manifest; the record was altered, nothing was written")
    if set(listed) != set(embedded):
        raise BriefgenError(f"{where}: error: the manifest lists {sorted(set(listed) ^ set(embedded))} "
                            "but the record does not hold exactly those; nothing was written")
    targets = _targets(to_dir, list(embedded))
    for name, path in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as handle:         # never follows or replaces what is there
            handle.write(embedded[name])
    return Extracted(list(targets.values()), manifest)


def _targets(to_dir: Path, names: list[str]) -> dict[str, Path]:
    """Where each name goes under `to_dir`: refused, before anything is written, when a
    target exists or a folder on the way is a link that leads elsewhere."""
    root = to_dir.resolve()
    targets = {name: root / name for name in names}
    existing = [str(path) for path in targets.values() if path.exists() or path.is_symlink()]
    if existing:
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        raise BriefgenError(f"{existing[0]}{more} already exist{'s' * (not more)}; nothing was "
                            "written (extract into a new folder with --to DIR)")
    for path in targets.values():
        if path.parent.resolve() != path.parent:
            raise BriefgenError(f"{path.parent} is a link that leads out of {root}; nothing was written")
    return targets


def _embedded_files(record: Path) -> dict[str, bytes]:
    import pikepdf

    try:
        with pikepdf.open(record) as pdf:
            found = {}
            for key, spec in pdf.attachments.items():
                if spec.filename != key:
                    raise BriefgenError(f"{record}: error: an embedded file is named both {key!r} "
                                        f"and {spec.filename!r}; refusing the record")
                found[key] = spec.get_file().read_bytes()
            return found
    except (pikepdf.PdfError, OSError) as exc:
        raise BriefgenError(f"{record}: error: cannot read it as a PDF ({exc})") from None


def _read_manifest(where: str, data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except ValueError:
        manifest = None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("sha256"), str)
            for f in files):
        raise BriefgenError(f"{where}: error: its {MANIFEST_NAME} is not a briefgen manifest")
    checked: dict[str, Any] = manifest
    return checked
