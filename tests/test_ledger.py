"""The 问题整改台账: problems enter it when their report is approved, are named again rather than
duplicated, and move through their states only as the table allows, each move recorded."""

import pytest

from reports.models import Membership, Problem, ProblemEvent, Report
from reports.review import workflow
from reports.tracking import ledger
from reports.tracking.ledger import CLOSE, PROPOSE, REOPEN, START, LedgerRefused
from tests.fixtures import LATE_REASON

PROBLEMS = ["委员队伍党的建设还需进一步加强。", "意识形态领域仍然存在风险点，需要进一步压实主体责任。"]


@pytest.fixture
def approve(report_factory, tree, drafter, reviewer):
    """A report of 市政协党组 for the quarter with these problems, submitted and approved."""

    def make(quarter, problems, year=2023):
        report = report_factory(tree["cppcc"], year=year, quarter=quarter, sections=[
            ("主要做法", "practices", ["认真学习。"]), ("存在的主要问题", "problems", problems),
        ])
        workflow.submit(report, actor=drafter, notify=False, late_reason=LATE_REASON)
        workflow.approve(report, actor=reviewer, notify=False)
        return report

    return make


def test_an_approved_reports_problems_enter_the_ledger(approve, tree, reviewer):
    report = approve(1, PROBLEMS)
    entries = list(Problem.objects.order_by("id"))
    assert [entry.text for entry in entries] == PROBLEMS
    assert all((e.organization, e.found_year, e.found_quarter, e.status) == (tree["cppcc"], 2023, 1, "open") for e in entries)
    found = ProblemEvent.objects.get(problem=entries[0])
    assert (found.action, found.to_status, found.actor, found.report) == ("found", "open", reviewer, report)
    assert [ledger.quarters_named(entry) for entry in entries] == [1, 1]


def test_a_draft_or_a_submission_enters_nothing(report_factory, tree, drafter):
    report = report_factory(tree["cppcc"], sections=[("存在的主要问题", "problems", PROBLEMS)])
    workflow.submit(report, actor=drafter, notify=False, late_reason=LATE_REASON)
    assert not Problem.objects.exists()


def test_a_problem_named_again_is_the_same_entry_and_its_age_grows(approve):
    approve(1, PROBLEMS)
    # Retyped next quarter with a word changed: the same problem, not a second entry.
    approve(2, ["委员队伍的党的建设仍需进一步加强。", "新发现：个别支部组织生活不够规范。"])
    approve(3, ["委员队伍党的建设还需进一步加强！"])
    assert Problem.objects.count() == 3
    repeated = Problem.objects.get(text=PROBLEMS[0])
    assert ledger.quarters_named(repeated) == 3  # the third quarter running
    assert repeated.mentions.count() == 3
    assert ledger.quarters_named(Problem.objects.get(text=PROBLEMS[1])) == 1


def test_a_gap_restarts_the_count_of_quarters_running(approve):
    approve(1, PROBLEMS[:1])
    approve(3, PROBLEMS[:1])
    assert ledger.quarters_named(Problem.objects.get()) == 1


def test_a_closed_problem_named_again_comes_back(approve, drafter, reviewer):
    approve(1, PROBLEMS[:1])
    entry = Problem.objects.get()
    ledger.act(entry, CLOSE, actor=reviewer, comment="已建立委员联络制度，覆盖全部党员委员。")
    approve(2, PROBLEMS[:1])
    entry.refresh_from_db()
    assert entry.status == "reopened" and Problem.objects.count() == 1
    back = entry.events.order_by("id").last()
    assert (back.action, back.from_status, back.to_status) == ("found", "closed", "reopened")
    assert "2023年第二季度" in back.comment


@pytest.mark.parametrize("a, b, same", [
    ("委员队伍党的建设还需进一步加强。", "委员队伍党的建设还需进一步加强", True),
    ("意识形态领域仍然存在风险点。", "意识形态领域仍存在风险点。", True),
    ("ＡＢＣ三项制度落实不到位。", "ABC三项制度落实不到位。", True),
    ("委员队伍党的建设还需进一步加强。", "意识形态领域仍然存在风险点。", False),
    ("学习不够深入。", "调研不够深入。", False),
    ("理论学习中心组学习制度落实不到位。", "“三会一课”制度落实不到位。", False),
    ("", "", False),
])
def test_the_same_problem_in_other_words(a, b, same):
    assert ledger.same_problem(a, b) is same


# The state table: every action from every state, by every role ------------------------------------

ROLES = {"drafter": Membership.Role.DRAFTER, "reviewer": Membership.Role.REVIEWER}


@pytest.fixture
def actors(make_user, tree, drafter, reviewer, overseer):
    return {
        "drafter": drafter,
        "reviewer": reviewer,
        "overseer": overseer,  # of 市纪委监委, above 市政协党组
        "other body's reviewer": make_user(organization=tree["congress"], role=Membership.Role.REVIEWER),
        "county overseer": make_user(organization=tree["county"], role=Membership.Role.OVERSEER),
    }


EXPECTED = {
    # (state, action): the actors who may take it
    ("open", START): {"drafter", "reviewer"},
    ("reopened", START): {"drafter", "reviewer"},
    **{(state, PROPOSE): {"drafter"} for state in ("open", "in_progress", "reopened")},
    **{(state, CLOSE): {"reviewer"} for state in ("open", "in_progress", "reopened")},
    ("closed", REOPEN): {"reviewer", "overseer"},
}


@pytest.mark.parametrize("state", ["open", "in_progress", "closed", "reopened"])
@pytest.mark.parametrize("action", [START, PROPOSE, CLOSE, REOPEN])
def test_each_action_from_each_state_by_each_role(tree, actors, state, action):
    entry = Problem.objects.create(organization=tree["cppcc"], text=PROBLEMS[0], found_year=2023, found_quarter=1,
                                   status=state)
    allowed = EXPECTED.get((state, action), set())
    for name, actor in actors.items():
        before = (Problem.objects.get(pk=entry.pk).status, ProblemEvent.objects.count())
        assert (action in ledger.available_actions(actor, entry)) == (name in allowed), name
        if name in allowed:
            event = ledger.act(entry, action, actor=actor, comment="已整改到位。")
            assert (event.from_status, event.to_status, event.actor) == (state, entry.status, actor)
            # Back to the state under test for the next actor.
            Problem.objects.filter(pk=entry.pk).update(status=state)
            entry.refresh_from_db()
        else:
            with pytest.raises(LedgerRefused):
                ledger.act(entry, action, actor=actor, comment="已整改到位。")
            assert (Problem.objects.get(pk=entry.pk).status, ProblemEvent.objects.count()) == before, name


def test_closing_needs_what_was_done_and_takes_the_drafters_proposal(tree, drafter, reviewer):
    entry = Problem.objects.create(organization=tree["cppcc"], text=PROBLEMS[0], found_year=2023, found_quarter=1)
    with pytest.raises(LedgerRefused, match="请填写整改情况"):
        ledger.act(entry, PROPOSE, actor=drafter, comment="\u200b ")
    with pytest.raises(LedgerRefused, match="请填写整改情况"):
        ledger.act(entry, CLOSE, actor=reviewer)
    assert not ProblemEvent.objects.exists()

    ledger.act(entry, PROPOSE, actor=drafter, comment="已建立委员联络制度。")
    assert (entry.status, entry.outcome, entry.closing_proposed_by) == ("open", "已建立委员联络制度。", drafter)
    ledger.act(entry, CLOSE, actor=reviewer)  # 销号 with the proposed 整改情况
    assert (entry.status, entry.outcome, entry.closing_proposed_by) == ("closed", "已建立委员联络制度。", None)
    assert [e.action for e in entry.events.order_by("id")] == ["propose", "close"]
    # Every change of the entry is in its edit trail, with who made it.
    assert [record.history_user for record in entry.history.order_by("history_id")][-2:] == [drafter, reviewer]


def test_reopening_needs_a_reason(tree, reviewer):
    entry = Problem.objects.create(organization=tree["cppcc"], text=PROBLEMS[0], found_year=2023, found_quarter=1,
                                   status="closed", outcome="已整改。")
    with pytest.raises(LedgerRefused, match="请填写重新整改的理由"):
        ledger.act(entry, REOPEN, actor=reviewer, comment="")
    ledger.act(entry, REOPEN, actor=reviewer, comment="抽查发现仍有两名党员委员未纳入联络。")
    assert entry.status == "reopened"


def test_a_reopened_report_and_its_second_approval_do_not_duplicate_entries(approve, reviewer, make_user, tree):
    report = approve(1, PROBLEMS)
    workflow.reopen(report, actor=reviewer, reason="补充整改措施。")
    drafter = make_user(organization=tree["cppcc"], role=Membership.Role.DRAFTER)
    report = Report.objects.get(pk=report.pk)
    workflow.submit(report, actor=drafter, notify=False, late_reason=LATE_REASON)
    second = make_user(organization=tree["cppcc"], role=Membership.Role.REVIEWER)
    workflow.approve(report, actor=second, notify=False)
    assert Problem.objects.count() == 2
    assert all(entry.mentions.count() == 1 for entry in Problem.objects.all())


def test_a_refusal_names_who_may_act_in_the_readers_language(tree, drafter):
    from django.utils import translation

    entry = Problem.objects.create(organization=tree["cppcc"], text=PROBLEMS[0], found_year=2023, found_quarter=1,
                                   status="closed")
    with pytest.raises(LedgerRefused) as refused:
        ledger.act(entry, REOPEN, actor=drafter, comment="又出现了。")
    assert str(refused.value) == "只有本单位的审核人、督办单位的督办人可以重新整改。"
    with translation.override("en"), pytest.raises(LedgerRefused) as refused:
        ledger.act(entry, REOPEN, actor=drafter, comment="又出现了。")
    assert str(refused.value) == "Only the body's reviewers or the overseers above it may do this: Reopen."


@pytest.mark.parametrize("count", [1, 6])
def test_the_open_entries_their_ages_and_progress_cost_three_queries_however_many(approve, count,
                                                                                django_assert_num_queries):
    problems = ["理论学习的系统性还不够。", "意识形态领域仍存在风险点。", "委员队伍党的建设有待加强。",
                "基层党组织建设存在短板。", "作风建设仍有反弹回潮的风险。", "监督执纪问责力度还需加大。"]
    approve(1, problems[:count])
    approve(2, problems[:1])
    organization_id = Problem.objects.values_list("organization_id", flat=True).first()
    with django_assert_num_queries(3):  # the entries, their mentions, their latest progress
        entries = ledger.open_entries(organization_id)
    assert len(entries) == count
    assert [entry.quarters for entry in entries][:1] == [2]


def test_a_refused_text_comes_back_in_its_box_and_nothing_is_cut(client, tree, drafter, report_factory):
    """The boxes cut nothing (no maxlength): a 整改情况 over the limit is refused with a message,
    and the editor shows it again in its box, to shorten rather than retype."""
    from django.urls import reverse

    from reports.review.comments import MAX_COMMENT

    report = report_factory(tree["cppcc"], quarter=2)
    entry = Problem.objects.create(organization=tree["cppcc"], text=PROBLEMS[0], found_year=2023, found_quarter=1)
    client.force_login(drafter)
    editor = reverse("reports:edit", args=[report.pk])
    page = client.get(editor).content.decode()
    assert 'name="comment"' in page and "maxlength" not in page.split('data-testid="ledger-panel"')[1]
    text = "已整改" + "长" * MAX_COMMENT
    response = client.post(reverse("reports:ledger_act", args=[entry.pk, "propose"]),
                           {"comment": text, "next": editor}, follow=True)
    content = response.content.decode()
    assert response.redirect_chain[-1][0] == editor
    assert f"最多 {MAX_COMMENT} 个字符，现有 {MAX_COMMENT + 3} 个" in content
    assert f">{text}</textarea>" in content
    assert not ProblemEvent.objects.exists()
    assert text not in client.get(editor).content.decode()  # shown once


def test_another_bodys_entry_does_not_exist_for_the_user(client, tree, make_user):
    from django.urls import reverse

    entry = Problem.objects.create(organization=tree["cppcc"], text=PROBLEMS[0], found_year=2023, found_quarter=1)
    client.force_login(make_user(organization=tree["congress"], role=Membership.Role.REVIEWER))
    response = client.post(reverse("reports:ledger_act", args=[entry.pk, "close"]), {"comment": "已整改。"})
    assert response.status_code == 404
    assert not ProblemEvent.objects.exists()


def _ledger_queries(client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("tracking:ledger"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_ledger_page_costs_the_same_however_many_entries(client, tree, overseer):
    for n in range(2):
        Problem.objects.create(organization=tree["cppcc"], text=f"问题{n}", found_year=2023, found_quarter=1)
    few, _page = _ledger_queries(client, overseer)
    for n in range(2, 12):
        Problem.objects.create(organization=tree["congress"] if n % 2 else tree["cppcc"], text=f"问题{n}",
                               found_year=2023, found_quarter=2)
    many, page = _ledger_queries(client, overseer)
    assert many == few
    assert page.count('class="ledger-row') == 12


def test_a_drafter_reads_the_ledger_of_their_own_body_only(client, tree, drafter):
    Problem.objects.create(organization=tree["cppcc"], text="本单位的问题。", found_year=2023, found_quarter=1)
    Problem.objects.create(organization=tree["congress"], text="别的单位的问题。", found_year=2023, found_quarter=1)
    _count, page = _ledger_queries(client, drafter)
    assert "本单位的问题。" in page and "别的单位的问题。" not in page


@pytest.mark.parametrize("deadline_in, status, expected", [
    (None, "open", ""), (-1, "open", "overdue"), (0, "open", "soon"), (15, "in_progress", "soon"),
    (16, "open", ""), (-30, "closed", "closed"), (-1, "reopened", "overdue"),
])
def test_the_three_colours(tree, deadline_in, status, expected):
    from datetime import date, timedelta

    today = date(2023, 6, 1)
    entry = Problem(organization=tree["cppcc"], text="问题", found_year=2023, found_quarter=1, status=status,
                    deadline=today + timedelta(days=deadline_in) if deadline_in is not None else None)
    assert ledger.colour(entry, today) == expected
