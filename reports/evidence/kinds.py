"""What an uploaded file is, judged from its bytes; everything not on the list is refused with a
message saying why, and nothing is stored.

Allowed: JPEG and PNG images (decoded, so a file only starting like one is no image), PDF, Word and
Excel (.docx, .xlsx, without macros), OFD, and plain text. Refused by name: programs, web pages and
SVG (they can carry script), macro-enabled and encrypted Office files, the old binary Office
formats, empty files, and names with path parts. The checks are a few magic numbers and one look
inside a zip: a general sniffing library would still need the Office and OFD rules written here.
"""

import io
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.document.text import decode_text
from reports.errors import Refusal


class EvidenceRefused(Refusal):
    """A file not taken as evidence: nothing was stored."""

    code = "evidence"


@dataclass(frozen=True)
class Kind:
    name: str
    extension: str
    content_type: str
    inline: bool = False  # shown in the browser (images, PDF); everything else is downloaded

    @property
    def image(self) -> bool:
        return self.name in ("jpeg", "png")


JPEG = Kind("jpeg", "jpg", "image/jpeg", inline=True)
PNG = Kind("png", "png", "image/png", inline=True)
PDF = Kind("pdf", "pdf", "application/pdf", inline=True)
DOCX = Kind("docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Kind("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
OFD = Kind("ofd", "ofd", "application/ofd")
TEXT = Kind("text", "txt", "text/plain; charset=utf-8")
KINDS = {kind.name: kind for kind in (JPEG, PNG, PDF, DOCX, XLSX, OFD, TEXT)}

CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file: old .doc/.xls, or an encrypted .docx/.xlsx
OFFICE_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
MACRO_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
MARKUP = ("<!doctype", "<html", "<svg", "<script", "<?xml", "<body", "<iframe")
ALLOWED = gettext_lazy("图片（JPEG、PNG）、PDF、Word（.docx）、Excel（.xlsx）、OFD、纯文本")


def max_file_size() -> int:
    return settings.JIBAO_EVIDENCE_MAX_FILE_MB * 1024 * 1024


def too_large_file(name: str) -> EvidenceRefused:
    return EvidenceRefused(_("“%(name)s”超过了每个文件 %(limit)d MB 的上限。")
                           % {"name": name, "limit": settings.JIBAO_EVIDENCE_MAX_FILE_MB}, "too_large")


def checked_name(name: str) -> str:
    """The file's own name; one with path parts (a folder, ..) is refused rather than trimmed."""
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise EvidenceRefused(_("文件名“%(name)s”包含路径，请只上传文件本身。") % {"name": name}, "path_in_name")
    return name


def sniff(name: str, data: bytes) -> Kind:
    """The kind of the file `name` holding `data`, or EvidenceRefused with the reason."""
    checked_name(name)
    if not data:
        raise EvidenceRefused(_("“%(name)s”是空文件。") % {"name": name}, "empty")
    if len(data) > max_file_size():
        raise too_large_file(name)
    if data.startswith(b"\xff\xd8\xff"):
        return _image(name, data, JPEG)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image(name, data, PNG)
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zipped(name, data)
    if data.startswith(CFB):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise EvidenceRefused(_("“%(name)s”是加密的 Office 文件，无法核对内容。请取消密码后再上传。") % {"name": name},
                                  "encrypted")
        raise EvidenceRefused(_("“%(name)s”是旧版 Office 格式（.doc、.xls），请另存为 .docx 或 .xlsx 后上传。")
                              % {"name": name}, "old_office")
    if data.startswith(b"MZ") or data.startswith(b"\x7fELF"):
        raise EvidenceRefused(_("“%(name)s”是可执行程序，不能作为佐证材料。") % {"name": name}, "program")
    return _text(name, data)


def _refused_type(name):
    return EvidenceRefused(_("“%(name)s”的类型不能作为佐证材料。可以上传：%(allowed)s。")
                           % {"name": name, "allowed": ALLOWED}, "type")


def _image(name, data, kind):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise EvidenceRefused(_("“%(name)s”不是完整的图片文件，无法打开。") % {"name": name}, "broken_image") from error
    return kind


def _zipped(name, data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "[Content_Types].xml" in names:
            types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
            declared = {element.get("ContentType", "") for element in types}
            if declared & MACRO_TYPES or any(part.lower().endswith("vbaproject.bin") for part in names):
                raise EvidenceRefused(_("“%(name)s”含有宏（.docm、.xlsm），不能作为佐证材料。请另存为不含宏的 .docx 或 .xlsx。")
                                      % {"name": name}, "macro")
            for content_type, kind in OFFICE_TYPES.items():
                if content_type in declared:
                    return kind
        elif "OFD.xml" in names:
            return OFD
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, ValueError) as error:
        raise EvidenceRefused(_("“%(name)s”已损坏，无法打开。") % {"name": name}, "broken") from error
    raise _refused_type(name)


def _text(name, data):
    if b"\x00" in data:
        raise _refused_type(name)
    text = decode_text(data)
    if text is None:
        raise _refused_type(name)
    if text.lstrip()[:200].lower().startswith(MARKUP) or "<svg" in text[:2000].lower():
        raise EvidenceRefused(_("“%(name)s”是网页或 SVG 图形，其中可能含有脚本，不能作为佐证材料。") % {"name": name},
                              "markup")
    return TEXT
