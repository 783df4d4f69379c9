"""The workflow table, walked whole: every state × action × role."""

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection

from reports.models import Comment, Membership, Report, ReportEvent, Submission
from reports.review import workflow
from reports.review.workflow import (
    TRANSITIONS,
    CommentRequired,
    CommentTooLong,
    NotPermitted,
    ReportIncomplete,
    SelfApproval,
    TransitionNotAllowed,
)
from tests.fixtures import LATE_REASON

STATES = ["draft", "submitted", "returned", "approved", "accepted"]
ACTIONS = ["submit", "pass", "approve", "return", "reopen", "accept", "send_back", "unaccept"]
ROLES = ["drafter", "reviewer", "overseer above", "overseer of another tree", "drafter of another body",
         "reviewer of another body"]

# The workflow as the users' rules state it, written out here rather than read from the code:
# (state, action) → (new state, who may act). Anything not listed is refused. "overseer above":
# an overseer of the body the report is 报送ed to (the nearest above with overseers).
EXPECTED = {
    ("draft", "submit"): ("submitted", "drafter"),
    ("returned", "submit"): ("submitted", "drafter"),
    ("submitted", "pass"): ("submitted", "reviewer"),  # only where a later step follows: none by default
    ("submitted", "approve"): ("approved", "reviewer"),
    ("submitted", "return"): ("returned", "reviewer"),
    ("approved", "reopen"): ("returned", "reviewer"),
    ("approved", "accept"): ("accepted", "overseer above"),
    ("approved", "send_back"): ("returned", "overseer above"),
    ("accepted", "unaccept"): ("approved", "overseer above"),
}
# The code's names for the places in a review chain: with the default chain (one step, the body's
# 审核人) each is the body's reviewer; tests/test_review_chain.py writes out a two-step chain.
CODE_ROLES = {"supervisor": "overseer above", "step": "reviewer", "step_with_next": "reviewer", "last_step": "reviewer"}
ONE_STEP_CHAIN = {key: value for key, value in EXPECTED.items() if key != ("submitted", "pass")}


@pytest.fixture
def actors(make_user, tree):
    return {
        "drafter": make_user("d", organization=tree["cppcc"], role=Membership.Role.DRAFTER),
        "reviewer": make_user("r", organization=tree["cppcc"], role=Membership.Role.REVIEWER),
        "overseer above": make_user("o", organization=tree["city"], role=Membership.Role.OVERSEER),
        "overseer of another tree": make_user("o2", organization=tree["county"], role=Membership.Role.OVERSEER),
        "drafter of another body": make_user("d2", organization=tree["congress"], role=Membership.Role.DRAFTER),
        "reviewer of another body": make_user("r2", organization=tree["congress"], role=Membership.Role.REVIEWER),
    }


def written(report):
    report.refresh_from_db()
    return (report.status, ReportEvent.objects.count(), Submission.objects.count(), Comment.objects.count())


def test_the_code_has_exactly_the_workflow_table():
    assert {(str(state), str(action)): (str(new), CODE_ROLES.get(role, str(role)))
            for (state, action), (new, role) in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_every_state_action_and_role(complete_report, actors, state, action, role):
    Report.objects.filter(pk=complete_report.pk).update(status=state)
    complete_report.refresh_from_db()
    actor = actors[role]
    allowed = ONE_STEP_CHAIN.get((state, action), (None, None))[1] == role
    before = written(complete_report)
    # The page offers the button exactly when the action is allowed.
    assert (action in workflow.available_actions(actor, complete_report)) is allowed
    if allowed:
        event = workflow.perform(action, complete_report, actor=actor, comment="意见")
        complete_report.refresh_from_db()
        assert complete_report.status == ONE_STEP_CHAIN[(state, action)][0]
        assert ReportEvent.objects.count() == before[1] + 1
        assert (event.action, event.from_status, event.to_status, event.actor) == (action, state, complete_report.status, actor)
        assert Submission.objects.count() == before[2] + (1 if action == "submit" else 0)
    else:
        expected = TransitionNotAllowed if (state, action) not in EXPECTED else NotPermitted
        with pytest.raises(expected):
            workflow.perform(action, complete_report, actor=actor, comment="意见")
        assert written(complete_report) == before


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_the_buttons_offered_are_exactly_the_allowed_actions(complete_report, actors, state, role):
    Report.objects.filter(pk=complete_report.pk).update(status=state)
    complete_report.refresh_from_db()
    expected = [action for (s, action), (_new, r) in ONE_STEP_CHAIN.items() if s == state and r == role]
    assert workflow.available_actions(actors[role], complete_report) == expected


def test_submission_is_refused_with_the_list_while_anything_is_missing(report_factory, measure_factory, tree, actors):
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["召开会议**次。"])])
    measure_factory(report, "学习会议", value=None)
    with pytest.raises(ReportIncomplete) as incomplete:
        workflow.submit(report, actor=actors["drafter"], late_reason=LATE_REASON)
    messages = [problem.message for problem in incomplete.value.problems]
    assert any("**" in m for m in messages) and any("学习会议" in m for m in messages)
    assert written(report) == ("draft", 0, 0, 0)


def test_submission_is_refused_without_a_date(complete_report, actors):
    Report.objects.filter(pk=complete_report.pk).update(signature_date=None)
    complete_report.refresh_from_db()
    with pytest.raises(ReportIncomplete) as incomplete:
        workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    assert [(p.ref, p.message) for p in incomplete.value.problems] == [("signature", "落款：成文日期尚未填写")]
    assert written(complete_report) == ("draft", 0, 0, 0)


def test_a_submission_freezes_text_and_values(complete_report, actors):
    workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    complete_report.measure_values.update(value=Decimal("9"))
    item = complete_report.sections.get(position=1).headings.get().items.get()
    item.text = "后来改的。"
    item.save()
    snapshot = complete_report.submissions.get()
    texts = ["".join(run["text"] for run in p["runs"]) for p in snapshot.paragraphs]
    assert "（一）学习。一是认真学习。" in texts
    assert snapshot.measures == {"学习会议（次）": "3"}
    assert snapshot.number == 1 and snapshot.submitted_by == actors["drafter"]


def test_return_and_reopen_need_a_comment(complete_report, actors):
    workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    with pytest.raises(CommentRequired):
        workflow.return_for_revision(complete_report, actor=actors["reviewer"], comment="  ")
    workflow.approve(complete_report, actor=actors["reviewer"])
    with pytest.raises(CommentRequired):
        workflow.reopen(complete_report, actor=actors["reviewer"], reason="")
    assert written(complete_report)[:2] == ("approved", 2)


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u202e", "\u2060\u3164", "\u200e\u200f\u00ad", "\ufeff \u3000"])
def test_a_reason_of_invisible_characters_only_is_no_reason(complete_report, actors, invisible):
    workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    with pytest.raises(CommentRequired):
        workflow.return_for_revision(complete_report, actor=actors["reviewer"], comment=invisible)
    workflow.approve(complete_report, actor=actors["reviewer"])
    with pytest.raises(CommentRequired):
        workflow.reopen(complete_report, actor=actors["reviewer"], reason=invisible)
    assert written(complete_report)[:2] == ("approved", 2)


def test_a_reason_is_stored_cleaned_and_a_long_one_is_refused(complete_report, actors, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    from reports.review.comments import MAX_COMMENT

    workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    before = written(complete_report)
    with pytest.raises(CommentTooLong) as refused:
        workflow.return_for_revision(complete_report, actor=actors["reviewer"], comment="长" * (MAX_COMMENT + 1))
    assert f"最多 {MAX_COMMENT} 个字符" in str(refused.value)
    assert written(complete_report) == before
    with django_capture_on_commit_callbacks(execute=True):
        event = workflow.return_for_revision(complete_report, actor=actors["reviewer"],
                                             comment="\u202e请补充\u200b整改措施。\u2060")
    assert event.comment == "请补充整改措施。"
    assert all("\u202e" not in message.body and "\u200b" not in message.body for message in mailoutbox)


def test_a_reviewer_who_also_drafts_does_not_approve_what_they_wrote(complete_report, actors, tree, settings):
    both = actors["reviewer"]
    Membership.objects.create(user=both, organization=tree["cppcc"], role=Membership.Role.DRAFTER)
    workflow.submit(complete_report, actor=both, late_reason=LATE_REASON)
    assert "approve" not in workflow.available_actions(both, complete_report)
    with pytest.raises(SelfApproval):
        workflow.approve(complete_report, actor=both)
    settings.JIBAO_ALLOW_SELF_APPROVAL = True
    workflow.approve(complete_report, actor=both)
    assert complete_report.status == "approved"


def test_an_editor_of_the_text_does_not_approve_it(complete_report, actors, tree):
    from reports.drafting import editing
    from reports.drafting.editing import fingerprint, part_values

    editor = actors["reviewer"]
    Membership.objects.create(user=editor, organization=tree["cppcc"], role=Membership.Role.DRAFTER)
    item = complete_report.sections.get(position=1).headings.get().items.get()
    editing.save_part(user=editor, report=complete_report, kind="item", obj=item, values={"text": "审核人改的。"},
                      base_version=complete_report.version, base_fingerprint=fingerprint(part_values(item, "item")))
    workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    with pytest.raises(SelfApproval):
        workflow.approve(complete_report, actor=editor)


def test_notices_go_to_the_right_people(complete_report, actors, mailoutbox, django_capture_on_commit_callbacks):
    for user in actors.values():
        user.email = f"{user.username}@example.org"
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    assert [m.to for m in mailoutbox] == [["r@example.org"]]
    assert "待审核" in mailoutbox[0].subject and f"/reports/{complete_report.pk}/review/" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_for_revision(complete_report, actor=actors["reviewer"], comment="请补充数据。")
    assert mailoutbox[1].to == ["d@example.org"] and "请补充数据。" in mailoutbox[1].body


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_exactly_one_succeeds(report_factory, measure_factory, tree, make_user):
    assert connection.vendor == "postgresql"
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["认真学习。"])])
    measure_factory(report, "学习会议", value=Decimal("1"))
    drafter = make_user(organization=tree["cppcc"], role=Membership.Role.DRAFTER)
    reviewers = [make_user(organization=tree["cppcc"], role=Membership.Role.REVIEWER) for _ in range(2)]
    workflow.submit(report, actor=drafter, late_reason=LATE_REASON)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(reviewer, action):
        from django.db import connections

        try:
            barrier.wait()
            workflow.perform(action, Report.objects.get(pk=report.pk), actor=reviewer, comment="退回。")
            outcomes.append("ok")
        except workflow.WorkflowError as error:
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(reviewers[0], "approve")),
               threading.Thread(target=act, args=(reviewers[1], "return"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["TransitionNotAllowed", "ok"]
    assert ReportEvent.objects.filter(report=report).exclude(action="submit").count() == 1


def test_people_in_the_trail_cannot_be_deleted(complete_report, actors):
    from django.db.models import ProtectedError

    workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    with pytest.raises(ProtectedError):
        actors["drafter"].delete()
    assert ReportEvent.objects.get().actor == actors["drafter"]


# ---- Returning with a comment at one part --------------------------------------------------


@pytest.fixture
def submitted_report(complete_report, actors):
    workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    return complete_report


def an_item_ref(report):
    from reports.models import Item

    return f"item-{Item.objects.get(section__report=report, section__kind='problems').id}"


def test_a_return_at_one_part_leaves_the_comment_at_that_part(submitted_report, actors):
    ref = an_item_ref(submitted_report)
    event = workflow.return_for_revision(submitted_report, actor=actors["reviewer"], comment="请写明整改措施。", at_ref=ref)
    assert (event.action, event.comment, Report.objects.get(pk=submitted_report.pk).status) == (
        "return", "请写明整改措施。", "returned")
    comment = Comment.objects.get()
    assert (comment.ref, comment.place, comment.text, comment.author) == (
        ref, "二、存在的主要问题 一是", "请写明整改措施。", actors["reviewer"])
    assert comment.submission == submitted_report.submissions.get()


def test_a_return_at_a_part_not_in_the_submission_is_a_plain_return(submitted_report, actors):
    workflow.return_for_revision(submitted_report, actor=actors["reviewer"], comment="请修改。", at_ref="item-999999")
    assert Report.objects.get(pk=submitted_report.pk).status == "returned" and not Comment.objects.exists()


def test_a_refused_return_leaves_no_comment_behind(submitted_report, actors):
    """Another reviewer approved it meanwhile: the page the reviewer acts from still says 待审核."""
    stale = Report.objects.get(pk=submitted_report.pk)
    other = Membership.objects.create(user=actors["reviewer of another body"], organization=submitted_report.organization,
                                      role=Membership.Role.REVIEWER).user
    workflow.approve(Report.objects.get(pk=submitted_report.pk), actor=other)
    before = written(submitted_report)
    with pytest.raises(TransitionNotAllowed):
        workflow.return_for_revision(stale, actor=actors["reviewer"], comment="请修改。", at_ref=an_item_ref(stale))
    assert written(submitted_report) == before == ("approved", 2, 1, 0)


def test_a_refused_comment_leaves_the_report_unreturned(submitted_report, actors):
    from reports.review.comments import MAX_COMMENT, CommentRefused

    before = written(submitted_report)
    with pytest.raises(CommentRefused):
        workflow.return_for_revision(submitted_report, actor=actors["reviewer"], comment="长" * (MAX_COMMENT + 1),
                                     at_ref=an_item_ref(submitted_report))
    assert written(submitted_report) == before == ("submitted", 1, 1, 0)


def test_the_review_page_returns_at_one_part(client, submitted_report, actors):
    from django.urls import reverse

    ref = an_item_ref(submitted_report)
    client.force_login(actors["reviewer"])
    response = client.post(reverse("reports:act", args=[submitted_report.pk, "return"]),
                           {"comment": "请写明整改措施。", "ref": ref}, follow=True)
    assert "已退回起草人修改" in response.content.decode()
    assert Report.objects.get(pk=submitted_report.pk).status == "returned"
    assert list(Comment.objects.values_list("ref", "text")) == [(ref, "请写明整改措施。")]


def test_the_last_change_names_who_moved_the_report_last(complete_report, actors):
    """The list's 最近修改 shows a time and a name: after a return they are the reviewer's, not the
    reviewer's time with the drafter's name."""
    workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    workflow.return_for_revision(complete_report, actor=actors["reviewer"], comment="请补充。")
    report = Report.objects.get(pk=complete_report.pk)
    assert report.updated_by == actors["reviewer"]


@pytest.mark.parametrize("action", ["return", "reopen"])
def test_a_refused_reason_is_explained_and_kept_in_its_box(client, submitted_report, actors, action):
    """The review page's boxes cut nothing (no maxlength): a reason over the limit is refused with
    a message, and the page shows it again in its box, to shorten rather than retype."""
    from django.urls import reverse

    from reports.review.comments import MAX_COMMENT

    if action == "reopen":
        workflow.approve(submitted_report, actor=actors["reviewer"])
    client.force_login(actors["reviewer"])
    page = client.get(reverse("reports:review", args=[submitted_report.pk])).content.decode()
    assert "<textarea" in page and "maxlength" not in page
    before = written(submitted_report)
    reason = "请补充" + "长" * MAX_COMMENT
    response = client.post(reverse("reports:act", args=[submitted_report.pk, action]), {"comment": reason}, follow=True)
    content = response.content.decode()
    assert f"最多 {MAX_COMMENT} 个字符，现有 {MAX_COMMENT + 3} 个" in content
    assert f">{reason}</textarea>" in content
    assert written(submitted_report) == before
    # Shown once: the page after that opens with empty boxes again.
    assert reason not in client.get(reverse("reports:review", args=[submitted_report.pk])).content.decode()


@pytest.fixture
def both(actors, tree):
    """A reviewer who is also a drafter of the body."""
    user = actors["reviewer"]
    Membership.objects.create(user=user, organization=tree["cppcc"], role=Membership.Role.DRAFTER)
    return user


def change_a_figure(report, user):
    from reports.drafting import editing

    editing.set_measure_value(user=user, report=report, measure_value=report.measure_values.get(), value=Decimal("4"))


def move_an_item(report, user):
    from reports.drafting import editing

    heading = report.sections.get(position=1).headings.get()
    heading.items.create(section=heading.section, text="再学习。", position=2)
    assert editing.move_part(user=user, report=report, kind="item", obj=heading.items.get(position=2), step=-1)


def change_the_layout(report, user):
    from reports.drafting import editing

    editing.set_items_layout(user=user, report=report, layout=Report.ItemsLayout.PARAGRAPHS)


@pytest.mark.parametrize("change", [change_a_figure, move_an_item, change_the_layout])
def test_whoever_changed_what_prints_does_not_approve_it(complete_report, actors, both, change):
    change(complete_report, both)
    workflow.submit(complete_report, actor=actors["drafter"], late_reason=LATE_REASON)
    assert "approve" not in workflow.available_actions(both, complete_report)
    with pytest.raises(SelfApproval):
        workflow.approve(complete_report, actor=both)
    assert Report.objects.get(pk=complete_report.pk).status == "submitted"


def test_a_move_and_a_layout_change_are_in_the_trail(complete_report, both):
    from reports.models import Item

    move_an_item(complete_report, both)
    moved = Item.history.filter(history_type="~", history_user=both)
    assert sorted((record.text, record.position) for record in moved) == [("再学习。", 1), ("认真学习。", 2)]
    change_the_layout(complete_report, both)
    record = Report.history.filter(id=complete_report.pk).latest("history_date")
    assert (record.items_layout, record.history_user) == ("paragraphs", both)


# 报送 and 签收 ------------------------------------------------------------------------------------


def test_a_report_goes_to_the_nearest_body_above_with_an_overseer(report_factory, tree, make_user):
    from reports.access import supervised_ids, supervises, supervising_body
    from reports.models import Organization

    city_overseer = make_user(organization=tree["city"], role=Membership.Role.OVERSEER)
    team = Organization.objects.create(name="派驻第一纪检监察组", parent=tree["city"])
    team_overseer = make_user(organization=team, role=Membership.Role.OVERSEER)
    under_team = Organization.objects.create(name="市财政局党组", parent=team)
    # 市政协机关党组 is under 市政协党组, which has no overseer: both report to 市纪委监委.
    office = report_factory(tree["office"])
    finance = report_factory(under_team)
    assert supervising_body(tree["office"]) == tree["city"] and supervising_body(under_team) == team
    assert supervises(city_overseer, office) and not supervises(team_overseer, office)
    assert supervises(team_overseer, finance) and not supervises(city_overseer, finance)
    assert team.pk in supervised_ids(city_overseer) and under_team.pk not in supervised_ids(city_overseer)
    assert supervising_body(tree["city"]) is None


def test_approval_tells_the_overseers_above_it_waits_for_them(complete_report, actors, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    actors["overseer above"].email = "overseer@example.org"
    actors["overseer above"].save()
    workflow.submit(complete_report, actor=actors["drafter"], notify=False, late_reason=LATE_REASON)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(complete_report, actor=actors["reviewer"])
    to_accept = [mail for mail in mailoutbox if mail.to == ["overseer@example.org"]]
    assert len(to_accept) == 1 and to_accept[0].subject == f"【季报】待签收：{complete_report.title}"


def test_the_overseers_inbox_holds_what_waits_for_their_acceptance(client, complete_report, actors):
    from reports.review.inbox import awaiting_reports

    workflow.submit(complete_report, actor=actors["drafter"], notify=False, late_reason=LATE_REASON)
    assert list(awaiting_reports(actors["overseer above"])) == []
    workflow.approve(complete_report, actor=actors["reviewer"], notify=False)
    assert list(awaiting_reports(actors["overseer above"])) == [complete_report]
    assert list(awaiting_reports(actors["overseer of another tree"])) == []
    client.force_login(actors["overseer above"])
    assert "去签收" in client.get("/reports/inbox/").content.decode()
    workflow.accept(complete_report, actor=actors["overseer above"])
    assert list(awaiting_reports(actors["overseer above"])) == []


def test_a_send_back_at_one_part_leaves_the_comment_there_marked_from_above(complete_report, actors):
    from reports.review.comments import latest_comments

    workflow.submit(complete_report, actor=actors["drafter"], notify=False, late_reason=LATE_REASON)
    workflow.approve(complete_report, actor=actors["reviewer"], notify=False)
    item = complete_report.sections.get(kind="practices").items.get()
    workflow.send_back(complete_report, actor=actors["overseer above"], comment="请补充人数。", at_ref=f"item-{item.pk}")
    (comment,) = latest_comments(complete_report)
    assert (comment.ref, comment.text, comment.from_above) == (f"item-{item.pk}", "请补充人数。", True)
    assert Report.objects.get(pk=complete_report.pk).status == "returned"


def test_an_accepted_report_refuses_every_edit_naming_why(complete_report, actors):
    from reports.drafting.editing import EditRefused, check_editable

    workflow.submit(complete_report, actor=actors["drafter"], notify=False, late_reason=LATE_REASON)
    workflow.approve(complete_report, actor=actors["reviewer"], notify=False)
    workflow.accept(complete_report, actor=actors["overseer above"])
    with pytest.raises(EditRefused, match="这份报告已签收，不能再修改。"):
        check_editable(user=actors["drafter"], report=complete_report)
    with pytest.raises(TransitionNotAllowed, match="已签收"):
        workflow.reopen(complete_report, actor=actors["reviewer"], reason="再改一处。")


def test_an_accepted_report_still_counts_as_approved_for_the_zip_the_summary_and_the_year(complete_report, actors):
    from reports.drafting.annual import approved_quarters
    from reports.tracking.summary import counted_statuses
    from reports.word.archive import approved_reports

    workflow.submit(complete_report, actor=actors["drafter"], notify=False, late_reason=LATE_REASON)
    workflow.approve(complete_report, actor=actors["reviewer"], notify=False)
    workflow.accept(complete_report, actor=actors["overseer above"])
    assert list(approved_reports(Report.objects.all(), 2023, 1)) == [complete_report]
    assert approved_quarters(complete_report.organization, 2023) == [complete_report]
    assert "accepted" in counted_statuses()


def test_the_inbox_says_how_long_each_report_has_waited_oldest_first(client, report_factory, measure_factory, tree,
                                                                      actors, django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    reports = []
    for quarter in (1, 2, 3):
        report = report_factory(tree["cppcc"], quarter=quarter,
                                sections=[("主要做法", "practices", [("学习", ["认真学习。"])])])
        workflow.submit(report, actor=actors["drafter"], notify=False, late_reason=LATE_REASON)
        reports.append(report)
    now = timezone.now()
    for report, days in zip(reports, (1, 5, 3), strict=True):
        ReportEvent.objects.filter(report=report).update(created_at=now - timedelta(days=days))
    client.force_login(actors["reviewer"])
    # A fixed number (the chain, the 代审 panel and the bar's counts among them), not one per report.
    with django_assert_max_num_queries(16):
        page = client.get("/reports/inbox/")
    rows = page.context["reports"]
    assert [report.pk for report in rows] == [reports[1].pk, reports[2].pk, reports[0].pk]
    waiting = re.findall(r'data-testid="inbox-waiting"><span title="[^"]+">([^<]+)</span>', page.content.decode())
    assert [text.replace("\xa0", " ") for text in waiting] == ["5 天", "3 天", "1 天"]
