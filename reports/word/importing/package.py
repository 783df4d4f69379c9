"""Opening an uploaded .docx safely: what the bytes are, how big they unpack, how much XML
they hold, and XML that cannot reach outside the file.

The checks on the bytes happen before the content is read; the XML is parsed streamed, straight
from the zip, counting its elements, so a file built to cost work (millions of tiny elements
compress to almost nothing) is refused after reading a little of it, not after all of it.
Every failure is an ImportRefused with a message the drafter can act on.
"""

import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from reports.word.importing import errors
from reports.word.importing.errors import ImportRefused

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # Word 97-2003, and encrypted .docx
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
IMAGE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")
MAX_PARTS = 2000  # members of the zip; Word writes some 10 to 30, a few hundred with many images
CHUNK = 64 * 1024
# XML elements in all the parts read (document, styles, numbering, relationships). A real report
# of under a thousand paragraphs, as Word writes it (runs, properties, bookmarks, revision marks),
# holds some tens of thousands, its styles and numbering a few thousand more: this is ten times
# the largest, and parses in about a second.
MAX_ELEMENTS = 500_000
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)

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


class _Stream:
    """A zip member read in chunks, held to its declared size and to the package's byte budget."""

    def __init__(self, package, info):
        self.package, self.info, self.size = package, info, 0
        self.stream = package.zip.open(info)

    def read(self, n=CHUNK):
        try:
            chunk = self.stream.read(n)
        except ZIP_ERRORS:
            raise ImportRefused(errors.CORRUPT, "corrupt") from None
        self.size += len(chunk)
        self.package.budget -= len(chunk)
        if self.size > self.info.file_size or self.package.budget < 0:
            raise ImportRefused(errors.ZIP_BOMB, "zip_bomb")
        return chunk

    def close(self):
        self.stream.close()


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
            raise ImportRefused(errors.TOO_MANY_FILE_PARTS, "too_many_file_parts")
        # The sizes the zip's directory declares; reading enforces them again, so a directory
        # that lies cannot make us inflate more than the budget.
        if sum(info.file_size for info in infos) > errors.MAX_EXPANDED_BYTES:
            raise ImportRefused(errors.ZIP_BOMB, "zip_bomb")
        self.names = {info.filename for info in infos}
        self.budget = errors.MAX_EXPANDED_BYTES
        self.elements = MAX_ELEMENTS  # what is left of the element budget, for all parts together
        self.main = self._main_part()

    def iterparse(self, name, events=("end",)) -> Iterator[tuple[str, Element]] | None:
        """The part's XML as (event, element) pairs, parsed as it is unzipped (see `xml`), or None
        if there is no such part. Each element counts against the package's element budget."""
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            return None
        if info.flag_bits & 0x1:
            raise ImportRefused(errors.ENCRYPTED, "encrypted")
        return self._events(info, events)

    def _events(self, info, events):
        try:
            stream = _Stream(self, info)
        except ZIP_ERRORS:
            raise ImportRefused(errors.CORRUPT, "corrupt") from None
        counted = "start" in events
        try:
            # XML without DTDs: no entity can expand or fetch anything (XXE, billion laughs).
            parsed = SafeElementTree.iterparse(stream, events=events if counted else ("start", *events),
                                               forbid_dtd=True, forbid_entities=True, forbid_external=True)
            for event, element in parsed:
                if event == "start":
                    self.elements -= 1
                    if self.elements < 0:
                        raise ImportRefused(errors.TOO_COMPLEX, "too_complex")
                    if not counted:
                        continue
                yield event, element
        except DefusedXmlException:
            raise ImportRefused(errors.UNSAFE_XML, "unsafe_xml") from None
        except (ParseError, ValueError):
            raise ImportRefused(errors.CORRUPT, "corrupt") from None
        finally:
            stream.close()

    def xml(self, name) -> Element | None:
        """The part's XML tree, or None if there is no such part."""
        events = self.iterparse(name, ("start",))
        if events is None:
            return None
        root = None
        for _event, element in events:
            root = element if root is None else root
        if root is None:
            raise ImportRefused(errors.CORRUPT, "corrupt")
        return root

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
