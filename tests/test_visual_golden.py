"""A visual golden: page 1 of the sample, rendered to an image, against a committed one.

The comparison allows for anti-aliasing and small rendering differences, not for a moved
block or a changed size. After a deliberate change to the page, refresh it (with the
golden HTML) by `BRIEFGEN_UPDATE_GOLDEN=1 make test`, and look at the new image."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REPO, SAMPLE_ID
from PIL import Image, ImageChops

GOLDEN = REPO / "tests" / "golden" / f"{SAMPLE_ID}-page1.png"
ARTIFACTS = REPO / "test-artifacts"
SCALE = 0.75                     # 54 dpi: enough to see every block and line, small to commit
MEAN_TOLERANCE = 1.5             # mean absolute difference per pixel, of 255
CHANGED_PIXELS = 0.005           # share of pixels that may differ by more than a quarter


def render_page_one(pdf: Path) -> Image.Image:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=SCALE, grayscale=True).to_pil().convert("L")
    finally:
        document.close()


def test_page_one_looks_like_the_golden_image(sample_build: Path):
    image = render_page_one(sample_build / f"{SAMPLE_ID}.pdf")
    if os.environ.get("BRIEFGEN_UPDATE_GOLDEN"):
        image.save(GOLDEN, optimize=True)
    golden = Image.open(GOLDEN).convert("L")
    assert image.size == golden.size, f"page size changed: {image.size} vs {golden.size}"
    difference = ImageChops.difference(image, golden)
    histogram = difference.histogram()
    pixels = image.size[0] * image.size[1]
    mean = sum(value * count for value, count in enumerate(histogram)) / pixels
    changed = sum(histogram[64:]) / pixels
    if mean > MEAN_TOLERANCE or changed > CHANGED_PIXELS:
        ARTIFACTS.mkdir(exist_ok=True)
        image.save(ARTIFACTS / f"{SAMPLE_ID}-page1.actual.png")
        difference.point(lambda v: 255 - min(255, v * 4)).save(ARTIFACTS / f"{SAMPLE_ID}-page1.diff.png")
    differs = (f"page 1 differs from {GOLDEN.name}: mean {mean:.2f}, {changed:.2%} of pixels changed; "
               f"see {ARTIFACTS}/ (refresh with BRIEFGEN_UPDATE_GOLDEN=1 after a deliberate change)")
    assert mean <= MEAN_TOLERANCE, differs
    assert changed <= CHANGED_PIXELS, differs
