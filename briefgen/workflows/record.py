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
are accepted, each file must match the manifest's SHA-256, and nothing is overwritten; the
extraction is one bounded transaction (see "extract" below).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from briefgen import __version__
from briefgen.content.loader import MAX_FILE_BYTES
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
#
# A record is a PDF from anywhere, and pikepdf (qpdf) will inflate, parse and recurse into
# whatever it holds. Extraction is one bounded transaction: the record file, the number of
# embedded files, each one's declared and decoded size are capped before or while it is
# read (only uncompressed or Flate streams, inflated at most to the cap); any error at all
# is one refusal (`RecordRefused`, nothing written); the files are written into a private
# temporary folder and moved into place only when every one is complete and checked.

MAX_RECORD_BYTES = 64 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_EMBEDDED_FILES = 256


class RecordRefused(BriefgenError):
    """A record that is not extracted, for the reason given; nothing was written."""

    def __init__(self, message: str) -> None:
        done = "nothing was written"
        super().__init__(message if done in message else f"{message}; {done}")


@dataclass(frozen=True)
class Extracted:
    files: list[Path]
    manifest: dict[str, Any]


def extract_record(record: Path, to_dir: Path) -> Extracted:
    """Write the brief and person files embedded in `record` under `to_dir`, byte for byte.

    Refuses (writing nothing) a file that is not a briefgen record, an embedded name that
    is not a plain `<name>.yaml` or `people/<name>.yaml`, a file whose bytes do not match
    the manifest or are over the caps, an encrypted record, a target that already exists or
    a target folder that is a link; and any other failure, whatever the PDF holds."""
    where = str(record)
    try:
        embedded, manifest = _checked_contents(record, where)
        return Extracted(_write_all(to_dir, embedded), manifest)
    except BriefgenError:
        raise
    except Exception as exc:   # qpdf, recursion, a name the file system refuses...: a refusal
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise RecordRefused(f"{where}: error: cannot extract this record safely ({reason}); nothing "
                            "was written") from None


def _checked_contents(record: Path, where: str) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The embedded files by name and the manifest, every check passed."""
    embedded = _embedded_files(record)
    if MANIFEST_NAME not in embedded:
        raise RecordRefused(f"{where}: error: not a briefgen record copy (it embeds no "
                            f"{MANIFEST_NAME}); build one with `briefgen build --record`")
    manifest = _read_manifest(where, embedded.pop(MANIFEST_NAME))
    listed = {entry["name"]: entry["sha256"] for entry in manifest["files"]}
    for name, data in embedded.items():
        if not _SAFE_NAME.fullmatch(name):
            raise RecordRefused(f"{where}: error: refusing the embedded file name {name!r}: only "
                                f"<name>.yaml and {PEOPLE_FOLDER}/<name>.yaml are extracted")
        if listed.get(name) != hashlib.sha256(data).hexdigest():
            raise RecordRefused(f"{where}: error: the embedded file {name} does not match the "
                                "record's manifest; the record was altered, nothing was written")
    if set(listed) != set(embedded):
        raise RecordRefused(f"{where}: error: the manifest lists {sorted(set(listed) ^ set(embedded))!r} "
                            "but the record does not hold exactly those; nothing was written")
    return embedded, manifest


def _write_all(to_dir: Path, embedded: dict[str, bytes]) -> list[Path]:
    """Write every file into a private temporary folder beside its place, then move them in:
    the whole folder when `to_dir` is new, else file by file without replacing anything
    (and taking back what was moved if one cannot be)."""
    if to_dir.is_symlink():
        raise RecordRefused(f"{to_dir} is a symbolic link; nothing was written (extract into a real "
                            "folder with --to DIR)")
    root = to_dir.absolute()
    targets = _targets(root, list(embedded))
    parent = root if root.is_dir() else root.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".briefgen-extract-", dir=parent))   # mode 0700
    try:
        for name, data in embedded.items():
            path = staging / name
            path.parent.mkdir(mode=0o700, exist_ok=True)
            with open(path, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if not root.exists():
            staging.rename(root)              # one step: the folder appears complete
            return list(targets.values())
        _move_each(staging, root, list(embedded))
        return list(targets.values())
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _move_each(staging: Path, root: Path, names: list[str]) -> None:
    """Hard-link each staged file to its place (which fails if anything is there, a link
    included); on any failure, remove the ones already placed."""
    placed: list[Path] = []
    made_people = False
    try:
        for name in names:
            target = root / name
            if not target.parent.exists():
                target.parent.mkdir()
                made_people = True
            os.link(staging / name, target, follow_symlinks=False)
            placed.append(target)
    except OSError as exc:
        for path in placed:
            path.unlink(missing_ok=True)
        if made_people:
            shutil.rmtree(root / PEOPLE_FOLDER, ignore_errors=True)
        raise RecordRefused(f"{root}: error: cannot write the extracted files ({exc.strerror or exc}); "
                            "nothing was written") from None


def _targets(root: Path, names: list[str]) -> dict[str, Path]:
    """Where each name goes under `root`: refused, before anything is written, when a
    target exists or a folder on the way is a link or not a folder."""
    targets = {name: root / name for name in names}
    existing = [str(path) for path in targets.values() if path.exists() or path.is_symlink()]
    if existing:
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        raise RecordRefused(f"{existing[0]}{more} already exist{'s' * (not more)}; nothing was "
                            "written (extract into a new folder with --to DIR)")
    for path in targets.values():
        folder = path.parent
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise RecordRefused(f"{folder} is a link or not a folder; nothing was written")
    return targets


def _embedded_files(record: Path) -> dict[str, bytes]:
    import pikepdf

    size = record.stat().st_size
    if size > MAX_RECORD_BYTES:
        raise RecordRefused(f"{record}: error: the file is {size:,} bytes; a record copy is at most "
                            f"{MAX_RECORD_BYTES:,}")
    try:
        pdf = pikepdf.open(record)
    except pikepdf.PasswordError:
        raise RecordRefused(f"{record}: error: the file is encrypted; a record copy never is") from None
    except (pikepdf.PdfError, OSError) as exc:
        raise RecordRefused(f"{record}: error: cannot read it as a PDF ({exc})") from None
    with pdf:
        if pdf.is_encrypted:
            raise RecordRefused(f"{record}: error: the file is encrypted; a record copy never is")
        attachments = pdf.attachments
        if len(attachments) > MAX_EMBEDDED_FILES:
            raise RecordRefused(f"{record}: error: it embeds {len(attachments)} files; a record copy "
                                f"embeds at most {MAX_EMBEDDED_FILES}")
        found = {}
        for key, spec in attachments.items():
            if spec.filename != key:
                raise RecordRefused(f"{record}: error: an embedded file is named both {key!r} "
                                    f"and {spec.filename!r}; refusing the record")
            limit = MAX_MANIFEST_BYTES if key == MANIFEST_NAME else MAX_FILE_BYTES
            found[key] = _capped_bytes(record, key, spec.get_file(), limit)
        return found


def _capped_bytes(record: Path, name: str, attached: Any, limit: int) -> bytes:
    """An embedded file's bytes, never more than `limit`: its declared size checked first,
    then at most `limit` bytes decoded (no filter, or one Flate filter without parameters)."""
    import pikepdf

    too_big = RecordRefused(f"{record}: error: the embedded file {name!r} is over {limit:,} bytes; "
                            "nothing was written")
    if attached.size > limit:
        raise too_big
    stream = attached.obj
    written = stream.get("/Filter")
    filters = [] if written is None else list(written) if isinstance(written, pikepdf.Array) else [written]
    raw = stream.read_raw_bytes()
    if not filters:
        data = raw
    elif [str(f) for f in filters] == ["/FlateDecode"] and stream.get("/DecodeParms") is None:
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, limit + 1)
        if inflater.unconsumed_tail:
            raise too_big
    else:
        raise RecordRefused(f"{record}: error: the embedded file {name!r} is encoded with "
                            f"{[str(f) for f in filters]}; a record copy uses at most Flate")
    if len(data) > limit:
        raise too_big
    return bytes(data)


def _read_manifest(where: str, data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        manifest = None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("sha256"), str)
            for f in files):
        raise RecordRefused(f"{where}: error: its {MANIFEST_NAME} is not a briefgen manifest")
    checked: dict[str, Any] = manifest
    return checked


# What `extract` prints of a manifest, and the form each must have to be printed at all: a
# manifest is content from anywhere (escape codes, CI workflow commands).
_PRINTED_FIELDS = {"briefgen": re.compile(r"[0-9A-Za-z.+-]{1,40}"),
                   "build_date": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"),
                   "git_commit": re.compile(r"[0-9a-f]{7,64}")}


def printed_field(manifest: dict[str, Any], key: str) -> str | None:
    """A manifest field as `extract` may print it: only in its expected form, else None."""
    value = manifest.get(key)
    pattern = _PRINTED_FIELDS[key]
    return value if isinstance(value, str) and pattern.fullmatch(value) else None
