"""Notices: who hears of what. Each goes to its recipients twice: as an in-app notice (通知, the
Notice model, for everyone, e-mail address or not) and as an e-mail to those with an address.
Mailed by a task after the transaction commits (reports.mail), through Django's mail backend (the
console in development): a failing mail server never undoes a transition, and its mail is retried."""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import reverse
from django.utils.translation import gettext as _

from reports import mail
from reports.access import supervising_body
from reports.labels import person_name
from reports.models import Membership, Notice, Organization, ReportEvent

NOTICE_BATCH = 1000


def members(organization_id: int, role: str) -> list[AbstractBaseUser]:
    """The active members of a body in a role, with an e-mail address or not."""
    return list(
        get_user_model().objects.filter(
            memberships__organization_id=organization_id, memberships__role=role, is_active=True
        ).distinct()
    )


def deliver(recipients, subject: str, body: str, url: str = "") -> list[str]:
    """One notice to each recipient: in the app for all, and by e-mail to those with an address,
    mailed by a task once the transaction commits (reports.mail). Returns the addresses."""
    recipients = list({user.pk: user for user in recipients}.values())
    return deliver_each([(user, subject, body, url) for user in recipients])


def deliver_each(letters) -> list[str]:
    """Each (recipient, subject, body, url) its own notice, written in batches and mailed as
    deliver does: an import's thousands of sign-in links are a few queries, not thousands."""
    notices = Notice.objects.bulk_create(
        [Notice(user=user, subject=subject[:200], body=body, link=url, email=user.email)
         for user, subject, body, url in letters], batch_size=NOTICE_BATCH)
    mail.mail_after_commit([notice.pk for notice in notices if notice.email])
    return [notice.email for notice in notices if notice.email]


def path(name: str, *args: int) -> str:
    return reverse(name, args=args)


def link(name: str, *args: int) -> str:
    return settings.SITE_URL + path(name, *args)


def after_transition(event: ReportEvent) -> list[str]:
    """Tell who must act next, and the drafters what became of their report. Returns the addresses."""
    from reports.review import chain
    from reports.tracking.deadlines import local_date

    report = event.report
    actor = event.who
    if event.action in (ReportEvent.Action.SUBMIT, ReportEvent.Action.PASS):
        steps = chain.chain(report.organization_id)
        step = chain.current(report, steps)
        recipients = chain.holders(report.organization_id, step, steps, local_date(event.created_at))
        if len(steps) > 1:
            subject = _("【季报】待审核（第%(number)d环节 %(step)s）：%(title)s") % {
                "number": step.number, "step": step.name, "title": report.title}
        else:
            subject = _("【季报】待审核：%(title)s") % {"title": report.title}
        verb = _("提交了") if event.action == ReportEvent.Action.SUBMIT else _("审核通过了")
        body = _("%(actor)s %(verb)s《%(title)s》，请审核。") % {"actor": actor, "verb": verb, "title": report.title}
        url = path("reports:review", report.pk)
        if event.comment and event.action == ReportEvent.Action.SUBMIT:  # a submission's comment is its 迟报说明
            body += "\n" + _("迟报说明：%(reason)s") % {"reason": event.comment}
        addresses = deliver(recipients, subject, body, url)
    else:
        recipients = members(report.organization_id, Membership.Role.DRAFTER)
        subject = _("【季报】%(action)s：%(title)s") % {"action": event.get_action_display(), "title": report.title}
        body = _("%(actor)s %(action)s了《%(title)s》。") % {
            "actor": actor, "action": event.get_action_display(), "title": report.title}
        if event.comment:
            body += "\n" + _("意见：%(comment)s") % {"comment": event.comment}
        url = path("reports:edit" if event.to_status == "returned" else "reports:detail", report.pk)
        addresses = deliver(recipients, subject, body, url)
    if event.action == ReportEvent.Action.APPROVE:
        addresses += _to_supervisors(report, actor)
    return addresses


def _to_supervisors(report, actor):
    """审定 is 报送: the overseers of the body the report goes to are told it waits for their 签收."""
    body = supervising_body(report.organization)
    recipients = members(body.pk, Membership.Role.OVERSEER) if body else []
    subject = _("【季报】待签收：%(title)s") % {"title": report.title}
    text = _("%(actor)s 审定并报送了《%(title)s》，请签收。") % {"actor": actor, "title": report.title}
    return deliver(recipients, subject, text, path("reports:review", report.pk))


def remind(*, organization: Organization, year: int, quarter: int | None, due_date: date,
           sender: AbstractBaseUser | None, due_soon: bool = False) -> list[str]:
    """催报: ask a body's drafters for its report, from an overseer or (without a sender) by itself,
    before the due date (`due_soon`: 即将到期) or after it. Returns the addresses written to; every
    drafter also finds it among their 通知."""
    from reports.labels import day_name, period_name

    recipients = members(organization.id, Membership.Role.DRAFTER)
    period = period_name(year, quarter)
    due = day_name(due_date)
    if due_soon:
        subject = _("【季报】即将到期：%(body)s%(period)s报告") % {"body": organization.name, "period": period}
        body = _("%(body)s%(period)s履行全面从严治党主体责任情况报告应于%(due)s前报送，目前尚未提交。"
                 "请按时完成并提交。") % {"body": organization.name, "period": period, "due": due}
    else:
        subject = _("【季报】催报：%(body)s%(period)s报告") % {"body": organization.name, "period": period}
        body = _("%(body)s%(period)s履行全面从严治党主体责任情况报告应于%(due)s前报送，目前尚未提交。"
                 "请尽快完成并提交。") % {"body": organization.name, "period": period, "due": due}
    if sender is not None:
        body += "\n\n" + _("督办人：%(who)s") % {"who": person_name(sender)}
    return deliver(recipients, subject, body, path("reports:list"))
