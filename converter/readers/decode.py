"""Turn the bytes of a text source into str: UTF-8 (BOM or not), UTF-16 with BOM, Windows-1252."""

from __future__ import annotations

import codecs

from converter.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: The control characters that do not occur in text (all below 32 but tab and line ends).
_CONTROLS = tuple(chr(code) for code in range(32) if chr(code) not in "\t\n\r\f\v")


def decode_text(data: bytes, *, source: str | None = None) -> str:
    """Decode text bytes, or raise one InputError that says what was tried."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as error:
                raise InputError(
                    f"starts with a {encoding.upper()} byte-order mark but is not valid "
                    f"{encoding.upper()} (byte {error.start + len(bom)})",
                    source=source,
                ) from None
            return _checked(text, source)
    if b"\x00" in data:
        hint = " (UTF-16 without a byte-order mark?)" if _looks_utf16(data) else ""
        raise InputError(f"contains NUL bytes: binary, not text{hint}", source=source)
    try:
        return _checked(data.decode("utf-8"), source)
    except UnicodeDecodeError:
        pass
    try:
        return _checked(data.decode("cp1252"), source)
    except UnicodeDecodeError as error:
        raise InputError(
            f"not text in UTF-8, UTF-16 (with BOM) or Windows-1252: undecodable byte "
            f"0x{data[error.start]:02x} at offset {error.start}",
            source=source,
        ) from None


def _looks_utf16(data: bytes) -> bool:
    sample = data[:4096]
    return sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4


def _checked(text: str, source: str | None) -> str:
    if "\x00" in text:
        raise InputError("contains NUL characters: binary, not text", source=source)
    head = text[:65536]
    controls = sum(head.count(ch) for ch in _CONTROLS)  # str.count: no loop in Python
    if controls > max(8, len(head) // 100):
        raise InputError("looks binary (control characters), not text", source=source)
    if not text.strip():
        raise InputError("is empty (no text)", source=source)
    return text
