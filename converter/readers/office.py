"""Read OpenDocument text, RTF and Word 97-2003 files: LibreOffice turns them into DOCX,
which the DOCX reader reads.

LibreOffice runs headless with a profile folder of its own for each conversion (two
conversions at once never share one), set so that it never fetches what a document only
links to (a picture on the web or on this machine's disk: BlockUntrustedRefererLinks)
and never runs a document's macros.  The document goes in through a private folder and
nothing but the DOCX comes back.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

from converter.errors import DependencyError, InputError
from converter.readers import docx, docx_package

#: Where Debian's libreoffice-writer-nogui puts it; PATH otherwise.
SOFFICE_PATHS = ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice")
TIMEOUT_SECONDS = 180
_ODF_MIMETYPE = b"application/vnd.oasis.opendocument.text"

#: The profile's settings: links to untrusted places are not followed (LibreOffice 6.4+),
#: macros never run, nothing is checked for updates or sent anywhere.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments"><prop oor:name="AutoCheckEnabled" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def read(data: bytes, *, name: str) -> etree._Element:
    suffix = _kind(data, name=name)
    converted = convert_to_docx(data, suffix, name=name)
    return docx.read(converted, name=name)


def soffice() -> str:
    """The LibreOffice program, or a DependencyError saying how to install it."""
    for candidate in SOFFICE_PATHS:
        if Path(candidate).is_file():
            return candidate
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise DependencyError(
            "reading OpenDocument, RTF and Word 97-2003 files needs LibreOffice, which is "
            "not installed (Debian: apt-get install libreoffice-writer-nogui)"
        )
    return found


def _kind(data: bytes, *, name: str) -> str:
    """The file's own kind (its extension for LibreOffice), refusing what it cannot be."""
    if data.startswith(b"PK\x03\x04"):
        archive = docx_package.check_zip(data, name=name, what="OpenDocument file")
        try:
            mimetype = archive.read("mimetype") if "mimetype" in archive.namelist() else b""
            manifest = (
                archive.read("META-INF/manifest.xml")
                if "META-INF/manifest.xml" in archive.namelist()
                else b""
            )
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
            raise InputError("is a damaged OpenDocument file", source=name) from None
        if not mimetype.startswith(_ODF_MIMETYPE):
            raise InputError(
                "is a zip but not an OpenDocument text document (no ODF text mimetype)",
                source=name,
            )
        if b"encryption-data" in manifest:
            raise InputError(
                "is an encrypted OpenDocument file: it needs a password to open; save an "
                "unprotected copy",
                source=name,
            )
        return ".odt"
    kind = docx_package.sniff_compound_file(data)
    if kind == "encrypted":
        raise InputError(
            "is an encrypted Office document: it needs a password to open", source=name
        )
    if kind == "doc":
        return ".doc"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return ".rtf"
    raise InputError(
        "is not an OpenDocument, RTF or Word 97-2003 document (its first bytes say otherwise)",
        source=name,
    )


def convert_to_docx(data: bytes, suffix: str, *, name: str) -> bytes:
    """The document as DOCX, converted by LibreOffice in a folder of its own."""
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="converter-office-") as work:
        folder = Path(work)
        profile = folder / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(
            _PROFILE_SETTINGS, encoding="utf-8"
        )
        source = folder / f"source{suffix}"  # a plain name: the user's own may be anything
        source.write_bytes(data)
        out = folder / "out"
        out.mkdir()
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ]
        try:
            completed = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
                stdin=subprocess.DEVNULL,
                cwd=folder,
            )
        except subprocess.TimeoutExpired:
            raise InputError(
                f"LibreOffice did not finish converting it within {TIMEOUT_SECONDS} s",
                source=name,
            ) from None
        except OSError as error:
            raise DependencyError(f"LibreOffice could not be started ({error.strerror})") from None
        result = out / "source.docx"
        if completed.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            problem = (completed.stderr.strip() or completed.stdout.strip()).splitlines()
            detail = problem[-1][:200] if problem else f"exit status {completed.returncode}"
            raise InputError(
                f"LibreOffice could not convert it (damaged, or protected by a password?): "
                f"{detail}",
                source=name,
            )
        return result.read_bytes()
