"""Attack class 5: image paths that try to leave content/assets/.

One brief carries every variant at once; each is reported at its own line and column,
all in one run, and nothing is written. A plain path inside assets/ builds and draws
exactly that image.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from hostile import RED_PNG, embedded_files, image_sizes, make_project

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import run_cli

CHARACTERS = ("image paths may use only letters, digits, '.', '_', '-' and '/' (no spaces, '%' "
              "escapes, backslashes, '?' or '#')")
DOTDOT = "image paths may not use `..` to leave the assets folder"
ABSOLUTE = ("images may not use absolute paths; write a path relative to the content folder, "
            "starting with assets/")
LEAVES = "`{}` is a link that leads out of the assets/ folder"

VARIANTS = [
    ("/etc/passwd.png", ABSOLUTE),
    ("//127.0.0.1/x.png", ABSOLUTE),
    ("assets/../../../etc/x.png", DOTDOT),
    ("../content/assets/red.png", DOTDOT),
    ("assets/%2e%2e/%2e%2e/x.png", CHARACTERS),
    ("assets/..%2f..%2fx.png", CHARACTERS),
    ("assets/%252e%252e/x.png", CHARACTERS),
    ("assets/red.png?v=1", CHARACTERS),
    ("assets/red.png#top", CHARACTERS),
    ("file:/etc/passwd", "images may not come from `file:` addresses; put the file in assets/ and "
                         "write ![description](assets/name.png)"),
    ("images/red.png", "images must be inside the assets/ folder next to the brief"),
    ("assets/drawing.svg", "images must be .png, .jpg, .jpeg, .gif files; got `.svg`"),
    ("assets/missing.png", "no image file `assets/missing.png` (looked in assets/ next to the brief)"),
    ("assets/fake.png", "`assets/fake.png` is not a PNG image"),
    ("assets/escape.png", LEAVES.format("assets/escape.png")),
    ("assets/outside/red.png", LEAVES.format("assets/outside/red.png")),
]


def test_every_traversal_variant_is_refused_at_its_line(tmp_path: Path):
    project = make_project(tmp_path)
    (project.assets / "fake.png").write_text("root:x:0:0:root:/root:/bin/bash\n")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "red.png").write_bytes(RED_PNG)
    (project.assets / "escape.png").symlink_to(secret / "red.png")
    (project.assets / "outside").symlink_to(secret)
    block = "background: |\n" + "".join(f"  Image ![v{i}]({path}) here.\n" for i, (path, _) in enumerate(VARIANTS))
    first = project.replace_line("background: The background.", block.rstrip("\n")) + 1
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    for offset, (_, message) in enumerate(VARIANTS):
        column = len(f"  Image ![v{offset}](") + 1
        assert f"content/mini.yaml:{first + offset}:{column}: error: {message} (background)" in result.err
    assert not project.output(".pdf").exists()


def test_an_image_inside_assets_is_drawn(tmp_path: Path):
    project = make_project(tmp_path)
    project.replace_line("background: The background.", "background: A map ![map](assets/red.png).")
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 0, result.err
    assert image_sizes(project.output(".pdf")) == [(4, 2)]
    assert embedded_files(project.output(".pdf")) == []
    # The HTML carries the image itself, so it stays self-contained (no relative path).
    html = project.output(".html").read_text()
    assert '<img alt="map" src="data:image/png;base64,' in html
    assert "assets/red.png" not in html


def test_an_image_in_a_person_bio_is_judged_against_the_brief_folder(tmp_path: Path):
    project = make_project(tmp_path)
    line = project.replace_line("bio: A short bio.", "bio: Photo ![me](assets/../people/alice.yaml)",
                                project.person)
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    assert f"content/people/alice.yaml:{line}:18: error: {DOTDOT} (bio)" in result.err
