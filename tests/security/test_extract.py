"""Attack class: `extract` trusts its PDF library.

A small record inflated to gigabytes before any check; deep nesting, an encrypted file or a
NUL in a name gave a traceback; a failure half-way left half the files written; the default
folder was followed when it was a link; manifest fields reached the terminal and the CI log
raw. Extraction is now one bounded transaction: declared and decoded sizes capped, one
boundary that turns any error into a refusal, files staged in a private temporary folder and
moved into place only when complete, printed fields sanitised. Through the CLI, on records
that a real `briefgen build --record` made and pikepdf then altered.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pikepdf
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import REPO, make_project

MANIFEST = "briefgen-record.json"


def cli(cwd: Path, *args: str | Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefgen", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd),
                                                       "PYTHONPATH": str(REPO), **(env or {})})


@pytest.fixture(scope="module")
def record(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("record")
    make_project(root)
    result = cli(root, "build", "--record")
    assert result.returncode == 0, result.stderr
    return root / "output" / "mini.record.pdf"


def _altered(record: Path, to: Path, change) -> Path:
    with pikepdf.open(record) as pdf:
        manifest = json.loads(pdf.attachments[MANIFEST].get_file().read_bytes())
        change(pdf, manifest)
        if manifest is not None:
            pdf.attachments[MANIFEST] = pikepdf.AttachedFileSpec(
                pdf, json.dumps(manifest).encode(), filename=MANIFEST)
        pdf.save(to, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)   # as written
    return to


def _replace(pdf, manifest, name: str, data: bytes) -> None:
    pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, data, filename=name)
    pdf.attachments[name].obj["/EF"]["/F"].write(zlib.compress(data, 9), filter=pikepdf.Name.FlateDecode)
    for entry in manifest["files"]:
        if entry["name"] == name:
            entry["sha256"], entry["bytes"] = hashlib.sha256(data).hexdigest(), len(data)


def _refused(result: subprocess.CompletedProcess, out: Path) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "nothing was written" in result.stderr, result.stderr
    assert not out.exists() or not any(p for p in out.rglob("*") if p.is_file()), list(out.rglob("*"))


@pytest.mark.parametrize("declared", ["honestly", "as 100 bytes"])
def test_a_record_that_inflates_far_past_the_cap_is_refused(record: Path, tmp_path: Path, declared: str):
    bomb = b"# " + b"x" * (64 * 1024 * 1024)          # 64 MiB that compress to ~64 KiB

    def inflate(pdf, manifest):
        _replace(pdf, manifest, "mini.yaml", bomb)
        if declared != "honestly":          # only the decoding can tell
            pdf.attachments["mini.yaml"].obj["/EF"]["/F"]["/Params"]["/Size"] = 100
    hostile = _altered(record, tmp_path / "bomb.record.pdf", inflate)
    assert hostile.stat().st_size < 2 * 1024 * 1024
    _refused(cli(tmp_path, "extract", hostile, "--to", tmp_path / "out"), tmp_path / "out")


def test_a_declared_size_over_the_cap_is_refused_before_reading(record: Path, tmp_path: Path):
    def declare(pdf, manifest):
        pdf.attachments["mini.yaml"].obj["/EF"]["/F"]["/Params"]["/Size"] = 10 ** 10
    hostile = _altered(record, tmp_path / "declared.record.pdf", declare)
    result = cli(tmp_path, "extract", hostile, "--to", tmp_path / "out")
    _refused(result, tmp_path / "out")
    assert "is over 262,144 bytes" in result.stderr


def test_a_stream_with_a_foreign_filter_is_refused(record: Path, tmp_path: Path):
    def chain(pdf, manifest):
        data = pdf.attachments["mini.yaml"].get_file().read_bytes()
        stream = pdf.attachments["mini.yaml"].obj["/EF"]["/F"]
        stream.write(zlib.compress(zlib.compress(data)), filter=[pikepdf.Name.FlateDecode, pikepdf.Name.FlateDecode])
    hostile = _altered(record, tmp_path / "chain.record.pdf", chain)
    _refused(cli(tmp_path, "extract", hostile, "--to", tmp_path / "out"), tmp_path / "out")


def test_a_deeply_nested_manifest_is_a_refusal(record: Path, tmp_path: Path):
    def nest(pdf, manifest):
        pdf.attachments[MANIFEST] = pikepdf.AttachedFileSpec(pdf, b"[" * 200_000, filename=MANIFEST)
    hostile = _altered(record, tmp_path / "deep.record.pdf", lambda pdf, m: None)
    with pikepdf.open(hostile, allow_overwriting_input=True) as pdf:
        nest(pdf, None)
        pdf.save(hostile)
    _refused(cli(tmp_path, "extract", hostile, "--to", tmp_path / "out"), tmp_path / "out")


@pytest.mark.parametrize("user", ["secret", ""])
def test_an_encrypted_record_is_a_refusal(record: Path, tmp_path: Path, user: str):
    hostile = tmp_path / "locked.record.pdf"
    with pikepdf.open(record) as pdf:
        pdf.save(hostile, encryption=pikepdf.Encryption(owner="owner", user=user))
    result = cli(tmp_path, "extract", hostile, "--to", tmp_path / "out")
    _refused(result, tmp_path / "out")
    assert "encrypted" in result.stderr


def test_a_nul_in_a_name_is_a_refusal(record: Path, tmp_path: Path):
    hostile = _altered(record, tmp_path / "nul.record.pdf",
                       lambda pdf, m: _replace(pdf, m, "people/al\x00ice.yaml", b"name: x\n"))
    _refused(cli(tmp_path, "extract", hostile, "--to", tmp_path / "out"), tmp_path / "out")


def test_a_failure_half_way_leaves_nothing_written(record: Path, tmp_path: Path):
    """`people` is a file where the person files go: the brief must not be left alone."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "people").write_text("a file, not a folder")
    result = cli(tmp_path, "extract", record, "--to", out)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["people"], list(out.iterdir())


def test_files_appear_only_when_complete(record: Path, tmp_path: Path):
    """A good extraction into a new folder and into an existing one: no staging left over."""
    assert cli(tmp_path, "extract", record, "--to", tmp_path / "new").returncode == 0
    (tmp_path / "existing").mkdir()
    assert cli(tmp_path, "extract", record, "--to", tmp_path / "existing").returncode == 0
    for folder in (tmp_path / "new", tmp_path / "existing"):
        assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == \
            ["mini.yaml", "people", "people/alice.yaml"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".briefgen-extract-")]


def test_the_default_folder_is_not_followed_when_it_is_a_link(record: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "mini-record").symlink_to(elsewhere)
    result = cli(tmp_path, "extract", record)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "symbolic link" in result.stderr
    assert not list(elsewhere.iterdir())


@pytest.mark.parametrize("ci", [True, False])
def test_manifest_fields_never_reach_the_terminal_or_ci_log_raw(record: Path, tmp_path: Path, ci: bool):
    def poison(pdf, manifest):
        manifest["briefgen"] = "1.0\n::add-mask::hidden"
        manifest["build_date"] = "\x1b]0;owned\x07\x1b[2J"
        manifest["git_commit"] = "abc\n::warning file=README.md::injected"
        manifest["modified_since_commit"] = ["mini.yaml"]
    hostile = _altered(record, tmp_path / "poison.record.pdf", poison)
    result = cli(tmp_path, "extract", hostile, "--to", tmp_path / "out",
                 env={"GITHUB_ACTIONS": "true"} if ci else {})
    assert result.returncode == 0, result.stderr
    for line in (result.stdout + result.stderr).splitlines():
        assert not line.lstrip().startswith("::"), line
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "add-mask" not in result.stdout
    assert "injected" not in result.stdout
