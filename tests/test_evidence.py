"""佐证材料 bound to claims: who may attach, rename and delete, the limits, what a submission
freezes, what readers see (counts, missing evidence, reused files) and the pages that serve files."""

import io
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from reports.drafting.editing import EditRefused
from reports.evidence import attach
from reports.evidence.kinds import EvidenceRefused
from reports.models import Evidence, EvidenceFile, Membership, Problem, Report, SubmittedFile
from reports.review import workflow
from reports.review.timeline import timeline_entries
from reports.review.workflow import ReportIncomplete
from reports.tracking import carried, ledger
from tests.fixtures import LATE_REASON

pytestmark = pytest.mark.django_db


def png(colour=(200, 30, 30), size=(40, 30)):
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, "PNG")
    return output.getvalue()


def pdf():
    """The same bytes each call: Pillow would date the file to the second it is written."""
    output = io.BytesIO()
    written = time.gmtime(1672531200)
    Image.new("RGB", (200, 280), "white").save(output, "PDF", creationDate=written, modDate=written)
    return output.getvalue()


def docx_bytes(content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         f'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="{content_type}"/>'
                         "</Types>")
        archive.writestr("word/document.xml", "<w:document/>")
    return output.getvalue()


@pytest.fixture
def draft(report_factory, tree, measure_factory):
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["召开学习会议3次。", "开展谈心谈话。"]),
                                                     ("存在的主要问题", "problems", ["学用结合不够紧密。"])])
    measure_factory(report, "学习会议", value=Decimal(3))
    return report


def target(report, number):
    items = list(report.sections.get(kind="practices").items.order_by("position"))
    return f"item-{items[number - 1].pk}"


def measure_target(report):
    return f"measure-{report.measure_values.get().measure_id}"


# Attaching -----------------------------------------------------------------------------------


def test_a_drafter_binds_files_to_claims_and_the_same_bytes_are_stored_once(draft, drafter):
    photo = attach.attach(draft, target=target(draft, 1), name="会议照片.png", data=png(), actor=drafter)
    again = attach.attach(draft, target=measure_target(draft), name="照片副本.png", data=png(), actor=drafter)
    whole = attach.attach(draft, target="", name="通知.pdf", data=pdf(), actor=drafter, title="  学习通知  ")
    assert photo.title == "会议照片" and again.title == "照片副本" and whole.title == "学习通知"
    assert photo.file_id == again.file_id and EvidenceFile.objects.count() == 2
    assert attach.counts(draft) == {target(draft, 1): 1, measure_target(draft): 1, "": 1}
    # The report's total counts each file once.
    assert attach.report_size(draft) == photo.file.size + whole.file.size


def test_only_the_bodys_drafters_attach_and_only_while_the_report_is_editable(draft, drafter, reviewer):
    with pytest.raises(EditRefused):
        attach.attach(draft, target="", name="a.png", data=png(), actor=reviewer)
    Report.objects.filter(pk=draft.pk).update(status="submitted")
    draft.refresh_from_db()
    with pytest.raises(EditRefused, match="已提交"):
        attach.attach(draft, target="", name="a.png", data=png(), actor=drafter)
    assert not Evidence.objects.exists() and not EvidenceFile.objects.exists()


def test_a_claim_the_report_does_not_make_is_refused(draft, drafter, report_factory, tree):
    other = report_factory(tree["congress"], sections=[("主要做法", "practices", ["别的单位的条目。"])])
    foreign_item = f"item-{other.sections.get().items.get().pk}"
    for bad in (foreign_item, "item-999999", "measure-x", "../../etc", "problem-1"):
        with pytest.raises(EvidenceRefused) as refused:
            attach.attach(draft, target=bad, name="a.png", data=png(), actor=drafter)
        assert refused.value.code == "no_claim"
    assert not EvidenceFile.objects.exists()


def test_the_report_limit_refuses_the_file_that_does_not_fit_and_stores_nothing(draft, drafter, settings):
    settings.JIBAO_EVIDENCE_MAX_REPORT_MB = 1
    big = b"%PDF-1.4\n" + b"0" * (600 * 1024) + b"\n%%EOF"
    attach.attach(draft, target="", name="一.pdf", data=big, actor=drafter)
    with pytest.raises(EvidenceRefused, match="合计不能超过 1 MB") as refused:
        attach.attach(draft, target="", name="二.pdf", data=big.replace(b"0", b"1"), actor=drafter)
    assert refused.value.code == "report_too_large"
    assert EvidenceFile.objects.count() == 1 and draft.evidence.count() == 1
    # The same bytes again take no more room: they are the same file.
    attach.attach(draft, target=target(draft, 1), name="一.pdf", data=big, actor=drafter)
    assert draft.evidence.count() == 2


def test_rename_and_delete_with_the_bytes_going_with_their_last_use(draft, drafter, report_factory, tree, make_user,
                                                                   django_capture_on_commit_callbacks):
    evidence = attach.attach(draft, target="", name="a.png", data=png(), actor=drafter)
    attach.rename(evidence, "\t会议\x07照片 ", actor=drafter)
    assert Evidence.objects.get(pk=evidence.pk).title == "会议照片"
    with pytest.raises(EvidenceRefused):
        attach.rename(evidence, "  ", actor=drafter)
    with pytest.raises(EvidenceRefused, match="最多 200 个字"):
        attach.rename(evidence, "字" * 201, actor=drafter)
    # Another body's report uses the same bytes: deleting this use keeps them for that one.
    colleague = make_user(organization=tree["congress"], role=Membership.Role.DRAFTER)
    other = report_factory(tree["congress"], sections=[("主要做法", "practices", ["一项。"])])
    attach.attach(other, target="", name="b.png", data=png(), actor=colleague)
    stored, small = evidence.file.storage_name, evidence.file.thumbnail_name
    with django_capture_on_commit_callbacks(execute=True):
        attach.remove(evidence, actor=drafter)
    assert default_storage.exists(stored) and EvidenceFile.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        other.delete()  # a draft deleted (in the admin): its last use goes, and the bytes and thumbnail with it
    assert not default_storage.exists(stored) and not default_storage.exists(small) and not EvidenceFile.objects.exists()


def test_deleting_a_draft_deletes_no_file_another_claim_still_uses(draft, drafter, report_factory, tree,
                                                                  django_capture_on_commit_callbacks):
    second = report_factory(tree["cppcc"], quarter=2, sections=[("主要做法", "practices", ["一项。"])])
    notice = pdf()
    shared = attach.attach(draft, target="", name="a.pdf", data=notice, actor=drafter).file
    own = attach.attach(draft, target="", name="b.png", data=png(), actor=drafter).file
    assert attach.attach(second, target="", name="a.pdf", data=notice, actor=drafter).file == shared
    with django_capture_on_commit_callbacks(execute=True):
        draft.delete()
    assert EvidenceFile.objects.filter(pk=shared.pk).exists() and default_storage.exists(shared.storage_name)
    assert not EvidenceFile.objects.filter(pk=own.pk).exists() and not default_storage.exists(own.storage_name)


# Submission ------------------------------------------------------------------------------------


def test_a_submission_freezes_the_files_by_hash_and_keeps_their_bytes(draft, drafter, reviewer,
                                                                      django_capture_on_commit_callbacks):
    evidence = attach.attach(draft, target=target(draft, 1), name="照片.png", data=png(), actor=drafter)
    workflow.submit(draft, actor=drafter, late_reason=LATE_REASON)
    frozen = SubmittedFile.objects.get(submission__report=draft)
    assert (frozen.file.sha256, frozen.target, frozen.title) == (evidence.file.sha256, target(draft, 1), "照片")
    with pytest.raises(EditRefused):
        attach.remove(evidence, actor=drafter)
    workflow.return_for_revision(draft, actor=reviewer, comment="补充材料")
    with django_capture_on_commit_callbacks(execute=True):
        attach.remove(Evidence.objects.get(pk=evidence.pk), actor=drafter)
    # The first round listed the file: what the reviewer saw can still be opened.
    assert default_storage.exists(frozen.file.storage_name)


def test_a_measure_that_needs_evidence_holds_submission_until_it_has_a_file(draft, drafter):
    measure = draft.measure_values.get().measure
    measure.needs_evidence = True
    measure.save()
    with pytest.raises(ReportIncomplete) as incomplete:
        workflow.submit(draft, actor=drafter, late_reason=LATE_REASON)
    assert [problem.message for problem in incomplete.value.problems] == ["统计数“学习会议”需要上传佐证材料"]
    attach.attach(draft, target=measure_target(draft), name="签到表.pdf", data=pdf(), actor=drafter)
    workflow.submit(draft, actor=drafter, late_reason=LATE_REASON)
    assert Report.objects.get(pk=draft.pk).status == "submitted"


def test_a_measure_counted_as_zero_needs_no_evidence(draft, drafter):
    value = draft.measure_values.get()
    value.measure.needs_evidence = True
    value.measure.save()
    value.value = Decimal(0)
    value.save()
    assert attach.required_missing(draft) == [] and attach.missing(draft) == []


# What readers see --------------------------------------------------------------------------------


def test_measures_and_rectified_problems_without_evidence_are_missing(draft, drafter, reviewer, report_factory, tree):
    assert [m.claim.target for m in attach.missing(draft)] == [measure_target(draft)]
    problem = Problem.objects.create(organization=tree["cppcc"], text="学用结合不够紧密。", found_year=2022, found_quarter=4)
    carried.save_progress(draft, problem, actor=drafter, progress="制定学习计划。", measures="", leader="",
                          department="", deadline=None)
    assert [m.claim.target for m in attach.missing(draft)] == [measure_target(draft)]  # in progress: not yet
    ledger.act(problem, ledger.PROPOSE, actor=drafter, comment="已完成。")
    ledger.act(problem, ledger.CLOSE, actor=reviewer)
    missing = [m.claim for m in attach.missing(draft)]
    assert [c.target for c in missing] == [measure_target(draft), f"problem-{problem.pk}"]
    assert missing[1].label == "问题整改：学用结合不够紧密。"
    attach.attach(draft, target=f"problem-{problem.pk}", name="整改报告.pdf", data=pdf(), actor=drafter)
    assert [m.claim.target for m in attach.missing(draft)] == [measure_target(draft)]


def test_one_file_for_two_claims_of_a_report_is_flagged_on_both(draft, drafter):
    first = attach.attach(draft, target=target(draft, 1), name="a.png", data=png(), actor=drafter)
    second = attach.attach(draft, target=target(draft, 2), name="b.png", data=png(), actor=drafter)
    attach.attach(draft, target="", name="c.pdf", data=pdf(), actor=drafter)
    flags = attach.reuses(draft, drafter, other_bodies=False)
    assert set(flags) == {first.pk, second.pk}
    assert [r.where for r in flags[first.pk]] == ["本报告的“一、主要做法 二是：开展谈心谈话。”"]


def test_one_file_closing_two_ledger_entries_in_two_quarters_is_flagged(draft, drafter, report_factory, tree):
    q2 = report_factory(tree["cppcc"], quarter=2, sections=[("主要做法", "practices", ["一项。"])])
    old = Problem.objects.create(organization=tree["cppcc"], text="问题甲。", found_year=2022, found_quarter=4)
    newer = Problem.objects.create(organization=tree["cppcc"], text="问题乙。", found_year=2023, found_quarter=1)
    attach.attach(draft, target=f"problem-{old.pk}", name="整改.pdf", data=pdf(), actor=drafter)
    used = attach.attach(q2, target=f"problem-{newer.pk}", name="整改.pdf", data=pdf(), actor=drafter)
    same_entry = attach.attach(q2, target=f"problem-{old.pk}", name="整改.pdf", data=pdf(), actor=drafter)
    flags = attach.reuses(q2, drafter, other_bodies=False)
    assert [r.where for r in flags[used.pk]][-1] == "市政协党组2023年第一季度报告的“问题整改：问题甲。”"
    # The same entry's evidence shown again a quarter later is no reuse of it across reports.
    assert all("2023年第一季度" not in r.where for r in flags[same_entry.pk])


def test_a_file_used_by_another_body_is_shown_to_readers_as_far_as_they_may_see(
        draft, drafter, reviewer, overseer, report_factory, tree, make_user):
    colleague = make_user(organization=tree["congress"], role=Membership.Role.DRAFTER)
    other = report_factory(tree["congress"], sections=[("主要做法", "practices", ["一项。"])])
    attach.attach(other, target="", name="照片.png", data=png(), actor=colleague)
    mine = attach.attach(draft, target="", name="照片.png", data=png(), actor=drafter)
    # The drafter is not told of another body's report; the body's reviewer learns there is one;
    # the overseer, who sees both, is given the body and a link.
    assert attach.reuses(draft, drafter, other_bodies=False) == {}
    assert [r.where for r in attach.reuses(draft, reviewer, other_bodies=True)[mine.pk]] == ["另外 1 个单位的报告"]
    seen = attach.reuses(draft, overseer, other_bodies=True)[mine.pk]
    assert seen[0].where == "市人大常委会党组2023年第一季度报告的“整份报告”"
    assert seen[0].url == reverse("reports:detail", args=[other.pk])


def test_uploads_renames_and_deletions_are_in_the_timeline(draft, drafter):
    evidence = attach.attach(draft, target="", name="照片.png", data=png(), actor=drafter)
    attach.rename(evidence, "学习会议照片", actor=drafter)
    attach.remove(evidence, actor=drafter)
    shown = [(entry.what, entry.detail or "".join(text for _op, text in entry.segments)) for entry in timeline_entries(draft)]
    assert ("删除佐证材料", "学习会议照片") in shown and ("新增佐证材料", "照片") in shown
    assert any(what == "修改佐证材料" for what, _detail in shown)


# Pages -------------------------------------------------------------------------------------------


def upload(client, report, name, data, target="", **headers):
    handle = io.BytesIO(data)
    handle.name = name
    return client.post(reverse("reports:evidence_upload", args=[report.pk]), {"files": handle, "target": target},
                       headers={"Accept": "application/json", **headers})


REFUSED = [
    ("程序.pdf", b"MZ\x90\x00" + b"\x00" * 100, "可执行程序"),
    ("图.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
    ("宏.docm", docx_bytes("application/vnd.ms-word.document.macroEnabled.main+xml"), "含有宏"),
    ("空.txt", b"", "空文件"),
]


@pytest.mark.parametrize(("name", "data", "said"), REFUSED, ids=["exe", "svg", "docm", "empty"])
def test_the_upload_refuses_with_the_reason_and_stores_nothing(client, draft, drafter, name, data, said):
    client.force_login(drafter)
    response = upload(client, draft, name, data)
    assert response.status_code == 422 and said in response.json()["message"] and name in response.json()["message"]
    assert not EvidenceFile.objects.exists() and not Evidence.objects.exists()


def test_a_file_is_served_only_to_readers_of_its_report(client, draft, drafter, reviewer, make_user, tree):
    client.force_login(drafter)
    assert upload(client, draft, "通知.pdf", pdf()).json() == {"ok": True}
    assert upload(client, draft, "方案.docx", docx_bytes(), target=target(draft, 1)).json() == {"ok": True}
    shown, downloaded = draft.evidence.order_by("id")
    client.force_login(reviewer)
    response = client.get(reverse("reports:evidence_file", args=[draft.pk, shown.pk]))
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline") and b"".join(response.streaming_content).startswith(b"%PDF")
    response = client.get(reverse("reports:evidence_file", args=[draft.pk, downloaded.pk]))
    assert response["Content-Disposition"].startswith("attachment") and "filename*=utf-8''%E6%96%B9%E6%A1%88.docx" in \
        response["Content-Disposition"]
    thumbnail = client.get(reverse("reports:evidence_thumbnail", args=[draft.pk, shown.pk]))
    assert thumbnail["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).size[1] == 240  # a PDF's first page, drawn
    # Another body's drafter, and a report that does not hold the file, get nothing.
    client.force_login(make_user(organization=tree["congress"], role=Membership.Role.DRAFTER))
    assert client.get(reverse("reports:evidence_file", args=[draft.pk, shown.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("reports:evidence_file", args=[draft.pk, shown.pk])).status_code == 302


def test_the_panel_lists_files_by_claim_and_the_editor_counts_them(client, draft, drafter):
    client.force_login(drafter)
    upload(client, draft, "照片.png", png(), target=target(draft, 1))
    upload(client, draft, "照片2.png", png((0, 0, 255)), target=target(draft, 1))
    upload(client, draft, "签到表.pdf", pdf(), target=measure_target(draft))
    page = client.get(reverse("reports:edit", args=[draft.pk])).content.decode()
    assert "佐证 2" in page and "佐证 1" in page
    panel = client.get(reverse("reports:evidence", args=[draft.pk])).content.decode()
    groups = panel[panel.index('class="evidence-group"'):]
    assert groups.index(f'id="evidence-{target(draft, 1)}"') < groups.index("照片2") \
        < groups.index(f'id="evidence-{measure_target(draft)}"') < groups.index("签到表")


def test_a_plain_form_upload_of_several_files_reports_each(client, draft, drafter):
    client.force_login(drafter)
    good, bad = io.BytesIO(png()), io.BytesIO(b"")
    good.name, bad.name = "照片.png", "空.txt"
    response = client.post(reverse("reports:evidence_upload", args=[draft.pk]), {"files": [good, bad], "target": ""},
                           follow=True)
    text = response.content.decode()
    assert "已上传 1 个文件" in text and "“空.txt”是空文件" in text and draft.evidence.count() == 1


def test_an_upload_to_a_submitted_report_is_refused_in_chinese(client, draft, drafter):
    client.force_login(drafter)
    Report.objects.filter(pk=draft.pk).update(status="submitted")
    response = upload(client, draft, "照片.png", png())
    assert response.status_code == 403 and "不能再修改" in response.json()["message"]
    assert not EvidenceFile.objects.exists()


def test_delete_and_rename_through_the_panel(client, draft, drafter, django_capture_on_commit_callbacks):
    client.force_login(drafter)
    upload(client, draft, "照片.png", png())
    evidence = draft.evidence.get()
    response = client.post(reverse("reports:evidence_rename", args=[draft.pk, evidence.pk]), {"title": ""},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "请填写文件标题" in response.content.decode()
    client.post(reverse("reports:evidence_rename", args=[draft.pk, evidence.pk]), {"title": "会场"},
                headers={"HX-Request": "true"})
    assert Evidence.objects.get().title == "会场"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:evidence_delete", args=[draft.pk, evidence.pk]),
                               headers={"HX-Request": "true"})
    assert response.status_code == 200 and "会场" not in response.content.decode()
    assert not Evidence.objects.exists() and not EvidenceFile.objects.exists()


def test_a_file_over_the_limit_is_skipped_as_it_arrives_and_named(client, draft, drafter, settings):
    settings.JIBAO_EVIDENCE_MAX_FILE_MB = 1
    client.force_login(drafter)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    response = upload(client, draft, "扫描件.pdf", big)
    assert response.status_code == 422
    assert response.json()["message"] == "“扫描件.pdf”超过了每个文件 1 MB 的上限。"
    assert not EvidenceFile.objects.exists()


def test_an_upload_needs_the_csrf_token(draft, drafter):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(drafter)
    response = upload(client, draft, "照片.png", png())
    assert response.status_code == 403 and not Evidence.objects.exists()
