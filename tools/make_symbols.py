"""Copy the Easy Read pictures listed in converter/symbols/symbols.toml from the Mulberry set
(../shared/symbols/mulberry) into the package, unchanged, record each file's SHA-256 in the
list, and make the PNG copy Word shows (converter.symbols.PNG_PIXELS square, on white).

Run it after changing the list: `.venv/bin/python tools/make_symbols.py`.  Files no longer
listed are removed, so the package ships only the pictures it uses.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SET = REPO.parent / "shared" / "symbols" / "mulberry"
PACKAGE = REPO / "converter" / "symbols"
LIST = PACKAGE / "symbols.toml"


def render_png(svg: bytes, pixels: int) -> bytes:
    """The picture drawn on white, ``pixels`` square, with WeasyPrint's SVG renderer (the one
    the PDF uses) and pdfium."""
    import pypdfium2
    from weasyprint import HTML

    source = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    page = (
        f"<html><head><style>@page {{ size: {pixels}px {pixels}px; margin: 0 }}"
        "body { margin: 0; background: #fff }"
        f"img {{ display: block; width: {pixels}px; height: {pixels}px }}</style></head>"
        f'<body><img src="{source}" alt=""></body></html>'
    )
    pdf = pypdfium2.PdfDocument(HTML(string=page).write_pdf())
    scale = pixels / (pixels * 72 / 96)  # CSS pixels are 1/96 inch; PDF points 1/72
    image = pdf[0].render(scale=scale, fill_color=(255, 255, 255, 255)).to_pil()
    image = image.convert("RGB").resize((pixels, pixels))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def main() -> int:
    sys.path.insert(0, str(REPO))
    from converter.symbols import FOLDER, PNG_PIXELS

    if not SET.is_dir():
        print(f"make_symbols: the Mulberry set is not at {SET}", file=sys.stderr)
        return 1
    text = LIST.read_text(encoding="utf-8")
    target = PACKAGE / FOLDER
    target.mkdir(exist_ok=True)
    wanted: set[str] = set()
    blocks = text.split("[[symbol]]")
    for index, block in enumerate(blocks[1:], start=1):
        concept = re.search(r'^concept = "([^"]+)"', block, re.MULTILINE)
        file = re.search(r'^file = "([^"]+)"', block, re.MULTILINE)
        assert concept and file, block
        data = (SET / "svg" / file.group(1)).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        blocks[index] = re.sub(
            r'^sha256 = "[0-9a-f]*"', f'sha256 = "{digest}"', block, flags=re.MULTILINE
        )
        name = concept.group(1)
        (target / f"{name}.svg").write_bytes(data)
        (target / f"{name}.png").write_bytes(render_png(data, PNG_PIXELS))
        wanted |= {f"{name}.svg", f"{name}.png"}
    LIST.write_text("[[symbol]]".join(blocks), encoding="utf-8")
    shutil.copyfile(SET / "LICENSE.txt", target / "LICENSE.txt")
    wanted.add("LICENSE.txt")
    for stale in target.iterdir():
        if stale.name not in wanted:
            stale.unlink()
    print(f"make_symbols: {len(blocks) - 1} pictures in {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
