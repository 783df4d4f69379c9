"""佐证材料 files: what is taken (judged from the content, never the name), what is refused and
why (nothing stored), images stored without their metadata, the same bytes stored once."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from reports.evidence import kinds
from reports.evidence.kinds import EvidenceRefused, sniff
from reports.evidence.store import read, store
from reports.models import EvidenceFile
from tests import object_storage

GPS_IFD = 0x8825


@pytest.fixture(scope="module")
def s3_server():
    with object_storage.running_server() as endpoint:
        yield endpoint


@pytest.fixture(params=["filesystem", "s3"])
def stored_files(request, settings, tmp_path):
    """The store on the file system (the default) or in a real S3-compatible server, with the same
    test code; returns a function listing what the store holds."""
    if request.param == "filesystem":
        settings.MEDIA_ROOT = tmp_path
        return lambda: sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    endpoint = request.getfixturevalue("s3_server")
    s3 = object_storage.client(endpoint)
    bucket = f"{object_storage.BUCKET}-{len(s3.list_buckets()['Buckets'])}"  # one per test: nothing left over
    s3.create_bucket(Bucket=bucket)
    setting = object_storage.storages_setting(endpoint)
    setting["OPTIONS"]["bucket_name"] = bucket
    settings.STORAGES = {**settings.STORAGES, "default": setting}
    return lambda: sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def photo(kind="JPEG", *, gps=True, size=(40, 30)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # Make
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)})
    output = io.BytesIO()
    image.save(output, kind, exif=exif)
    return output.getvalue()


def office(main_type: str, *, macro=False) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>'))
        archive.writestr("word/document.xml", "<w:document/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\x00\x01")
    return output.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


@pytest.mark.parametrize("name, data, kind", [
    ("会议照片.jpg", photo(), "jpeg"),
    ("截图.png", photo("PNG", gps=False), "png"),
    ("通知.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF", "pdf"),
    ("纪要.docx", office(DOCX_MAIN), "docx"),
    ("台账.xlsx", office("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"), "xlsx"),
    ("公文.ofd", (lambda: (b := io.BytesIO(), zipfile.ZipFile(b, "w").writestr("OFD.xml", "<ofd:OFD/>"), b)[2]
                 .getvalue())(), "ofd"),
    ("说明.txt", "一、召开会议三次。".encode(), "text"),
    ("说明-gbk.txt", "召开会议三次。".encode("gb18030"), "text"),
    ("名字是.pdf但其实是图片", photo(), "jpeg"),  # judged from the content
], ids=lambda value: value if isinstance(value, str) and len(value) < 20 else "")
def test_the_allowed_kinds_are_known_by_their_content(name, data, kind):
    assert sniff(name, data).name == kind


@pytest.mark.parametrize("name, data, code, words", [
    ("报告.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, "program", "可执行程序"),
    ("图.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "markup", "SVG"),
    ("页面.txt", b"<!DOCTYPE html><html><body onload=alert(1)>", "markup", "网页"),
    ("纪要.docm", office(DOCM_MAIN), "macro", "宏"),
    ("纪要.docx", office(DOCX_MAIN, macro=True), "macro", "宏"),
    ("加密.docx", kinds.CFB + b"\x00" * 64 + "EncryptionInfo".encode("utf-16-le"), "encrypted", "加密"),
    ("旧.doc", kinds.CFB + b"\x00" * 200, "old_office", ".docx"),
    ("空.pdf", b"", "empty", "空文件"),
    ("../../etc/passwd", b"root", "path_in_name", "路径"),
    ("folder\\a.txt", b"text", "path_in_name", "路径"),
    ("坏图.jpg", b"\xff\xd8\xff\xe0" + b"not really", "broken_image", "不是完整的图片"),
    ("压缩.zip", (lambda: (b := io.BytesIO(), zipfile.ZipFile(b, "w").writestr("a.txt", "x"), b)[2].getvalue())(),
     "type", "可以上传"),
    ("数据.bin", bytes(range(256)), "type", "可以上传"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 20 else "")
def test_what_is_refused_says_why_and_stores_nothing(db, name, data, code, words, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(EvidenceRefused) as refused:
        store(name, data)
    assert refused.value.code == code
    assert words in refused.value.message
    assert not EvidenceFile.objects.exists()
    assert not any(tmp_path.rglob("*"))


def test_a_file_over_the_limit_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.JIBAO_EVIDENCE_MAX_FILE_MB = 1
    with pytest.raises(EvidenceRefused) as refused:
        store("大.pdf", b"%PDF-1.7" + b"0" * (1024 * 1024))
    assert refused.value.code == "too_large" and "1 MB" in refused.value.message


def test_a_photo_is_stored_without_its_gps_position(db, stored_files):
    original = photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the phone wrote where it was

    stored = store("会议照片.jpg", original)
    data = read(stored)
    image = Image.open(io.BytesIO(data))
    assert image.size == (40, 30)
    assert not image.getexif().get_ifd(GPS_IFD) and not image.getexif()
    assert b"Phone maker" not in data


def test_the_same_bytes_are_stored_once_under_their_hash(db, stored_files):
    first = store("通知.pdf", b"%PDF-1.7 the same notice")
    again = store("通知（副本）.pdf", b"%PDF-1.7 the same notice")
    assert first == again and EvidenceFile.objects.count() == 1
    assert first.storage_name == f"evidence/{first.sha256[:2]}/{first.sha256}.pdf"
    assert default_storage.exists(first.storage_name)
    assert stored_files() == [first.storage_name]
    assert read(first) == b"%PDF-1.7 the same notice"
    other = store("纪要.txt", "召开会议。".encode())
    assert stored_files() == sorted([first.storage_name, other.storage_name])
