"""Images kept with the canonical tree: made fit to keep, stored once by hash, loaded back.

A figure's ``image/@ref`` names the SHA-256 of bytes held in ``report/resources``, base64,
so a tree written to a file stays whole.  Readers put images in through an
:class:`ImageStore`; writers take them out through :func:`load`, the one loader, which
checks the bytes against their hash.  Only PNG, JPEG and GIF are kept, as every output
(PDF, EPUB, HTML, DOCX) can show them; other raster formats Pillow reads become PNG.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import warnings
from dataclasses import dataclass

from lxml import etree

from converter.errors import InputError

#: What a copy says in place of a description nobody gave: one is never invented.
NO_DESCRIPTION = "image without a description"
#: The formats every writer can show, by Pillow's name for them.
KEPT_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}
#: More pixels than any figure of a report (Pillow refuses still larger ones before decoding).
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class StoredImage:
    """Image bytes fit to keep, with what writers need to size them."""

    sha256: str
    media_type: str
    width: int  # pixels
    height: int
    data: bytes


def prepare(data: bytes) -> StoredImage | None:
    """The image as it will be kept, or None when it is not a picture any output can show
    (a Windows metafile, a damaged or absurdly large file)."""
    # Pillow is imported here: most conversions hold no image, and it costs a tenth of a second.
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                width, height = picture.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    return None
                kind = picture.format or ""
                if kind in KEPT_FORMATS:
                    picture.verify()  # damaged bytes are refused here, not by a writer
                    return _stored(data, KEPT_FORMATS[kind], width, height)
                picture.load()
                converted = io.BytesIO()
                mode = (
                    "RGBA" if "A" in picture.getbands() or "transparency" in picture.info else "RGB"
                )
                picture.convert(mode).save(converted, format="PNG", optimize=False)
                return _stored(converted.getvalue(), "image/png", width, height)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,  # Pillow's plugins raise it for malformed headers
        EOFError,
    ):
        return None


def _stored(data: bytes, media_type: str, width: int, height: int) -> StoredImage:
    return StoredImage(hashlib.sha256(data).hexdigest(), media_type, width, height, data)


class ImageStore:
    """The images a reader met, each kept once, written into the tree at the end."""

    def __init__(self) -> None:
        self.images: dict[str, StoredImage] = {}

    def add(self, data: bytes) -> StoredImage | None:
        image = prepare(data)
        if image is not None:
            self.images.setdefault(image.sha256, image)
        return image

    def attach(self, root: etree._Element) -> None:
        """Add the resources element (the last child of the report) for the images used."""
        used = {
            str(image.get("ref")) for image in root.iterfind(".//figure/image") if image.get("ref")
        }
        if not used:
            return
        resources = etree.SubElement(root, "resources")
        for sha256 in sorted(used):
            image = self.images[sha256]
            resource = etree.SubElement(
                resources,
                "resource",
                {
                    "sha256": sha256,
                    "type": image.media_type,
                    "width": str(image.width),
                    "height": str(image.height),
                },
            )
            resource.text = base64.b64encode(image.data).decode("ascii")


def load(root: etree._Element, ref: str) -> StoredImage:
    """The image a figure names, from the tree's resources, its bytes checked."""
    for resource in root.iterfind("resources/resource"):
        if resource.get("sha256") == ref:
            try:
                data = base64.b64decode(resource.text or "", validate=False)
            except (binascii.Error, ValueError):
                raise InputError(f"the stored image {ref[:12]} is not valid base64") from None
            if hashlib.sha256(data).hexdigest() != ref:
                raise InputError(f"the stored image {ref[:12]} does not match its hash")
            return StoredImage(
                ref,
                str(resource.get("type")),
                int(resource.get("width", "1")),
                int(resource.get("height", "1")),
                data,
            )
    raise InputError(f"a figure names the image {ref[:12]}, which the tree does not hold")


def used(root: etree._Element) -> dict[str, StoredImage]:
    """Every image the tree's figures show, by hash, loaded (and checked) once."""
    refs = {str(i.get("ref")) for i in root.iterfind(".//figure/image") if i.get("ref")}
    return {ref: load(root, ref) for ref in sorted(refs)}


def check_references(root: etree._Element) -> None:
    """Every image a figure names is in the resources, and its bytes match its hash."""
    for image in root.iterfind(".//figure/image"):
        ref = image.get("ref")
        if ref:
            load(root, ref)
