"""The report with its 佐证材料 as one .zip (reports/word/evidence_archive.py): the Word file at the
top, the files by claim in print order with the bytes that were stored, streamed a chunk at a
time, to readers of the report only; and the quarter's .zip with each body's evidence beside its
Word file."""

import io
import os
import zipfile

import pytest
from django.urls import reverse
from docx import Document as read_docx
from PIL import Image

from reports.evidence.attach import attach
from reports.evidence.claims import Claim
from reports.evidence.store import read
from reports.models import Item, Membership, Report
from reports.word import evidence_archive
from reports.word.evidence_archive import CHUNK_BYTES, folder_name

DOCX = "市政协党组2023年第1季度报告.docx"
WHOLE = "佐证材料/01 整份报告"
SECOND = "佐证材料/02 一、主要做法 （一） 二是：开展廉政谈话。"


def pdf(body=b"", *, padding=0) -> bytes:
    """A PDF as the sniffing knows one (its magic); `padding` random bytes, which do not compress."""
    return b"%PDF-1.4\n" + body + os.urandom(padding) + b"\n%%EOF"


def photo(colour=(200, 30, 30)) -> bytes:
    """A phone's photo: its EXIF names the maker."""
    image = Image.new("RGB", (40, 30), colour)
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif)
    return output.getvalue()


@pytest.fixture
def report(report_factory, tree):
    return report_factory(tree["cppcc"], sections=[
        ("主要做法", "practices", [("深化理论学习", ["组织召开理论学习中心组学习会议3次。", "开展廉政谈话。", "另有一项。"])]),
    ])


def item(text):
    return f"item-{Item.objects.get(text__startswith=text).pk}"


@pytest.fixture
def evidence(report, drafter):
    """Uploaded out of print order: the second item's first, then the whole report's."""
    files = [
        (item("开展"), "照片.jpg", photo()),
        (item("开展"), "照片.jpg", photo((30, 200, 30))),  # the same title again, another file
        ("", "会议通知.pdf", pdf(b"notice")),
        ("", "说明.txt", "会议纪要：召开会议三次。".encode() * 50),
        (item("另有"), "已删.pdf", pdf(b"gone")),
    ]
    stored = [attach(report, target=target, name=name, data=data, actor=drafter) for target, name, data in files]
    Item.objects.filter(text__startswith="另有").delete()  # its evidence must still be in the .zip
    return stored


def download(client, user, url):
    client.force_login(user)
    return client.get(url)


def unzipped(response):
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_zip_holds_the_word_file_then_the_evidence_by_claim_in_print_order(client, drafter, report, evidence):
    response = download(client, drafter, reverse("reports:export_evidence_zip", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    with unzipped(response) as archive:
        assert archive.namelist() == [
            DOCX,
            f"{WHOLE}/会议通知.pdf",
            f"{WHOLE}/说明.txt",
            f"{SECOND}/照片.jpg",
            f"{SECOND}/照片（2）.jpg",
            "佐证材料/03 已删除的条目/已删.pdf",  # a claim no longer in the report comes last, not dropped
        ]
        assert read_docx(io.BytesIO(archive.read(DOCX))).paragraphs[0].text.startswith("市政协党组")
        by_title = {item.title: item for item in evidence}
        jpeg = archive.read(f"{SECOND}/照片.jpg")
        assert jpeg == read(evidence[0].file) and b"Phone maker" not in jpeg  # as stored, without its EXIF
        assert archive.read(f"{SECOND}/照片（2）.jpg") == read(evidence[1].file)
        assert archive.read(f"{WHOLE}/会议通知.pdf") == read(by_title["会议通知"].file)
        assert archive.read(f"{WHOLE}/说明.txt") == read(by_title["说明"].file)
        kinds = {info.filename.rsplit(".", 1)[1]: info.compress_type for info in archive.infolist()}
    # Deflating a photo or a PDF again saves nothing; the Word file's XML and text shrink.
    assert kinds == {"docx": zipfile.ZIP_DEFLATED, "txt": zipfile.ZIP_DEFLATED,
                     "pdf": zipfile.ZIP_STORED, "jpg": zipfile.ZIP_STORED}


def test_the_zip_is_streamed_a_chunk_at_a_time(client, drafter, report, monkeypatch):
    large = attach(report, target="", name="汇编.pdf", data=pdf(padding=int(2.5 * CHUNK_BYTES)), actor=drafter)
    opened = []
    real_open = evidence_archive.open_file
    monkeypatch.setattr(evidence_archive, "open_file", lambda file: opened.append(file) or real_open(file))

    response = download(client, drafter, reverse("reports:export_evidence_zip", args=[report.pk]))
    assert response.streaming
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert first.startswith(b"PK\x03\x04") and DOCX.encode() in first
    assert opened == [], "the Word file leaves before any evidence is read"
    rest = [chunk for chunk in chunks if chunk]
    assert len(rest) >= 3 and max(map(len, rest)) <= CHUNK_BYTES + 4096, "the 2.5 MB file went out in pieces"
    with zipfile.ZipFile(io.BytesIO(first + b"".join(rest))) as archive:
        assert archive.read(f"{WHOLE}/汇编.pdf") == read(large.file)


def test_only_readers_of_the_report_get_it(client, make_user, tree, drafter, reviewer, overseer, report, evidence):
    url = reverse("reports:export_evidence_zip", args=[report.pk])
    other_drafter = make_user(organization=tree["congress"], role=Membership.Role.DRAFTER)
    assert download(client, other_drafter, url).status_code == 404
    other_overseer = make_user(organization=tree["county"], role=Membership.Role.OVERSEER)
    assert download(client, other_overseer, url).status_code == 404
    for reader in (reviewer, overseer):
        response = download(client, reader, url)
        assert response.status_code == 200
        assert DOCX in unzipped(response).namelist()
    client.logout()
    assert client.get(url).status_code == 302


def test_the_report_page_offers_the_zip_when_the_report_has_evidence(client, drafter, report):
    page = download(client, drafter, reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-testid="download-evidence-zip"' not in page
    attach(report, target="", name="会议通知.pdf", data=pdf(), actor=drafter)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert reverse("reports:export_evidence_zip", args=[report.pk]) in page
    assert "下载报告及佐证材料" in page


def test_folder_and_file_names_are_cut_and_made_safe(report, drafter):
    claim = Claim("item-9", "一、主要做法 （一） 二是", 'a/b:c*"d' + "很长的内容" * 20)
    name = folder_name(2, claim)
    assert name.startswith('02 一、主要做法 （一） 二是：a_b_c__d很长')
    assert name.endswith("…") and len(name) == len("02 ") + evidence_archive.FOLDER_LABEL_LENGTH + 1
    assert folder_name(7, Claim("", "整份报告"), width=3) == "007 整份报告"
    first = attach(report, target="", name="Photo.pdf", data=pdf(b"1"), actor=drafter)
    second = attach(report, target="", name="photo.pdf", data=pdf(b"2"), actor=drafter)
    slash = attach(report, target="", name="x.pdf", data=pdf(b"3"), actor=drafter, title="上/下：半年" + "长" * 100)
    taken = set()
    # Windows would put photo.pdf over Photo.pdf when extracting.
    assert [evidence_archive.file_name(e, taken) for e in (first, second)] == ["Photo.pdf", "photo（2）.pdf"]
    assert evidence_archive.file_name(slash, taken) == "上_下：半年" + "长" * (evidence_archive.FILE_STEM_LENGTH - 6) + ".pdf"


# ---- The quarter's .zip for the overseer ----------------------------------------------------


@pytest.fixture
def approved(report_factory, tree, report, evidence):
    """市政协党组's report with evidence and 市人大常委会党组's without, both approved."""
    congress = report_factory(tree["congress"], sections=[("主要做法", "practices", ["认真学习。"])])
    Report.objects.filter(pk__in=[report.pk, congress.pk]).update(status=Report.Status.APPROVED)
    return report


def test_the_quarters_zip_has_each_bodys_evidence_beside_its_word_file_when_asked(client, overseer, approved, evidence):
    url = reverse("reports:export_zip", args=[2023, 1])
    with unzipped(download(client, overseer, url)) as archive:
        assert archive.namelist() == ["市人大常委会党组.docx", "市政协党组.docx"]
    response = client.get(url + "?evidence=1")
    assert response.streaming and "%E4%BD%90%E8%AF%81" in response["Content-Disposition"]  # 佐证材料 in its name
    with unzipped(response) as archive:
        assert archive.namelist() == [
            "市人大常委会党组.docx",
            "市政协党组.docx",
            f"市政协党组/{WHOLE}/会议通知.pdf",
            f"市政协党组/{WHOLE}/说明.txt",
            f"市政协党组/{SECOND}/照片.jpg",
            f"市政协党组/{SECOND}/照片（2）.jpg",
            "市政协党组/佐证材料/03 已删除的条目/已删.pdf",
        ]
        assert archive.read(f"市政协党组/{SECOND}/照片.jpg") == read(evidence[0].file)


def test_the_board_links_to_the_quarters_zip_with_evidence(client, overseer, approved):
    page = download(client, overseer, reverse("tracking:board") + "?year=2023").content.decode()
    assert reverse("reports:export_zip", args=[2023, 1]) + "?evidence=1" in page
    assert "含佐证材料" in page
