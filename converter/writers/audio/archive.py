"""The zip a talking book is delivered in (DAISY book, MP3 tracks): the same bytes for the
same content, its index file first, audio stored as it is (MP3 is compressed already)."""

from __future__ import annotations

import io
import zipfile

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def zipped(files: dict[str, bytes], first: str) -> bytes:
    """``files`` by name, ``first`` (the NCC, the playlist) ahead of the rest in name
    order; fixed dates and permissions; MP3 stored, everything else deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in [first, *sorted(n for n in files if n != first)]:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            stored = name.endswith(".mp3")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], compresslevel=None if stored else 9)
    return out.getvalue()
