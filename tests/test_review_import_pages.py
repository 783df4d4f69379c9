"""The page of a leader's Word file: upload, preview, then suggestions and comments."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Comment, Report, Suggestion
from reports.review import workflow
from reports.word.review_copy import render_review_docx
from reports.word.writer import render_docx
from tests.fixtures import LATE_REASON
from tests.leader_edit import LeaderEdit

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def upload(client, report, data, name="领导改稿.docx"):
    return client.post(reverse("reports:review_import", args=[report.pk]),
                       {"file": SimpleUploadedFile(name, data, content_type=DOCX)})


def test_a_leaders_file_is_previewed_then_imported(client, small, drafter, reviewer):
    workflow.perform(workflow.SUBMIT, small, actor=drafter, comment=LATE_REASON)
    report = Report.objects.get(pk=small.pk)
    edit = LeaderEdit(render_review_docx(report))
    edit.replace("集中", "全覆盖")
    edit.comment("调查研究", "不够深入", "请写明下一步整改措施。")
    client.force_login(reviewer)
    response = upload(client, report, edit.save())
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "找到 1 处修改、1 条批注，0 处未能对应" in preview
    assert "<del>集中</del><ins>全覆盖</ins>" in preview and "请写明下一步整改措施。" in preview
    assert not Suggestion.objects.exists(), "nothing is created before the click"
    done = client.post(response["Location"], follow=True).content.decode()
    assert "已导入 1 条修改建议、1 条批注" in done
    suggestion = Suggestion.objects.get()
    assert (suggestion.label, suggestion.after, suggestion.author_name, suggestion.source) == (
        "一、（一）三是", "开展全覆盖宣讲。", "李建国", "word")
    comment = Comment.objects.get(text="请写明下一步整改措施。")
    assert (comment.place, comment.author_name, comment.author) == ("二、一是", "李建国", reviewer)
    # the same key again: gone, said so, nothing doubled
    again = client.post(response["Location"], follow=True).content.decode()
    assert "要导入的文件已不在" in again and Suggestion.objects.count() == 1


def test_a_file_read_before_the_report_was_submitted_again_is_not_imported(client, small, drafter, reviewer):
    edit = LeaderEdit(render_docx(small))
    edit.replace("集中", "全覆盖")
    client.force_login(drafter)
    response = upload(client, small, edit.save())
    workflow.perform(workflow.SUBMIT, small, actor=drafter, comment=LATE_REASON)
    workflow.perform(workflow.RETURN, Report.objects.get(pk=small.pk), actor=reviewer, comment="再改。")
    page = client.post(response["Location"], follow=True).content.decode()
    assert "又提交了一次" in page and not Suggestion.objects.exists()


def test_a_wrong_file_is_refused_on_the_page_and_creates_nothing(client, small, drafter):
    client.force_login(drafter)
    response = upload(client, small, b"%PDF-1.4 not a word file", name="报告.pdf")
    assert response.status_code == 422
    assert "PDF" in response.content.decode()
    missing = client.post(reverse("reports:review_import", args=[small.pk]))
    assert missing.status_code == 422 and "请选择领导改过的 Word 文件" in missing.content.decode()
    assert not Suggestion.objects.exists() and not Comment.objects.exists()


def test_a_file_of_the_text_as_it_now_stands_is_read_against_it(small, drafter, reviewer):
    from reports.models import Item
    from reports.word.importing.review import read_review

    workflow.perform(workflow.SUBMIT, small, actor=drafter, comment=LATE_REASON)
    workflow.perform(workflow.RETURN, Report.objects.get(pk=small.pk), actor=reviewer, comment="再改。")
    Item.objects.filter(text="开展集中宣讲。").update(text="开展集中宣讲和专题辅导。")  # the drafter's own edit
    report = Report.objects.get(pk=small.pk)
    edit = LeaderEdit(render_docx(report))  # exported as it now stands, sent to the leader
    edit.replace("专题研讨会", "专题研讨会两次")
    reading = read_review(report, edit.save())
    assert reading.base_label == "当前文本"
    assert [(s["part"], s["after"], s["tracked"]) for s in reading.as_json()["suggestions"]] == [
        ("一、（一）二是", "召开专题研讨会两次。", True)]
    # the submitted text's file is still read against the submission
    submitted = LeaderEdit(render_review_docx(report))
    assert read_review(report, submitted.save()).base_label == "第1次提交"
