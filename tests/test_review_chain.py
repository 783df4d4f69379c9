"""A body's review chain (审核流程), 代审 substitutes and deadlines, as the workflow enforces them.

The table below is written out from the users' rules, not read from the code: a two-step chain
(1 审核人 — the body's reviewers not named elsewhere; 2 主要负责人 — named), the leader's
substitute on leave, the overseer above, and a period whose input has closed.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import Extension, Membership, Notice, Organization, Report, ReportEvent, ReviewStep, Submission, Substitution
from reports.review import chain, workflow
from reports.review.inbox import awaiting_reports
from reports.review.workflow import InputClosed, LateReasonRequired, NotAtYourStep, NotPermitted, TransitionNotAllowed
from tests.fixtures import LATE_REASON

TODAY = date.today()

SITUATIONS = ["draft", "at step 1", "at step 2", "returned", "approved", "accepted", "draft, input closed"]
ACTIONS = ["submit", "pass", "approve", "return", "reopen", "accept", "send_back", "unaccept"]
ROLES = ["drafter", "reviewer", "leader", "leader's substitute", "expired substitute", "overseer above",
         "overseer of another tree", "reviewer of another body"]

# (situation, action) → (who may, the state and step it leads to). Everything else is refused.
ALLOWED = {
    ("draft", "submit"): ({"drafter", "leader's substitute", "expired substitute"}, ("submitted", 1)),
    ("returned", "submit"): ({"drafter", "leader's substitute", "expired substitute"}, ("submitted", 1)),
    ("at step 1", "pass"): ({"reviewer"}, ("submitted", 2)),
    ("at step 1", "return"): ({"reviewer"}, ("returned", 1)),
    ("at step 2", "approve"): ({"leader", "leader's substitute"}, ("approved", 2)),
    ("at step 2", "return"): ({"leader", "leader's substitute"}, ("returned", 2)),
    ("approved", "reopen"): ({"leader", "leader's substitute"}, ("returned", 2)),
    ("approved", "accept"): ({"overseer above"}, ("accepted", 2)),
    ("approved", "send_back"): ({"overseer above"}, ("returned", 2)),
    ("accepted", "unaccept"): ({"overseer above"}, ("approved", 2)),
}
# The state each situation is in (a closed period is a draft whose input closed).
STATE = {"draft": "draft", "at step 1": "submitted", "at step 2": "submitted", "returned": "returned",
         "approved": "approved", "accepted": "accepted", "draft, input closed": "draft"}


@pytest.fixture
def people(make_user, tree):
    drafter_role, reviewer_role = Membership.Role.DRAFTER, Membership.Role.REVIEWER
    people = {
        "drafter": make_user("d", organization=tree["cppcc"], role=drafter_role),
        "reviewer": make_user("r", organization=tree["cppcc"], role=reviewer_role, email="r@example.org"),
        # A 审核人 of the body too, but named in step 2: they decide there only.
        "leader": make_user("leader", organization=tree["cppcc"], role=reviewer_role, email="l@example.org"),
        "leader's substitute": make_user("sub", organization=tree["cppcc"], role=drafter_role, email="s@example.org"),
        "expired substitute": make_user("old", organization=tree["cppcc"], role=drafter_role),
        "overseer above": make_user("o", organization=tree["city"], role=Membership.Role.OVERSEER),
        "overseer of another tree": make_user("o2", organization=tree["county"], role=Membership.Role.OVERSEER),
        "reviewer of another body": make_user("r2", organization=tree["congress"], role=reviewer_role),
    }
    ReviewStep.objects.create(organization=tree["cppcc"], position=1, name="审核人")
    ReviewStep.objects.create(organization=tree["cppcc"], position=2, name="主要负责人").members.add(people["leader"])
    Substitution.objects.create(absent=people["leader"], substitute=people["leader's substitute"],
                                starts=TODAY - timedelta(days=1), ends=TODAY + timedelta(days=5))
    Substitution.objects.create(absent=people["leader"], substitute=people["expired substitute"],
                                starts=TODAY - timedelta(days=20), ends=TODAY - timedelta(days=10))
    return people


def put_in(report, situation, tree):
    step = 2 if situation in ("at step 2", "approved", "accepted") else 1
    Report.objects.filter(pk=report.pk).update(status=STATE[situation], review_step=step)
    if situation == "draft, input closed":
        Organization.objects.filter(pk=tree["city"].pk).update(closes_input=True, grace_days=5)
    report.refresh_from_db()


def written(report):
    report.refresh_from_db()
    return report.status, report.review_step, ReportEvent.objects.count(), Submission.objects.count()


@pytest.mark.parametrize("situation", SITUATIONS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_every_situation_action_and_role_of_a_two_step_chain(complete_report, people, tree, situation, action, role):
    put_in(complete_report, situation, tree)
    actor = people[role]
    who, (new_state, new_step) = ALLOWED.get((situation, action), (set(), (None, None)))
    allowed = role in who
    before = written(complete_report)
    # The page offers the button exactly when the action is allowed (not a submission after input closed).
    assert (action in workflow.available_actions(actor, complete_report)) is allowed
    if allowed:
        event = workflow.perform(action, complete_report, actor=actor, comment="意见")
        assert written(complete_report) == (new_state, new_step, before[2] + 1, before[3] + (action == "submit"))
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            action, STATE[situation], new_state, actor)
        decided = action in ("pass", "approve", "return")
        assert event.step == ((2 if situation == "at step 2" else 1) if decided else None)
        as_leader = role == "leader's substitute" and action != "submit"  # a drafter of the body in their own right
        assert event.on_behalf_of == (people["leader"] if as_leader else None)
        return
    if situation == "draft, input closed" and action == "submit" and role in ALLOWED[("draft", "submit")][0]:
        expected = InputClosed  # the drafter is who may, but not after input closed
    elif STATE[situation] not in {STATE[s] for (s, a) in ALLOWED if a == action}:
        expected = TransitionNotAllowed
    else:
        expected = NotPermitted  # NotAtYourStep is one
    with pytest.raises(expected) as refused:
        workflow.perform(action, complete_report, actor=actor, comment="意见")
    assert refused.value.message
    assert written(complete_report) == before


def test_a_step_refusal_names_the_step_it_waits_at(complete_report, people, tree):
    put_in(complete_report, "at step 2", tree)
    with pytest.raises(NotAtYourStep) as refused:
        workflow.pass_on(complete_report, actor=people["reviewer"])
    assert "第 2 个审核环节（主要负责人）" in refused.value.message


def test_a_report_passes_both_steps_and_a_return_at_the_second_starts_again_at_the_first(complete_report, people):
    workflow.submit(complete_report, actor=people["drafter"], late_reason=LATE_REASON, notify=False)
    workflow.pass_on(complete_report, actor=people["reviewer"], notify=False)
    assert (complete_report.status, complete_report.review_step) == ("submitted", 2)
    workflow.return_for_revision(complete_report, actor=people["leader"], comment="第二部分再充实。")
    workflow.submit(complete_report, actor=people["drafter"], notify=False)  # not late: it was submitted before
    assert (complete_report.status, complete_report.review_step) == ("submitted", 1)
    workflow.pass_on(complete_report, actor=people["reviewer"], notify=False)
    workflow.approve(complete_report, actor=people["leader"], notify=False)
    progress = chain.progress(complete_report)
    assert [(entry.step.name, entry.state, entry.event.actor.username) for entry in progress] == [
        ("审核人", "done", "r"), ("主要负责人", "done", "leader")]


def test_the_substitute_decides_in_their_own_name_for_the_leader_and_pages_say_so(client, complete_report, people):
    workflow.submit(complete_report, actor=people["drafter"], late_reason=LATE_REASON, notify=False)
    workflow.pass_on(complete_report, actor=people["reviewer"], notify=False)
    event = workflow.approve(complete_report, actor=people["leader's substitute"], notify=False)
    assert event.who == "sub（代 leader）" and event.what == "审定（第2环节·主要负责人）"
    client.force_login(people["drafter"])
    page = client.get(reverse("reports:timeline", args=[complete_report.pk])).content.decode()
    assert "sub（代 leader）" in page and "审核通过（第1环节·审核人）" in page


def test_the_next_steps_holders_and_their_substitute_are_told(complete_report, people, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(complete_report, actor=people["drafter"], late_reason=LATE_REASON)
    assert [message.to for message in mailoutbox] == [["r@example.org"]]
    assert "待审核（第1环节 审核人）" in mailoutbox[0].subject and LATE_REASON in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        workflow.pass_on(complete_report, actor=people["reviewer"])
    assert sorted(mailoutbox[1].to) == ["l@example.org", "s@example.org"]
    assert "第2环节 主要负责人" in mailoutbox[1].subject
    # Everyone told also finds it among their 通知, address or not.
    assert Notice.objects.filter(user=people["leader"]).count() == 1


def test_the_inbox_shows_each_person_what_waits_at_their_step(complete_report, people):
    workflow.submit(complete_report, actor=people["drafter"], late_reason=LATE_REASON, notify=False)
    waiting = {role: list(awaiting_reports(people[role])) for role in ("reviewer", "leader", "leader's substitute")}
    assert waiting == {"reviewer": [complete_report], "leader": [], "leader's substitute": []}
    workflow.pass_on(complete_report, actor=people["reviewer"], notify=False)
    waiting = {role: list(awaiting_reports(people[role])) for role in ("reviewer", "leader", "leader's substitute",
                                                                        "expired substitute")}
    assert waiting == {"reviewer": [], "leader": [complete_report], "leader's substitute": [complete_report],
                       "expired substitute": []}


def test_the_inbox_page_says_the_step_and_for_whom(client, complete_report, people):
    workflow.submit(complete_report, actor=people["drafter"], late_reason=LATE_REASON, notify=False)
    workflow.pass_on(complete_report, actor=people["reviewer"], notify=False)
    client.force_login(people["leader's substitute"])
    page = client.get(reverse("reports:inbox")).content.decode()
    assert "第2环节·主要负责人" in page and "代leader审核" in page and "您正在代审：leader" in page


def test_the_inbox_costs_the_same_with_more_bodies_and_more_steps(make_user, report_factory, tree):
    user = make_user("many", organization=tree["cppcc"], role=Membership.Role.REVIEWER)

    def count():
        user.__dict__.pop("_jibao_memberships", None)
        user.__dict__.pop("_jibao_standing", None)
        user.__dict__.pop("_jibao_supervised", None)
        with CaptureQueriesContext(connection) as queries:
            list(awaiting_reports(user))
        return len(queries)

    ReviewStep.objects.create(organization=tree["cppcc"], position=1, name="审核人")
    Report.objects.filter(pk=report_factory(tree["cppcc"]).pk).update(status="submitted")
    few = count()
    for number in range(5):
        body = Organization.objects.create(name=f"第{number}单位", parent=tree["city"])
        Membership.objects.create(user=user, organization=body, role=Membership.Role.REVIEWER)
        for position in range(1, 4):
            ReviewStep.objects.create(organization=body, position=position, name=f"环节{position}")
        Report.objects.filter(pk=report_factory(body).pk).update(status="submitted")
    assert count() == few


def test_a_named_person_who_is_not_a_member_decides_nothing(complete_report, people, make_user, tree):
    outsider = make_user("out", organization=tree["congress"], role=Membership.Role.REVIEWER)
    ReviewStep.objects.get(position=2).members.add(outsider)
    put_in(complete_report, "at step 2", tree)
    assert workflow.available_actions(outsider, complete_report) == []


def test_a_late_first_submission_needs_a_reason_and_keeps_it(complete_report, people):
    with pytest.raises(LateReasonRequired) as refused:
        workflow.submit(complete_report, actor=people["drafter"], late_reason="  \u200b ")
    assert "已过报送截止日期（2023-04-10），请填写迟报说明" in refused.value.message
    assert written(complete_report) == ("draft", 1, 0, 0)
    event = workflow.submit(complete_report, actor=people["drafter"], late_reason="机构调整，晚报。", notify=False)
    complete_report.refresh_from_db()
    assert complete_report.late_reason == "机构调整，晚报。" and event.comment == "机构调整，晚报。"


def test_a_submission_on_time_needs_no_reason(complete_report, people):
    workflow.submit(complete_report, actor=people["drafter"], on=date(2023, 4, 10), notify=False)
    complete_report.refresh_from_db()
    assert complete_report.status == "submitted" and complete_report.late_reason == ""


def test_closed_input_refuses_edits_and_new_reports_until_an_extension_and_again_after_it(
        client, complete_report, people, tree):
    Organization.objects.filter(pk=tree["city"].pk).update(closes_input=True, grace_days=3)
    client.force_login(people["drafter"])
    response = client.get(reverse("reports:edit", args=[complete_report.pk]), follow=True)
    assert "已截止，请联系督办单位" in response.content.decode()
    page = client.get(reverse("reports:detail", args=[complete_report.pk])).content.decode()
    assert "已截止，请联系督办单位" in page
    response = client.post(reverse("reports:create"), {"organization": tree["cppcc"].pk, "year": 2023, "quarter": "2",
                                                         "copy_from": ""})
    assert response.status_code == 422 and "已截止，请联系督办单位" in response.content.decode()
    extension = Extension.objects.create(organization=tree["cppcc"], year=2023, quarter=1, until=TODAY + timedelta(days=2),
                                         reason="疫情影响", granted_by=people["overseer above"])
    assert client.get(reverse("reports:edit", args=[complete_report.pk])).status_code == 200
    Extension.objects.filter(pk=extension.pk).update(until=TODAY - timedelta(days=1))
    response = client.get(reverse("reports:edit", args=[complete_report.pk]))
    assert response.status_code == 302
    with pytest.raises(InputClosed):
        workflow.submit(complete_report, actor=people["drafter"], late_reason=LATE_REASON)


def test_a_returned_report_stays_open_after_input_closed(complete_report, people, tree):
    workflow.submit(complete_report, actor=people["drafter"], late_reason=LATE_REASON, notify=False)
    workflow.return_for_revision(complete_report, actor=people["reviewer"], comment="补充。")
    Organization.objects.filter(pk=tree["city"].pk).update(closes_input=True)
    workflow.submit(complete_report, actor=people["drafter"], notify=False)
    assert complete_report.status == "submitted"


def test_a_reviewer_names_a_substitute_on_the_inbox_and_ends_it(client, people, tree):
    client.force_login(people["leader"])
    page = client.get(reverse("reports:inbox")).content.decode()
    assert "请假代审" in page and ">sub<" in page
    response = client.post(reverse("reports:substitute"), {
        "substitute": people["reviewer"].pk, "starts": TODAY.isoformat(), "ends": (TODAY + timedelta(days=3)).isoformat()},
        follow=True)
    assert "已设置代审" in response.content.decode()
    made = Substitution.objects.get(absent=people["leader"], substitute=people["reviewer"])
    refused = client.post(reverse("reports:substitute"), {
        "substitute": people["overseer above"].pk, "starts": TODAY.isoformat(), "ends": TODAY.isoformat()}, follow=True)
    assert "请选择本单位的一位同事作为代审人" in refused.content.decode()
    backwards = client.post(reverse("reports:substitute"), {
        "substitute": people["reviewer"].pk, "starts": TODAY.isoformat(), "ends": (TODAY - timedelta(days=1)).isoformat()},
        follow=True)
    assert "结束日期不能早于开始日期" in backwards.content.decode()
    client.post(reverse("reports:end_substitute", args=[made.pk]))
    assert not Substitution.objects.filter(pk=made.pk).exists()  # it had not begun: nothing to keep
    # Someone else's substitution is not theirs to end.
    other = Substitution.objects.create(absent=people["reviewer"], substitute=people["drafter"], starts=TODAY, ends=TODAY)
    response = client.post(reverse("reports:end_substitute", args=[other.pk]), follow=True)
    assert "这项代审已结束或不存在" in response.content.decode()
    assert Substitution.objects.filter(pk=other.pk).exists()


def test_the_default_chain_is_one_step_of_the_bodys_reviewers(complete_report, make_user, tree):
    reviewer = make_user("solo", organization=tree["congress"], role=Membership.Role.REVIEWER)
    steps = chain.chain(tree["congress"].pk)
    assert [(step.number, step.member_ids, step.last) for step in steps] == [(1, None, True)]
    report = complete_report
    Report.objects.filter(pk=report.pk).update(organization=tree["congress"], status="submitted")
    report.refresh_from_db()
    assert workflow.available_actions(reviewer, report) == ["approve", "return"]


def test_who_passed_the_first_step_does_not_decide_the_second_even_as_a_substitute(complete_report, people):
    Substitution.objects.create(absent=people["leader"], substitute=people["reviewer"], starts=TODAY, ends=TODAY)
    workflow.submit(complete_report, actor=people["drafter"], late_reason=LATE_REASON, notify=False)
    workflow.pass_on(complete_report, actor=people["reviewer"], notify=False)
    assert workflow.available_actions(people["reviewer"], complete_report) == ["return"]
    with pytest.raises(workflow.SelfApproval) as refused:
        workflow.approve(complete_report, actor=people["reviewer"], notify=False)
    assert "这一环节须由另一人审核" in refused.value.message
    assert complete_report.status == "submitted"
    workflow.approve(complete_report, actor=people["leader's substitute"], notify=False)


def test_a_chain_shortened_meanwhile_leaves_the_report_at_its_last_step(complete_report, people, tree):
    Report.objects.filter(pk=complete_report.pk).update(status="submitted", review_step=3)  # a third step, since removed
    complete_report.refresh_from_db()
    assert list(awaiting_reports(people["leader"])) == [complete_report]
    assert workflow.available_actions(people["leader"], complete_report) == ["approve", "return"]
    event = workflow.approve(complete_report, actor=people["leader"], notify=False)
    assert event.step == 2 and complete_report.status == "approved"
