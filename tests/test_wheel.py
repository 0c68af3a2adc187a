"""An installed briefgen, not an editable checkout, builds the sample brief.

The wheel is built from the files git tracks (a clean checkout), installed into a fresh
virtual environment outside the repository, and run from a folder that has only content:
its templates must come from the package itself.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID
from pypdf import PdfReader


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    checkout = tmp_path_factory.mktemp("checkout")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
    for name in filter(None, tracked.stdout.decode().split("\0")):
        source, target = REPO / name, checkout / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(dist), str(checkout)], check=True, capture_output=True)
    (found,) = dist.glob("briefgen-*.whl")
    return found


def test_the_wheel_carries_the_templates(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ("one-pager.html.j2", "one-pager.css", "preview/index.html.j2", "preview/overlay.js"):
        assert f"briefgen/templates/{template}" in names
    assert "briefgen/workflows/brief.py" in names
    assert "briefgen/cli/main.py" in names


def test_an_installed_briefgen_builds_the_sample_outside_the_repository(wheel: Path, tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True)
    # The dependencies come from this test run's environment; briefgen itself only from the wheel.
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    project = tmp_path / "briefs"
    for source in [REPO / "content" / f"{SAMPLE_ID}.yaml", *(REPO / "content" / "people").glob("*.yaml")]:
        target = project / source.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    where = subprocess.run([str(python), "-c", "import briefgen; print(briefgen.__file__)"], cwd=project,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), where
    run = subprocess.run([str(venv / "bin" / "briefgen"), "build"], cwd=project, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    pdf = project / "output" / f"{SAMPLE_ID}.pdf"
    assert "Camp David" in PdfReader(pdf).pages[0].extract_text()
