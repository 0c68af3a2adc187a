"""The record copy (`briefgen build --record`) and `briefgen extract`: a PDF/A-3b that
carries its sources, checked by page-validation, reproducible, and read back byte for byte;
a record from elsewhere cannot write outside the folder it is extracted into."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pikepdf
import pytest
from accessibility.checkers import assert_page_conforms, assert_pdfua_finds_nothing
from conftest import REPO, SAMPLE_ID, copy_sample, git, run_cli

RECORD = f"{SAMPLE_ID}.record.pdf"
PEOPLE = ["biden", "blinken", "campbell", "kishida", "sullivan", "yoon"]


@pytest.fixture(scope="module")
def record_build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("record")
    copy_sample(root / "content")
    result = run_cli("build", "--root", root, "--record")
    assert result.code == 0, result.err
    assert f"output/{RECORD}" in result.out
    return root


def test_record_is_pdf_a_3b_and_pdf_ua_1_with_its_sources_as_associated_files(record_build: Path):
    record = record_build / "output" / RECORD
    assert_page_conforms(record, "3b")
    assert_page_conforms(record, "ua1")
    assert_pdfua_finds_nothing(record)
    with pikepdf.open(record) as pdf:
        with pdf.open_metadata() as xmp:
            assert (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) == ("3", "B")
            assert xmp.get("pdfuaid:part") == "1"
        names = sorted(pdf.attachments)
        assert names == sorted([f"{SAMPLE_ID}.yaml", "briefgen-record.json",
                                *(f"people/{p}.yaml" for p in PEOPLE)])
        relationships = {str(spec.F): str(spec.AFRelationship) for spec in pdf.Root.AF}
        assert relationships[f"{SAMPLE_ID}.yaml"] == "/Source"
        assert relationships["briefgen-record.json"] == "/Supplement"
        assert pdf.Root.MarkInfo.Marked is True, "the record is tagged too"


def test_manifest_says_what_made_the_record(record_build: Path):
    with pikepdf.open(record_build / "output" / RECORD) as pdf:
        manifest = json.loads(pdf.attachments["briefgen-record.json"].get_file().read_bytes())
    brief = (REPO / "content" / f"{SAMPLE_ID}.yaml").read_bytes()
    assert manifest["briefgen"] == "0.1.0"
    assert manifest["brief"] == SAMPLE_ID
    assert manifest["files"][0] == {"name": f"{SAMPLE_ID}.yaml", "bytes": len(brief),
                                    "sha256": hashlib.sha256(brief).hexdigest()}
    assert len(manifest["input_fingerprint"]) == 64
    # A temporary folder is outside git: no commit, and the date is the brief's as-of date.
    assert (manifest["git_commit"], manifest["build_date"], manifest["build_date_from"]) == \
        (None, "2023-08-18T00:00:00Z", "as_of")


def test_record_and_pdf_are_byte_reproducible(record_build: Path, tmp_path: Path):
    again = run_cli("build", "--root", record_build, "--record", "--force", "--output", tmp_path)
    assert again.code == 0, again.err
    for name in (RECORD, f"{SAMPLE_ID}.pdf"):
        assert (tmp_path / name).read_bytes() == (record_build / "output" / name).read_bytes(), name


def test_source_date_epoch_sets_the_record_date(record_build: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run_cli("build", "--root", record_build, "--record", "--output", tmp_path).code == 0
    with pikepdf.open(tmp_path / RECORD) as pdf:
        manifest = json.loads(pdf.attachments["briefgen-record.json"].get_file().read_bytes())
    assert (manifest["build_date"], manifest["build_date_from"]) == ("2023-11-14T22:13:20Z",
                                                                     "SOURCE_DATE_EPOCH")


def test_extract_gives_the_yaml_back_byte_for_byte(record_build: Path, tmp_path: Path):
    result = run_cli("extract", record_build / "output" / RECORD, "--to", tmp_path / "back")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1].startswith(f"extracted 7 files from {record_build / 'output' / RECORD}")
    back = tmp_path / "back"
    assert (back / f"{SAMPLE_ID}.yaml").read_bytes() == (REPO / "content" / f"{SAMPLE_ID}.yaml").read_bytes()
    for person in PEOPLE:
        assert (back / "people" / f"{person}.yaml").read_bytes() == \
            (REPO / "content" / "people" / f"{person}.yaml").read_bytes()
    # The extracted folder is a content folder again: it builds the same PDF.
    (tmp_path / "again").mkdir()
    back.rename(tmp_path / "again" / "content")
    assert run_cli("build", "--root", tmp_path / "again").code == 0
    assert (tmp_path / "again" / "output" / f"{SAMPLE_ID}.pdf").read_bytes() == \
        (record_build / "output" / f"{SAMPLE_ID}.pdf").read_bytes()


def test_extract_never_overwrites(record_build: Path, tmp_path: Path):
    (tmp_path / f"{SAMPLE_ID}.yaml").write_text("mine")
    result = run_cli("extract", record_build / "output" / RECORD, "--to", tmp_path)
    assert result.code == 1
    assert "already exist" in result.err
    assert "nothing was written" in result.err
    assert (tmp_path / f"{SAMPLE_ID}.yaml").read_text() == "mine"
    assert not (tmp_path / "people").exists()


@pytest.mark.parametrize("name", ["../evil.yaml", "/tmp/evil.yaml", "people/../../evil.yaml",
                                  "a/b/evil.yaml", "..\\evil.yaml", ".hidden.yaml", "evil.sh"])
def test_extract_refuses_an_embedded_name_that_is_not_a_plain_file(record_build: Path, tmp_path: Path,
                                                                     name: str):
    hostile = tmp_path / "hostile.record.pdf"
    with pikepdf.open(record_build / "output" / RECORD) as pdf:
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, b"owned: true\n", filename=name)
        pdf.save(hostile)
    result = run_cli("extract", hostile, "--to", tmp_path / "out")
    assert result.code == 1
    assert f"refusing the embedded file name {name!r}" in result.err
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil.yaml").exists()


def test_extract_refuses_a_file_that_does_not_match_the_manifest(record_build: Path, tmp_path: Path):
    altered = tmp_path / "altered.record.pdf"
    with pikepdf.open(record_build / "output" / RECORD) as pdf:
        name = f"{SAMPLE_ID}.yaml"
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, b"title: forged\n", filename=name)
        pdf.save(altered)
    result = run_cli("extract", altered, "--to", tmp_path / "out")
    assert result.code == 1
    assert "does not match the record's manifest" in result.err
    assert not (tmp_path / "out").exists()


def test_extract_of_an_ordinary_pdf_says_it_is_not_a_record(record_build: Path, tmp_path: Path):
    result = run_cli("extract", record_build / "output" / f"{SAMPLE_ID}.pdf", "--to", tmp_path / "out")
    assert result.code == 1
    assert "not a briefgen record copy" in result.err
    assert "Traceback" not in result.err


def test_a_build_without_record_does_not_rebuild_for_it_and_with_record_does(record_build: Path):
    assert run_cli("build", "--root", record_build).out.splitlines()[-1].startswith("0 built, 1 unchanged")
    (record_build / "output" / RECORD).unlink()
    again = run_cli("build", "--root", record_build, "--record")
    assert again.out.splitlines()[-1].startswith("1 built")
    assert (record_build / "output" / RECORD).exists()


def manifest_of(record: Path) -> dict:
    with pikepdf.open(record) as pdf:
        return json.loads(pdf.attachments["briefgen-record.json"].get_file().read_bytes())


@pytest.mark.slow   # a git history, built at a commit and again after edits
def test_the_manifest_names_the_inputs_modified_since_the_commit_it_names(tmp_path: Path):
    """A record built from a checkout with uncommitted edits does not pass for the commit."""
    copy_sample(tmp_path / "content")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "the sample")
    head = git(tmp_path, "rev-parse", "HEAD").strip()
    record = tmp_path / "output" / RECORD

    assert run_cli("build", "--root", tmp_path, "--record").code == 0
    clean = manifest_of(record)
    assert (clean["git_commit"], clean["git_dirty"], clean["modified_since_commit"]) == (head, False, [])

    brief, person = tmp_path / "content" / f"{SAMPLE_ID}.yaml", tmp_path / "content" / "people" / "yoon.yaml"
    brief.write_text(brief.read_text().replace("Camp David", "Camp  David", 1))
    person.write_text(person.read_text() + "\n")
    (tmp_path / "content" / "untracked-note.txt").write_text("not an input of the brief")
    assert run_cli("build", "--root", tmp_path, "--record").code == 0
    dirty = manifest_of(record)
    assert (dirty["git_commit"], dirty["git_dirty"], dirty["modified_since_commit"]) == \
        (head, True, [f"{SAMPLE_ID}.yaml", "people/yoon.yaml"])

    extracted = run_cli("extract", record, "--to", tmp_path / "back")
    assert extracted.code == 0, extracted.err
    assert extracted.out.splitlines()[-1].endswith(
        f"commit {head}, modified since that commit: {SAMPLE_ID}.yaml, people/yoon.yaml)")


def test_outside_git_the_manifest_has_no_dirty_flag_to_give(record_build: Path):
    manifest = manifest_of(record_build / "output" / RECORD)
    assert (manifest["git_commit"], manifest["git_dirty"], manifest["modified_since_commit"]) == (None, None, None)
