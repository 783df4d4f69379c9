"""What a report carries over from last quarter: the ledger's open entries with this quarter's
progress (上季度问题整改情况) and last quarter's plans as a checklist (上季度工作打算落实情况), typed
once in the editor's panels and printed as generated parts."""

from datetime import date

import pytest
from django.urls import reverse

from reports.document.model import build_document
from reports.drafting import editing
from reports.drafting.checks import PLAN_UNANSWERED, find_problems
from reports.models import Item, PlanCheck, Problem, ProblemProgress, Section
from reports.review import workflow
from reports.tracking import carried, ledger
from reports.tracking.carried import CarriedRefused
from tests.fixtures import LATE_REASON, report_record

PROBLEM = "委员队伍党的建设还需进一步加强。"
PLANS = ["持续深化理论学习，制定年度学习计划。", "加强委员队伍党的建设。"]


@pytest.fixture
def quarters(report_factory, tree, drafter, reviewer):
    """市政协党组's Q1, approved with one problem and two plans, and its Q2 draft."""
    q1 = report_factory(tree["cppcc"], quarter=1, sections=[
        ("主要做法", "practices", ["认真学习。"]), ("存在的主要问题", "problems", [PROBLEM]),
        ("下一步的打算", "next_steps", PLANS),
    ])
    workflow.submit(q1, actor=drafter, notify=False, late_reason=LATE_REASON)
    workflow.approve(q1, actor=reviewer, notify=False)
    q2 = report_factory(tree["cppcc"], quarter=2, sections=[
        ("主要做法", "practices", ["继续学习。"]), ("存在的主要问题", "problems", ["新的问题。"]),
        ("下一步的打算", "next_steps", ["下一步。"]),
    ])
    return q1, q2


def printed(report):
    return build_document(report).text


def test_last_quarters_problem_prints_with_this_quarters_progress(quarters, drafter):
    _q1, q2 = quarters
    problem = Problem.objects.get()
    section = editing.print_generated_part(user=drafter, report=q2, kind=Section.Kind.RECTIFICATION, on=True)
    # Placed before 存在的主要问题, under its own title.
    assert list(q2.sections.values_list("title", flat=True)) == [
        "主要做法", "上季度问题整改情况", "存在的主要问题", "下一步的打算"]
    assert section.kind == Section.Kind.RECTIFICATION

    carried.save_progress(q2, problem, actor=drafter, progress="召开专题会议，制定委员联络制度；", measures="建立联络制度",
                          leader="张三", department="机关党委", deadline=date(2023, 6, 30))

    assert "二、上季度问题整改情况\n一是针对“委员队伍党的建设还需进一步加强”的问题，召开专题会议，制定委员联络制度，" \
           "正在整改，整改时限为2023年6月30日。" in printed(q2)
    problem.refresh_from_db()
    assert (problem.measures, problem.leader, problem.department, problem.deadline) == (
        "建立联络制度", "张三", "机关党委", date(2023, 6, 30))
    # The change of the entry is in its trail, with who made it; progress reported is rectification begun.
    assert problem.history.filter(leader="张三").first().history_user == drafter
    assert problem.status == "in_progress"
    assert problem.events.order_by("id").last().action == "start"


def test_a_closed_entry_prints_as_rectified_with_its_outcome(quarters, drafter, reviewer):
    _q1, q2 = quarters
    problem = Problem.objects.get()
    editing.print_generated_part(user=drafter, report=q2, kind=Section.Kind.RECTIFICATION, on=True)
    carried.save_progress(q2, problem, actor=drafter, progress="", measures="", leader="", department="", deadline=None)
    ledger.act(problem, ledger.CLOSE, actor=reviewer, comment="已建立委员联络制度，覆盖全部党员委员。")
    assert "一是针对“委员队伍党的建设还需进一步加强”的问题，已建立委员联络制度，覆盖全部党员委员，已完成整改。" in printed(q2)
    # A closed entry's measures and deadline are the record: they no longer change.
    with pytest.raises(CarriedRefused):
        carried.save_progress(q2, problem, actor=drafter, progress="", measures="改", leader="", department="", deadline=None)


def test_the_part_is_off_until_chosen_and_can_be_removed_without_losing_what_was_typed(quarters, drafter):
    _q1, q2 = quarters
    problem = Problem.objects.get()
    carried.save_progress(q2, problem, actor=drafter, progress="制定方案", measures="", leader="", department="", deadline=None)
    assert "上季度问题整改情况" not in printed(q2)
    editing.print_generated_part(user=drafter, report=q2, kind=Section.Kind.RECTIFICATION, on=True)
    editing.print_generated_part(user=drafter, report=q2, kind=Section.Kind.RECTIFICATION, on=True)  # twice: one part
    assert printed(q2).count("上季度问题整改情况") == 1
    editing.print_generated_part(user=drafter, report=q2, kind=Section.Kind.RECTIFICATION, on=False)
    assert "上季度问题整改情况" not in printed(q2)
    assert ProblemProgress.objects.get(report=q2).text == "制定方案"


def test_no_item_or_heading_can_be_typed_into_a_generated_part(quarters, drafter):
    _q1, q2 = quarters
    section = editing.print_generated_part(user=drafter, report=q2, kind=Section.Kind.PLANS_DONE, on=True)
    before = report_record(q2)
    with pytest.raises(editing.WrongPlace):
        editing.add_item(user=drafter, report=q2, section=section)
    with pytest.raises(editing.WrongPlace):
        editing.add_heading(user=drafter, report=q2, section=section)
    assert report_record(q2) == before


def test_last_quarters_plans_are_the_checklist_and_block_submission_until_answered(quarters, drafter):
    _q1, q2 = quarters
    assert [plan.text for plan in carried.plans(q2)] == PLANS
    unanswered = [p.message for p in find_problems(q2) if p.kind == PLAN_UNANSWERED]
    assert unanswered == [f"上季度工作打算“{PLANS[0]}”尚未填写落实情况", f"上季度工作打算“{PLANS[1]}”尚未填写落实情况"]
    carried.answer_plan(q2, 1, actor=drafter, answer="done", note="")
    with pytest.raises(workflow.ReportIncomplete) as refused:
        workflow.submit(q2, actor=drafter, notify=False, late_reason=LATE_REASON)
    assert [p.message for p in refused.value.problems] == [f"上季度工作打算“{PLANS[1]}”尚未填写落实情况"]

    carried.answer_plan(q2, 2, actor=drafter, answer="partly", note="党员委员联络制度已建立，覆盖面还不够")
    editing.print_generated_part(user=drafter, report=q2, kind=Section.Kind.PLANS_DONE, on=True)
    assert ("一是“持续深化理论学习，制定年度学习计划”已落实。二是“加强委员队伍党的建设”部分落实，"
            "党员委员联络制度已建立，覆盖面还不够。") in printed(q2)
    workflow.submit(q2, actor=drafter, notify=False, late_reason=LATE_REASON)
    assert q2.status == "submitted"


@pytest.mark.parametrize("answer, note, code", [
    ("", "", "answer_required"), ("maybe", "", "answer_required"),
    ("partly", "", "note_required"), ("not_done", "  。", "note_required"),
    ("done", "长" * 2001, "too_long"),
])
def test_a_refused_answer_writes_nothing(quarters, drafter, answer, note, code):
    _q1, q2 = quarters
    with pytest.raises(CarriedRefused) as refused:
        carried.answer_plan(q2, 1, actor=drafter, answer=answer, note=note)
    assert refused.value.code == code
    assert not PlanCheck.objects.exists()


def test_a_plan_no_longer_listed_is_refused(quarters, drafter):
    _q1, q2 = quarters
    with pytest.raises(CarriedRefused) as refused:
        carried.answer_plan(q2, 3, actor=drafter, answer="done", note="")
    assert "刷新" in refused.value.message


def test_a_submitted_report_keeps_what_it_said_though_the_ledger_moves_on(quarters, drafter, reviewer, make_user, tree):
    q1, q2 = quarters
    problem = Problem.objects.get()
    editing.print_generated_part(user=drafter, report=q2, kind=Section.Kind.RECTIFICATION, on=True)
    carried.save_progress(q2, problem, actor=drafter, progress="制定方案", measures="", leader="", department="",
                          deadline=None)
    for plan in carried.plans(q2):
        carried.answer_plan(q2, plan.position, actor=drafter, answer="done", note="")
    Item.objects.filter(section__report=q2, section__kind="problems").update(text="新的问题已整改。")
    workflow.submit(q2, actor=drafter, notify=False, late_reason=LATE_REASON)
    workflow.approve(q2, actor=make_user(organization=tree["cppcc"], role="reviewer"), notify=False)
    before = printed(q2)
    # Later the entry is closed and last quarter's plans are rewritten (Q1 reopened and edited).
    ledger.act(problem, ledger.CLOSE, actor=reviewer, comment="整改完毕。")
    Item.objects.filter(section__report=q1, section__kind="next_steps").update(text="改写后的打算。")
    assert printed(q2) == before
    assert "正在整改" in before


def test_a_problem_opened_before_approval_is_not_entered_twice(quarters, drafter, reviewer):
    _q1, q2 = quarters
    opened = ledger.open_early(q2, "新的问题。", actor=drafter)
    assert (opened.found_year, opened.found_quarter, opened.status) == (2023, 2, "open")
    assert ledger.open_early(q2, "新的问题", actor=drafter) == opened
    # Found this quarter: it is no 上季度 problem, and has no progress to tell.
    assert carried.save_progress(q2, opened, actor=drafter, progress="进展", measures="措施", leader="", department="",
                                 deadline=date(2023, 9, 30)) is None
    assert opened.id not in [entry.problem.id for entry in carried.rectified(q2)]
    for plan in carried.plans(q2):
        carried.answer_plan(q2, plan.position, actor=drafter, answer="done", note="")
    workflow.submit(q2, actor=drafter, notify=False, late_reason=LATE_REASON)
    workflow.approve(q2, actor=reviewer, notify=False)
    assert Problem.objects.filter(text__startswith="新的问题").count() == 1
    opened.refresh_from_db()
    assert opened.measures == "措施" and opened.mentions.get().report == q2


def test_the_editor_panel_saves_progress_and_answers_with_its_own_block(quarters, client, drafter):
    _q1, q2 = quarters
    problem = Problem.objects.get()
    client.force_login(drafter)
    page = client.get(reverse("reports:edit", args=[q2.pk])).content.decode()
    assert "本季度整改进展" in page and PLANS[0] in page and "在报告中列为“上季度问题整改情况”" in page

    response = client.post(reverse("reports:problem_progress", args=[q2.pk, problem.pk]),
                           {"progress": "制定方案", "measures": "", "leader": "", "department": "", "deadline": "2023-13-01"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "请填写有效的日期" in response.content.decode() and "制定方案" in response.content.decode()
    assert not ProblemProgress.objects.exists()

    response = client.post(reverse("reports:problem_progress", args=[q2.pk, problem.pk]),
                           {"progress": "制定方案", "measures": "", "leader": "张三", "department": "", "deadline": "2023-06-30"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "measuresChanged" in response["HX-Trigger"]
    assert ProblemProgress.objects.get(report=q2).text == "制定方案"

    response = client.post(reverse("reports:plan_answer", args=[q2.pk, 1]), {"answer": "partly", "note": ""},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "请用一句话说明" in response.content.decode()
    response = client.post(reverse("reports:plan_answer", args=[q2.pk, 1]), {"answer": "partly", "note": "已开展两次"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and PlanCheck.objects.get().note == "已开展两次"


def test_another_bodys_drafter_can_neither_see_nor_write(quarters, client, make_user, tree):
    _q1, q2 = quarters
    problem = Problem.objects.get()
    client.force_login(make_user(organization=tree["congress"], role="drafter"))
    response = client.post(reverse("reports:problem_progress", args=[q2.pk, problem.pk]), {"progress": "改"})
    assert response.status_code == 404
    response = client.post(reverse("reports:plan_answer", args=[q2.pk, 1]), {"answer": "done"})
    assert response.status_code == 404
    assert not ProblemProgress.objects.exists() and not PlanCheck.objects.exists()


def test_a_leader_too_long_is_refused_whole_not_cut(quarters, drafter):
    _q1, q2 = quarters
    problem = Problem.objects.get()
    with pytest.raises(CarriedRefused) as refused:
        carried.save_progress(q2, problem, actor=drafter, progress="", measures="", leader="长" * 101, department="",
                              deadline=None)
    assert refused.value.message == "责任领导最多 100 个字符，现有 101 个。"
    problem.refresh_from_db()
    assert problem.leader == ""


def test_a_section_cannot_turn_into_a_generated_part_nor_back(quarters, drafter):
    _q1, q2 = quarters
    generated = editing.print_generated_part(user=drafter, report=q2, kind=Section.Kind.RECTIFICATION, on=True)
    typed = q2.sections.get(kind="practices")
    for section, kind in ((typed, Section.Kind.PLANS_DONE), (generated, Section.Kind.PRACTICES)):
        q2.refresh_from_db()
        values = editing.part_values(section, "section")
        before = report_record(q2)
        with pytest.raises(editing.EditRefused) as refused:
            editing.save_part(user=drafter, report=q2, kind="section", obj=section, values={**values, "kind": kind},
                              base_version=q2.version, base_fingerprint=editing.fingerprint(values))
        assert refused.value.code == "generated_kind"
        assert report_record(q2) == before
    # The form offers what may be chosen: the typed kinds, or the generated part's own.
    from reports.drafting.forms import SectionForm

    assert "rectification" not in dict(SectionForm.for_part(typed, q2).fields["kind"].choices)
    assert list(dict(SectionForm.for_part(generated, q2).fields["kind"].choices)) == ["rectification"]
