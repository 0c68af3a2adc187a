"""A picture of a change: page 1 before and after, side by side, changed regions outlined.

Each side's PDF page 1 is rasterised with PDFium (pypdfium2); the two images are
compared pixel by pixel, the changed pixels are gathered into cells, neighbouring
cells into regions, and each region's bounding box is outlined in red on both pages.
"""

from __future__ import annotations

import io
from collections import deque
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw

DPI = 100
CELL = 8                  # pixels per cell when grouping changed pixels into regions
REACH = 2                 # cells: changes this close together are one region
THRESHOLD = 40            # a grey-level difference below this is anti-aliasing, not a change
OUTLINE = (220, 30, 30)
PAGE_COLOURS = 127        # palette entries for the pages; one more for the outline
GAP = 24
LABEL_HEIGHT = 28


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    def grown(self, by: int) -> Box:
        return Box(self.left - by, self.top - by, self.right + by, self.bottom + by)

    def touches(self, other: Box) -> bool:
        return not (self.right < other.left or other.right < self.left
                    or self.bottom < other.top or other.bottom < self.top)

    def union(self, other: Box) -> Box:
        return Box(min(self.left, other.left), min(self.top, other.top),
                   max(self.right, other.right), max(self.bottom, other.bottom))


def first_page(pdf: bytes, dpi: int = DPI) -> Image.Image:
    """Page 1 of a PDF as an RGB image."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        image: Image.Image = page.render(scale=dpi / 72).to_pil().convert("RGB")
        page.close()
        return image
    finally:
        document.close()


def changed_regions(before: Image.Image, after: Image.Image) -> list[Box]:
    """Bounding boxes (in pixels) of the regions that differ between two pages."""
    width, height = max(before.width, after.width), max(before.height, after.height)
    a, b = _on_canvas(before, width, height).convert("L"), _on_canvas(after, width, height).convert("L")
    mask = ImageChops.difference(a, b).point(lambda value: 255 if value >= THRESHOLD else 0)
    columns, rows = -(-width // CELL), -(-height // CELL)
    cells = mask.resize((columns, rows), Image.Resampling.BOX).tobytes()    # one byte a cell
    changed = {(index % columns, index // columns) for index, value in enumerate(cells) if value}
    boxes = [Box(min(x for x, _ in group) * CELL, min(y for _, y in group) * CELL,
                 (max(x for x, _ in group) + 1) * CELL, (max(y for _, y in group) + 1) * CELL)
             for group in _groups(changed)]
    return _merged([box.grown(3) for box in boxes])


def _on_canvas(image: Image.Image, width: int, height: int) -> Image.Image:
    if image.size == (width, height):
        return image
    canvas = Image.new("RGB", (width, height), "white")
    canvas.paste(image, (0, 0))
    return canvas


def _groups(cells: set[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Cells within REACH of each other, gathered into groups (breadth first)."""
    left, groups = set(cells), []
    while left:
        start = left.pop()
        group, queue = [start], deque([start])
        while queue:
            x, y = queue.popleft()
            for dx in range(-REACH, REACH + 1):
                for dy in range(-REACH, REACH + 1):
                    neighbour = (x + dx, y + dy)
                    if neighbour in left:
                        left.remove(neighbour)
                        group.append(neighbour)
                        queue.append(neighbour)
        groups.append(group)
    return groups


def _merged(boxes: list[Box]) -> list[Box]:
    merged: list[Box] = []
    for box in sorted(boxes, key=lambda b: (b.top, b.left)):
        for index, other in enumerate(merged):
            if box.touches(other):
                merged[index] = other.union(box)
                break
        else:
            merged.append(box)
    return merged if len(merged) == len(boxes) else _merged(merged)


def side_by_side(before: Image.Image | None, after: Image.Image | None,
                 labels: tuple[str, str]) -> tuple[bytes, list[Box]]:
    """The PNG of both pages with the changed regions outlined, and those regions."""
    blank = Image.new("RGB", (after or before).size, (238, 238, 238))  # type: ignore[union-attr]
    old, new = before or blank, after or blank
    regions = changed_regions(old, new) if before and after else []
    width, height = old.width + GAP + new.width, max(old.height, new.height) + LABEL_HEIGHT
    picture = Image.new("RGB", (width, height), "white")
    picture.paste(old, (0, LABEL_HEIGHT))
    picture.paste(new, (old.width + GAP, LABEL_HEIGHT))
    draw = ImageDraw.Draw(picture)
    for offset, label in ((0, labels[0]), (old.width + GAP, labels[1])):
        draw.text((offset + 8, 8), label, fill=(40, 40, 40))
    # A palette of the page's own colours keeps the file small (a third of full colour);
    # the outline gets a palette entry of its own, so it stays exactly OUTLINE.
    small = picture.quantize(colors=PAGE_COLOURS, method=Image.Quantize.MEDIANCUT,
                             dither=Image.Dither.NONE)
    palette = small.getpalette() or []
    palette = palette[:PAGE_COLOURS * 3] + [0] * (PAGE_COLOURS * 3 - len(palette)) + list(OUTLINE)
    small.putpalette(palette)
    draw = ImageDraw.Draw(small)
    for box in regions:
        for offset in (0, old.width + GAP):
            draw.rectangle((offset + box.left, LABEL_HEIGHT + box.top, offset + box.right,
                            LABEL_HEIGHT + box.bottom), outline=PAGE_COLOURS, width=3)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), regions
