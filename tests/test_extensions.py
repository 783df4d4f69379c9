"""准予延期: who may grant it, what is refused, what it writes and tells, and that it ends by itself."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.drafting.editing import edit_refusal
from reports.models import Extension, Membership, Notice, Organization, Submission
from reports.tracking.deadlines import deadlines_for
from reports.tracking.extensions import (
    AlreadySubmitted,
    ExtensionRefused,
    NotSupervised,
    ReasonRequired,
    ReasonTooLong,
    UntilNotAfterToday,
    UntilTooLate,
    grant_extension,
)

DRAFTER = Membership.Role.DRAFTER
TODAY = date(2023, 5, 1)  # 2023 Q1 was due on 04-10: closed, with no grace days
REASON = "机关搬迁，材料汇总延误，经研究准予延期报送。"


@pytest.fixture
def closed_input(tree):
    """市纪委监委 closes input on the due date: its bodies' 2023 periods are closed from the day after."""
    Organization.objects.filter(pk=tree["city"].pk).update(closes_input=True, grace_days=0)


@pytest.fixture
def office_drafters(tree, make_user):
    return [
        make_user(organization=tree["office"], role=DRAFTER, email="office1@example.org"),
        make_user(organization=tree["office"], role=DRAFTER),  # no address: the notice only
    ]


def grant(user, organization, **changes):
    values = {"year": 2023, "quarter": 1, "until": TODAY + timedelta(days=7), "reason": REASON, "today": TODAY}
    return grant_extension(user=user, organization=organization, **{**values, **changes})


def nothing_written(mailoutbox):
    return not Extension.objects.exists() and not Notice.objects.exists() and mailoutbox == []


# ---- Refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "changes", "refusal", "words"),
    [
        ("county_body", {}, NotSupervised, "该单位不存在或不在您的督办范围内"),
        ("office", {"until": TODAY}, UntilNotAfterToday, "延期日期须晚于今天"),
        ("office", {"until": TODAY - timedelta(days=3)}, UntilNotAfterToday, "延期日期须晚于今天"),
        ("office", {"until": TODAY + timedelta(days=91)}, UntilTooLate, "今天之后 90 天（2023年7月30日）"),
        ("office", {"reason": ""}, ReasonRequired, "请填写延期理由"),
        ("office", {"reason": " \u3000\u200b\n "}, ReasonRequired, "请填写延期理由"),  # invisible only
        ("office", {"reason": "延" * 2001}, ReasonTooLong, "最多 2000 个字符，现有 2001 个"),
        ("office", {"quarter": 7}, ExtensionRefused, "季度应为 1 至 4"),
    ],
)
def test_refusals_write_nothing(tree, overseer, closed_input, office_drafters, mailoutbox,
                                django_capture_on_commit_callbacks, body, changes, refusal, words):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(refusal) as raised:
        grant(overseer, tree[body], **changes)
    assert words in raised.value.message
    assert "县政协党组" not in raised.value.message  # a body outside the range is never named
    assert nothing_written(mailoutbox)


def test_the_dates_allowed_run_from_tomorrow_to_ninety_days_ahead(tree, overseer, closed_input):
    assert grant(overseer, tree["office"], until=TODAY + timedelta(days=1)).until == date(2023, 5, 2)
    assert grant(overseer, tree["office"], until=TODAY + timedelta(days=90)).until == date(2023, 7, 30)


def test_a_submitted_report_needs_no_extension(tree, overseer, closed_input, report_factory, office_drafters,
                                               mailoutbox, django_capture_on_commit_callbacks):
    report = report_factory(tree["office"], status="returned")  # submitted once, late, and returned
    Submission.objects.create(report=report, number=1, paragraphs=[], measures={}, submitted_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AlreadySubmitted) as raised:
        grant(overseer, tree["office"])
    assert raised.value.message == "市政协机关党组2023年第一季度的报告已经报送，无需延期。"
    assert nothing_written(mailoutbox)


def test_only_an_overseer_of_the_body_reported_to_may_grant(tree, overseer, closed_input, make_user, mailoutbox):
    """Not the overseer of a body further up once 市政协党组 has overseers of its own (市政协机关党组
    reports to them), not a superuser, not the body's own drafter."""
    cppcc_overseer = make_user(organization=tree["cppcc"], role=Membership.Role.OVERSEER)
    overseer = type(overseer).objects.get(pk=overseer.pk)  # a fresh object: the range is kept on it
    for user in (overseer, make_user(is_superuser=True, is_staff=True), office_drafter(tree, make_user)):
        with pytest.raises(NotSupervised):
            grant(user, tree["office"])
    assert grant(cppcc_overseer, tree["office"]).granted_by == cppcc_overseer
    assert grant(overseer, tree["cppcc"]).granted_by == overseer  # 市政协党组 still reports to 市纪委监委


def office_drafter(tree, make_user):
    return make_user(organization=tree["office"], role=DRAFTER)


# ---- Granted -------------------------------------------------------------------------------


def test_a_grant_writes_one_extension_and_tells_each_drafter(tree, overseer, closed_input, office_drafters, make_user,
                                                             mailoutbox, django_capture_on_commit_callbacks):
    make_user(organization=tree["office"], role=Membership.Role.REVIEWER, email="reviewer@example.org")
    make_user(organization=tree["congress"], role=DRAFTER, email="congress@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        extension = grant(overseer, tree["office"], until=date(2023, 5, 20), reason="  机关搬迁，\u200b材料延误。 ")
    assert Extension.objects.get() == extension
    assert (extension.organization, extension.year, extension.quarter, extension.until, extension.reason,
            extension.granted_by) == (tree["office"], 2023, 1, date(2023, 5, 20), "机关搬迁，材料延误。", overseer)

    notices = Notice.objects.order_by("user_id")
    assert [notice.user for notice in notices] == office_drafters  # one each; not the reviewer, not another body
    notice = notices[0]
    assert notice.subject == "【季报】准予延期：市政协机关党组2023年第一季度报告"
    assert "2023年5月20日" in notice.body and "延期理由：机关搬迁，材料延误。" in notice.body
    assert "批准人：overseer" in notice.body
    assert notice.link == reverse("reports:list")
    assert [mail.to for mail in mailoutbox] == [["office1@example.org"]]
    assert mailoutbox[0].subject == notice.subject


def test_an_annual_report_may_be_extended(tree, overseer, closed_input, office_drafters,
                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        extension = grant(overseer, tree["office"], quarter=None, today=date(2024, 3, 1), until=date(2024, 3, 15))
    assert extension.quarter is None
    assert Notice.objects.first().subject == "【季报】准予延期：市政协机关党组2023年度报告"
    assert not deadlines_for([tree["office"].pk], 2023, None)[tree["office"].pk].closed(date(2024, 3, 15))


def test_the_extension_opens_input_until_its_date_and_then_it_closes_by_itself(tree, overseer, closed_input):
    def closed_on(day):
        return deadlines_for([tree["office"].pk], 2023, 1)[tree["office"].pk].closed(day)

    assert closed_on(TODAY)
    grant(overseer, tree["office"], until=date(2023, 5, 10))
    assert [closed_on(day) for day in (TODAY, date(2023, 5, 10), date(2023, 5, 11))] == [False, False, True]
    # Granted again, the latest date counts, a shorter one too.
    grant(overseer, tree["office"], until=date(2023, 5, 3))
    assert closed_on(date(2023, 5, 4))
    assert not deadlines_for([tree["office"].pk], 2023, 2)[tree["office"].pk].extended_until  # another period


def test_the_drafter_may_edit_while_the_extension_lasts(tree, overseer, closed_input, report_factory, make_user):
    """The editor's one answer (edit_refusal) follows the extension, on the real date."""
    drafter = office_drafter(tree, make_user)
    report = report_factory(tree["office"], status="draft")
    today = timezone.localdate()
    assert edit_refusal(user=drafter, report=report)[1] == "closed"
    extension = grant(overseer, tree["office"], today=today, until=today + timedelta(days=7))
    report = type(report).objects.get(pk=report.pk)  # whether input is closed is kept on the object
    assert edit_refusal(user=drafter, report=report) is None
    Extension.objects.filter(pk=extension.pk).update(until=today - timedelta(days=1))
    report = type(report).objects.get(pk=report.pk)
    message, code = edit_refusal(user=drafter, report=report)
    assert code == "closed" and message.startswith("已截止，请联系督办单位")


# ---- The board's form ----------------------------------------------------------------------


def extend_url():
    return reverse("tracking:extend")


def form_data(tree, **changes):
    today = timezone.localdate()
    return {"organization": tree["office"].pk, "year": 2023, "quarter": "1",
            "until": (today + timedelta(days=7)).isoformat(), "reason": REASON, **changes}


def test_the_form_grants_and_comes_back_to_the_boards_page(client, tree, overseer, closed_input, office_drafters,
                                                           django_capture_on_commit_callbacks):
    client.force_login(overseer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(extend_url(), form_data(tree, group=tree["cppcc"].pk))
    assert response.status_code == 302
    assert response["Location"] == (f"{reverse('tracking:board')}?year=2023&group={tree['cppcc'].pk}"
                                     f"#body-{tree['office'].pk}")
    until = timezone.localdate() + timedelta(days=7)
    assert Extension.objects.get().until == until and Notice.objects.count() == 2
    html = client.get(response["Location"]).content.decode()
    assert f"已准予市政协机关党组2023年第一季度的报告延期至 {until:%Y-%m-%d}，并已通知该单位的起草人。" in html
    assert f"延期至 {until:%Y-%m-%d}" in html


def test_the_form_says_why_nothing_was_granted(client, tree, overseer, closed_input, office_drafters, mailoutbox):
    client.force_login(overseer)
    response = client.post(extend_url(), form_data(tree, reason="   "), follow=True)
    assert "请填写延期理由" in response.content.decode()
    today = timezone.localdate()
    response = client.post(extend_url(), form_data(tree, until=today.isoformat()), follow=True)
    assert "延期日期须晚于今天" in response.content.decode()
    for organization in (tree["county_body"].pk, 999999):
        response = client.post(extend_url(), form_data(tree, organization=organization), follow=True)
        html = response.content.decode()
        assert "不在您的督办范围内" in html and "县政协党组" not in html
    response = client.post(extend_url(), form_data(tree, until="明天"))
    assert response["Location"] == f"{reverse('tracking:board')}?year=2023"
    assert "请求不完整" in client.get(response["Location"]).content.decode()
    response = client.post(extend_url(), form_data(tree, quarter="7"), follow=True)
    assert "请求不完整" in response.content.decode()
    assert nothing_written(mailoutbox)


@pytest.mark.parametrize("role", [DRAFTER, Membership.Role.REVIEWER])
def test_the_form_is_for_overseers_and_takes_only_post(client, tree, overseer, make_user, role, mailoutbox):
    assert client.post(extend_url(), form_data(tree))["Location"].startswith(reverse("login"))
    client.force_login(make_user(organization=tree["office"], role=role))
    assert client.post(extend_url(), form_data(tree)).status_code == 403
    client.force_login(overseer)
    assert client.get(extend_url(), form_data(tree)).status_code == 405
    assert nothing_written(mailoutbox)
