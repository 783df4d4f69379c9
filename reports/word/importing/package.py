"""Opening an uploaded .docx safely: what the bytes are, how big they unpack, and XML that
cannot reach outside the file.

Every check here happens before the content is read, and every failure is an
ImportRefused with a message the drafter can act on (save as .docx, remove the password …).
"""

import io
import posixpath
import zipfile
import zlib
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from reports.word.importing import errors
from reports.word.importing.errors import ImportRefused

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # Word 97-2003, and encrypted .docx
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
IMAGE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")
MAX_PARTS = 2000
CHUNK = 64 * 1024

MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": None,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": None,
    "application/vnd.ms-word.document.macroEnabled.main+xml": errors.MACROS,
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": errors.MACROS,
}
CONTENT_TYPES = "[Content_Types].xml"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def sniff(data: bytes) -> None:
    """Refuse what is plainly not a .docx, by its first bytes, with the reason."""
    if len(data) > errors.MAX_UPLOAD_BYTES:
        raise ImportRefused(errors.TOO_LARGE, "too_large")
    if not data:
        raise ImportRefused(errors.EMPTY, "empty")
    if data.startswith(OLE_SIGNATURE):
        # An encrypted .docx is an OLE compound file holding these two streams (names in UTF-16).
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise ImportRefused(errors.ENCRYPTED, "encrypted")
        raise ImportRefused(errors.OLD_WORD, "doc")
    if data.startswith(b"%PDF"):
        raise ImportRefused(errors.PDF, "pdf")
    if data.startswith(b"{\\rtf"):
        raise ImportRefused(errors.RTF, "rtf")
    if data.startswith(IMAGE_SIGNATURES):
        raise ImportRefused(errors.IMAGE, "image")
    if not data.startswith(ZIP_SIGNATURES):
        raise ImportRefused(errors.NOT_DOCX, "not_docx")


def parse_xml(data: bytes) -> Element:
    """XML without DTDs: no entity can expand or fetch anything (XXE, billion laughs)."""
    try:
        return SafeElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ImportRefused(errors.UNSAFE_XML, "unsafe_xml") from None
    except (ParseError, ValueError):
        raise ImportRefused(errors.CORRUPT, "corrupt") from None


class Package:
    """The parts of a .docx, read with a budget on their unzipped size."""

    def __init__(self, data):
        sniff(data)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError):
            raise ImportRefused(errors.CORRUPT, "corrupt") from None
        if len(infos) > MAX_PARTS:
            raise ImportRefused(errors.ZIP_BOMB, "zip_bomb")
        # The sizes the zip's directory declares; reading enforces them again, so a directory
        # that lies cannot make us inflate more than the budget.
        if sum(info.file_size for info in infos) > errors.MAX_EXPANDED_BYTES:
            raise ImportRefused(errors.ZIP_BOMB, "zip_bomb")
        self.names = {info.filename for info in infos}
        self.budget = errors.MAX_EXPANDED_BYTES
        self.main = self._main_part()

    def read(self, name):
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            return None
        if info.flag_bits & 0x1:
            raise ImportRefused(errors.ENCRYPTED, "encrypted")
        chunks, size = [], 0
        try:
            with self.zip.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > info.file_size or size > self.budget:
                        raise ImportRefused(errors.ZIP_BOMB, "zip_bomb")
                    chunks.append(chunk)
        except ImportRefused:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
            raise ImportRefused(errors.CORRUPT, "corrupt") from None
        self.budget -= size
        return b"".join(chunks)

    def xml(self, name):
        data = self.read(name)
        return None if data is None else parse_xml(data)

    def _main_part(self):
        """The main document's part name, from [Content_Types].xml: refuses .docm and non-Word files."""
        types = self.xml(CONTENT_TYPES)
        if types is None:
            raise ImportRefused(self._what_else(), "not_docx")
        for override in types.iter(f"{CT_NS}Override"):
            content_type = override.get("ContentType", "")
            if content_type in MAIN_TYPES:
                if MAIN_TYPES[content_type]:
                    raise ImportRefused(MAIN_TYPES[content_type], "macros")
                name = override.get("PartName", "").lstrip("/")
                if name in self.names:
                    if "word/vbaProject.bin" in self.names:
                        raise ImportRefused(errors.MACROS, "macros")
                    return name
        raise ImportRefused(self._what_else(), "not_docx")

    def _what_else(self):
        if "xl/workbook.xml" in self.names:
            return errors.SPREADSHEET
        if "ppt/presentation.xml" in self.names:
            return errors.SLIDES
        if "content.xml" in self.names and "mimetype" in self.names:
            return errors.ODF
        return errors.NOT_DOCX

    def related(self, part, kind):
        """The part that `part` relates to with relationship type ending in `kind` (styles, numbering)."""
        folder, base = posixpath.split(part)
        rels = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        if rels is None:
            return None
        for rel in rels.iter(f"{REL_NS}Relationship"):
            if rel.get("Type", "").endswith("/" + kind) and rel.get("TargetMode") != "External":
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                return path
        return None
