"""A project's content at a git revision, beside its working tree.

Git is how a project is stored, not content, so this lives with the build. Only git's
plumbing is used (`rev-parse`, `merge-base`, `ls-tree`, `cat-file --batch`): the files of a
revision are read as blobs and written into a temporary project folder, where the
normal pipeline validates them. Only regular files are written there (no symbolic
links, no submodules), under the folder, so a revision cannot make us read or write
anywhere else.

A file whose blob id is the same at both sides is the same file: comparing blob ids
(the working tree's are hashed here, as git would) tells which briefs changed without
reading or validating the others. A blob is read only within its cap, its size asked of
git first (`cat-file --batch-check`), one blob at a time; one over its cap is `Oversized`.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefgen.errors import UsageError
from briefgen.project import Project

REGULAR_FILE_MODES = ("100644", "100755")


class RevisionError(UsageError):
    """A revision that cannot be read: not a git repository, unknown, or missing from a shallow clone."""


@dataclass(frozen=True)
class Revision:
    """A commit of the repository holding a project, and how the user named it."""

    name: str
    commit: str

    @property
    def short(self) -> str:
        return self.commit[:10]


@dataclass(frozen=True)
class Repository:
    """The git repository around a project, and where the project sits inside it."""

    top: Path
    prefix: PurePosixPath        # the project's folder, relative to the repository's top

    def git(self, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
        completed = subprocess.run(["git", "-C", str(self.top), *args], input=stdin,
                                   capture_output=True, check=False)
        if check and completed.returncode != 0:
            raise RevisionError(f"git {' '.join(args)} failed: "
                                f"{completed.stderr.decode(errors='replace').strip()}")
        return completed.stdout

    def ok(self, *args: str) -> bool:
        return subprocess.run(["git", "-C", str(self.top), *args], capture_output=True,
                              check=False).returncode == 0

    @property
    def shallow(self) -> bool:
        return self.git("rev-parse", "--is-shallow-repository").strip() == b"true"

    def path_of(self, project_relative: str) -> str:
        """A project-relative path as git names it (relative to the repository's top)."""
        return str(self.prefix / project_relative) if str(self.prefix) != "." else project_relative


def repository_of(project: Project) -> Repository:
    """The repository holding the project, or a RevisionError saying there is none."""
    try:
        completed = subprocess.run(["git", "-C", str(project.root), "rev-parse", "--show-toplevel"],
                                   capture_output=True, check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed; `briefgen diff` reads earlier versions "
                            "from git") from None
    if completed.returncode != 0:
        raise RevisionError(f"{project.root} is not in a git repository; `briefgen diff` compares "
                            "the briefs with an earlier commit")
    top = Path(completed.stdout.decode().strip()).resolve()
    return Repository(top, PurePosixPath(project.root.resolve().relative_to(top).as_posix()))


def history_digest(commits: Iterable[str]) -> str:
    """A digest of the commits that touched a file, as `git log -- FILE` lists them (newest
    first); "" for none. What git says of a brief beyond its text (its clearance trailers,
    the commits its entries are pinned to) is fixed by these commits, so a build's
    fingerprint holds this digest and the next build compares it (FileHistories)."""
    listed = list(commits)
    return hashlib.sha256("\n".join(listed).encode()).hexdigest() if listed else ""


class FileHistories:
    """history_digest of each file of a project, one `git log` per file, the repository
    found once per run ("" for every file outside git)."""

    def __init__(self, project: Project):
        self.project = project
        self._repo: Repository | bool | None = False     # False: not looked for yet

    def digest(self, path: Path) -> str:
        if self._repo is False:
            try:
                self._repo = repository_of(self.project)
            except RevisionError:
                self._repo = None
        if not isinstance(self._repo, Repository):
            return ""
        try:
            relative = path.resolve().relative_to(self.project.root.resolve()).as_posix()
            log = self._repo.git("log", "--format=%H", "--", self._repo.path_of(relative))
        except (RevisionError, ValueError):
            return ""
        return history_digest(log.decode().split())


def resolve(repo: Repository, name: str) -> Revision:
    """The commit a revision name means; a clear RevisionError when there is none."""
    commit = repo.git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}",
                      check=False).decode().strip()
    if commit:
        return Revision(name, commit)
    if repo.shallow:
        raise RevisionError(f"revision '{name}' is not in this clone, which is shallow; fetch the "
                            "history (`git fetch --unshallow`, or `fetch-depth: 0` in "
                            "actions/checkout) and run again")
    raise RevisionError(f"revision '{name}' not found: name a commit, branch or tag "
                        "(e.g. HEAD, main, HEAD~1)")


def default_base(repo: Repository) -> Revision:
    """Where this branch left main (or origin/main); HEAD when there is no main."""
    if not repo.ok("rev-parse", "--verify", "--quiet", "HEAD^{commit}"):
        raise RevisionError("this repository has no commit yet: nothing to compare with")
    for main in ("main", "origin/main", "master", "origin/master"):
        if repo.ok("rev-parse", "--verify", "--quiet", f"refs/heads/{main}")   \
                or repo.ok("rev-parse", "--verify", "--quiet", f"refs/remotes/{main}"):
            base = repo.git("merge-base", "HEAD", main, check=False).decode().strip()
            if base:
                return Revision(f"merge-base of HEAD and {main}", base)
            if repo.shallow:
                raise RevisionError(f"cannot find where this branch left {main}: the clone is "
                                    "shallow; fetch the history (`git fetch --unshallow`, or "
                                    "`fetch-depth: 0` in actions/checkout) and run again")
    return resolve(repo, "HEAD")


def blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class TreeFile:
    path: str                   # relative to the project
    blob: str


def files_at(repo: Repository, revision: Revision, folder: str) -> dict[str, TreeFile]:
    """The regular files under a project folder at a revision, by project-relative path."""
    listing = repo.git("ls-tree", "-r", "-z", "--full-tree", revision.commit, "--",
                       repo.path_of(folder))
    found = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        if kind != "blob" or mode not in REGULAR_FILE_MODES:
            continue                     # symbolic links and submodules are never followed
        relative = PurePosixPath(name.decode("utf-8", errors="surrogateescape"))
        if str(repo.prefix) != ".":
            relative = relative.relative_to(repo.prefix)
        if ".." in relative.parts:
            continue
        found[str(relative)] = TreeFile(str(relative), blob)
    return found


@dataclass(frozen=True)
class Oversized:
    """A file over its cap, known by its size only: never read. Written into a temporary
    project as a sparse file of that size, so the loader refuses it as it would the file."""

    size: int


def blob_sizes(repo: Repository, blobs: list[str]) -> dict[str, int]:
    """Each blob's size, from `git cat-file --batch-check` (nothing is read)."""
    unique = list(dict.fromkeys(blobs))
    if not unique:
        return {}
    out = repo.git("cat-file", "--batch-check", stdin="".join(f"{b}\n" for b in unique).encode())
    sizes = {}
    for line in out.decode().splitlines():
        blob, _, size = line.split()
        sizes[blob] = int(size)
    return sizes


def read_blobs(repo: Repository, limits: dict[str, int]) -> dict[str, bytes | Oversized]:
    """Blobs by id, each read only when its size (asked of git first) is within its limit,
    streamed from one `git cat-file --batch` one blob at a time; `Oversized` otherwise."""
    sizes = blob_sizes(repo, list(limits))
    contents: dict[str, bytes | Oversized] = {blob: Oversized(size) for blob, size in sizes.items()
                                              if size > limits[blob]}
    wanted = [blob for blob in sizes if blob not in contents]
    if not wanted:
        return contents
    process = subprocess.Popen(["git", "-C", str(repo.top), "cat-file", "--batch"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdin, stdout = process.stdin, process.stdout
    assert stdin is not None
    assert stdout is not None

    def ask() -> None:   # in a thread: git may fill its output pipe before reading every id
        try:
            stdin.write("".join(f"{blob}\n" for blob in wanted).encode())
        finally:
            stdin.close()

    asking = threading.Thread(target=ask, daemon=True)
    asking.start()
    try:
        for blob in wanted:
            header = stdout.readline().split()
            size = int(header[2])
            if size > limits[blob]:      # changed since it was measured: not read either
                raise RevisionError(f"git blob {blob} grew while it was read")
            contents[blob] = stdout.read(size)
            stdout.read(1)
    finally:
        stdout.close()
        process.wait()
        asking.join()
    return contents


def working_files(project: Project, folder: str) -> dict[str, Path]:
    """The regular files under a project folder in the working tree, by project-relative path."""
    base = project.root / folder
    if not base.is_dir():
        return {}
    return {path.relative_to(project.root).as_posix(): path for path in sorted(base.rglob("*"))
            if path.is_file() and not path.is_symlink()}


@contextlib.contextmanager
def temporary_project(files: Mapping[str, bytes | Oversized], like: Project,
                      templates: Mapping[str, bytes | Oversized] | None = None) -> Iterator[Project]:
    """A throw-away project holding `files` (project-relative paths), with the templates
    given (else `like`'s). Removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="briefgen-revision-"))
    try:
        for relative, data in files.items():
            target = folder / relative
            if folder not in target.resolve().parents:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            _write(target, data)
        templates_dir = like.templates_dir
        if templates:
            templates_dir = folder / "templates"
            for name, data in templates.items():
                (templates_dir / name).parent.mkdir(parents=True, exist_ok=True)
                _write(templates_dir / name, data)
        yield Project(folder, folder / "content", folder / "output", templates_dir)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write(target: Path, data: bytes | Oversized) -> None:
    if isinstance(data, Oversized):
        with target.open("wb") as handle:      # sparse: its size, and no bytes to read
            handle.truncate(data.size)
    else:
        target.write_bytes(data)
