"""`import_report`: a file → a draft, or its structure as JSON; bad files are refused plainly."""

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reports.models import Heading, Item, Measure, MeasureValue, Report, Section
from tests.test_importer import SAMPLE, TYPED, word_file

ROOT = Path(__file__).resolve().parent.parent
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def counts():
    return [model.objects.count() for model in (Report, Section, Heading, Item, Measure, MeasureValue)]


def run(*args):
    out = io.StringIO()
    call_command("import_report", *map(str, args), stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_structure_as_json_and_creates_nothing(db):
    before = counts()
    data = json.loads(run(SAMPLE, "--dry-run"))
    assert counts() == before
    assert list(data) == ["title", "addressee", "opening", "sections", "closing", "measures", "placeholders", "signature", "date",
                          "document_number", "not_imported"]
    assert [s["kind"] for s in data["sections"]] == ["practices", "problems", "next_steps"]
    assert [len(h["items"]) for h in data["sections"][0]["headings"]] == [3, 6, 4, 3]
    assert [m["unit"] for m in data["measures"]].count("次") == 6
    assert list(data["sections"][0]) == ["kind", "title", "lead", "headings", "items"]
    assert list(data["sections"][0]["headings"][0]) == ["title", "lead", "items"]
    assert data["measures"][0] == {"name": "理论学习中心组学习会议", "unit": "次", "value": None}


def test_a_word_file_becomes_a_draft_with_its_measures(db, tree, tmp_path):
    common = Measure.objects.create(name="廉政谈话", unit="人次")  # a common measure is reused
    path = tmp_path / "report.docx"
    path.write_bytes(word_file(TYPED))
    out = run(path, "--organization", tree["cppcc"].pk)
    report = Report.objects.get()
    assert "已创建" in out and report.title in out
    assert (report.organization, report.year, report.quarter) == (tree["cppcc"], 2023, 1)  # from the title
    assert report.status == "draft"
    assert [s.title for s in report.sections.all()] == ["主要做法", "存在的主要问题", "下一步的打算"]
    assert (report.signature_name, report.signature_date.isoformat()) == ("市政协党组", "2023-04-10")
    values = {v.measure.name: (v.measure.organization_id, v.value) for v in report.measure_values.select_related("measure")}
    assert values == {"学习会议": (tree["cppcc"].pk, 3), "研讨": (tree["cppcc"].pk, 2), "廉政谈话": (None, 12)}
    assert report.measure_values.filter(measure=common).exists()
    item = Item.objects.get(section__report=report, heading__position=1, position=1)
    assert item.text == "召开学习会议{{measure:%d}}。" % Measure.objects.get(name="学习会议").pk


def test_a_text_file_with_explicit_body_year_and_quarter(db, tree):
    run(SAMPLE, "--organization", tree["cppcc"].name, "--year", 2022, "--quarter", 3)
    report = Report.objects.get()
    assert (report.year, report.quarter, report.measure_values.count()) == (2022, 3, 8)
    assert report.signature_name == "市政协党组"  # none in the text: the body's name


def test_an_existing_quarter_is_not_imported_again(db, tree):
    run(SAMPLE, "--organization", tree["cppcc"].pk)
    before = counts()
    with pytest.raises(CommandError, match="已经存在"):
        run(SAMPLE, "--organization", tree["cppcc"].pk)
    assert counts() == before


def test_without_a_body_it_asks_for_one(db):
    with pytest.raises(CommandError, match="--organization"):
        run(SAMPLE)
    assert not Report.objects.exists()


# Bad files: a clear message, nothing created, exit status 2 -----------------------------------------


def docx_with(parts, content_type=DOCX_MAIN):
    """A minimal package: [Content_Types].xml naming word/document.xml, plus `parts`."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/word/document.xml" ContentType="{content_type}"/></Types>'
        ))
        for name, data in parts.items():
            package.writestr(name, data)
    return stream.getvalue()


DOCUMENT = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            '<w:p><w:r><w:t>一、主要做法</w:t></w:r></w:p></w:body></w:document>')


def xxe_file():
    return docx_with({"word/document.xml": (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        + DOCUMENT.replace("一、主要做法", "&secret;")
    )})


def billion_laughs_file():
    entities = '<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    return docx_with({"word/document.xml": f'<?xml version="1.0"?><!DOCTYPE w:document [{entities}]>'
                      + DOCUMENT.replace("一、主要做法", "&i;")})


def zip_bomb_file():
    """60 MB of zeros compress to some 60 KB: the directory tells the expanded size."""
    return docx_with({"word/document.xml": DOCUMENT, "word/media/zeros.bin": b"\0" * (60 * 1024 * 1024)})


def many_parts_file():
    """2,001 tiny members: each refusal names its own cause, this one is not \"too large when unzipped\"."""
    return docx_with({"word/document.xml": DOCUMENT, **{f"word/media/image{n}.png": b"x" for n in range(2001)}})


def paragraph_bomb_file():
    """45 MB of empty paragraphs compress to some 70 KB: refused while the first of them are read."""
    return docx_with({"word/document.xml": DOCUMENT.replace("</w:body>", "<w:p/>" * 7_500_000 + "</w:body>")})


def lying_zip_file():
    """A member whose directory entries claim 100 bytes while 2 MB come out: refused on reading."""
    data = bytearray(docx_with({"word/document.xml": DOCUMENT + " " * (2 * 1024 * 1024)}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_length = struct.unpack_from("<H", data, start + (26 if signature == b"PK\x03\x04" else 28))[0]
            name_start = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_start:name_start + name_length] == b"word/document.xml":
                struct.pack_into("<I", data, start + offset, 100)
            start += 4
    return bytes(data)


def encrypted_file():
    """What Word writes for a password-protected .docx: an OLE compound file with these streams."""
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + \
        "EncryptedPackage".encode("utf-16-le") + b"\0" * 512


# name → (how to make it, what the message says); made when a test needs it, not at collection.
BAD_FILES = {
    "old-word.docx": (lambda: bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 2000, "旧版 Word 文档"),
    "encrypted.docx": (encrypted_file, "加密"),
    "macros.docx": (lambda: docx_with({"word/document.xml": DOCUMENT, "word/vbaProject.bin": b"x"}, DOCM_MAIN), "含宏"),
    "report.pdf.docx": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    "photo.docx": (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "图片"),
    "not-a-zip.docx": (lambda: b"just some bytes that are not a Word file", "不是 Word 文档"),
    "truncated.docx": (lambda: word_file(TYPED)[:3000], "不完整或已损坏"),
    "spreadsheet.docx": (lambda: docx_with({"xl/workbook.xml": "<workbook/>"}, "application/xml"), "Excel"),
    "xxe.docx": (xxe_file, "不安全的 XML"),
    "billion-laughs.docx": (billion_laughs_file, "不安全的 XML"),
    "zip-bomb.docx": (zip_bomb_file, "解压后过大"),
    "many-parts.docx": (many_parts_file, "过多的部件组成（超过 2000 个）"),
    "paragraph-bomb.docx": (paragraph_bomb_file, "段落过多"),
    "too-many-items.txt": (lambda: ("一、主要做法\n" + "一是做了工作。\n" * 10_000).encode(), "超过 2000 个部分"),
    "lying-zip.docx": (lying_zip_file, "不完整或已损坏"),
    "not-utf8.txt": (lambda: "一、主要做法".encode("gb18030"), "UTF-8"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_refused_with_a_message_and_nothing_is_created(db, tree, tmp_path, name):
    make, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(make())
    before = counts()
    for extra in ([], ["--dry-run"]):
        with pytest.raises(CommandError, match=message) as refused:
            run(path, "--organization", tree["cppcc"].pk, *extra)
        assert refused.value.returncode == 2
    assert counts() == before


def test_a_file_over_10_mb_is_refused_before_it_is_read(db, tree, tmp_path):
    path = tmp_path / "big.docx"
    path.write_bytes(word_file(TYPED) + b"\0" * (10 * 1024 * 1024))
    with pytest.raises(CommandError, match="超过 10 MB") as refused:
        run(path, "--organization", tree["cppcc"].pk)
    assert refused.value.returncode == 2
    assert not Report.objects.exists()


def test_a_missing_file(db):
    with pytest.raises(CommandError, match="找不到文件") as refused:
        run("/nonexistent/report.docx", "--dry-run")
    assert refused.value.returncode == 2


def test_from_the_shell_a_bad_file_exits_2_with_the_message_and_no_traceback(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(xxe_file())
    result = subprocess.run([sys.executable, "manage.py", "import_report", str(path), "--dry-run"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "不安全的 XML" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
