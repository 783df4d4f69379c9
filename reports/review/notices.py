"""E-mail notices: who hears of what. Sent after the transaction commits, through Django's mail
backend (the console in development), so a failing mail server never undoes a transition."""

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from reports.access import supervising_body
from reports.models import Membership, Organization, ReportEvent

logger = logging.getLogger(__name__)


def members(organization_id: int, role: str) -> list[AbstractBaseUser]:
    """The active members of a body in a role who have an e-mail address."""
    return list(
        get_user_model().objects.filter(
            memberships__organization_id=organization_id, memberships__role=role, is_active=True
        ).exclude(email="").distinct()
    )


def _send(messages):
    if not messages:
        return 0
    try:
        return send_mass_mail(messages, fail_silently=False)
    except Exception:  # a mail outage must not turn a saved transition into an error page
        logger.exception("sending notices failed")
        return 0


def link(name: str, *args: int) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def after_transition(event: ReportEvent) -> int:
    report = event.report
    actor = (event.actor.get_full_name() or event.actor.username) if event.actor else _("系统")
    if event.action == ReportEvent.Action.SUBMIT:
        recipients = members(report.organization_id, Membership.Role.REVIEWER)
        subject = _("【季报】待审核：%(title)s") % {"title": report.title}
        body = _("%(actor)s 提交了《%(title)s》，请审核：\n%(link)s") % {
            "actor": actor, "title": report.title, "link": link("reports:review", report.pk)}
    else:
        recipients = members(report.organization_id, Membership.Role.DRAFTER)
        subject = _("【季报】%(action)s：%(title)s") % {"action": event.get_action_display(), "title": report.title}
        body = _("%(actor)s %(action)s了《%(title)s》。") % {
            "actor": actor, "action": event.get_action_display(), "title": report.title}
        if event.comment:
            body += "\n" + _("意见：%(comment)s") % {"comment": event.comment}
        body += "\n" + link("reports:edit" if event.to_status == "returned" else "reports:detail", report.pk)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email for user in recipients])] if recipients else []
    if event.action == ReportEvent.Action.APPROVE:
        messages += _to_supervisors(report, actor)
    return _send(messages)


def _to_supervisors(report, actor):
    """审定 is 报送: the overseers of the body the report goes to are told it waits for their 签收."""
    body = supervising_body(report.organization)
    recipients = members(body.pk, Membership.Role.OVERSEER) if body else []
    if not recipients:
        return []
    subject = _("【季报】待签收：%(title)s") % {"title": report.title}
    text = _("%(actor)s 审定并报送了《%(title)s》，请签收：\n%(link)s") % {
        "actor": actor, "title": report.title, "link": link("reports:review", report.pk)}
    return [(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email for user in recipients])]


def remind(*, organization: Organization, year: int, quarter: int, due_date: date, sender: AbstractBaseUser) -> list[str]:
    """催报: ask a body's drafters for its report. Returns the addresses written to."""
    from reports.labels import day_name, quarter_name

    recipients = members(organization.id, Membership.Role.DRAFTER)
    if not recipients:
        return []
    who = sender.get_full_name() or sender.username
    subject = _("【季报】催报：%(body)s%(year)s年%(quarter)s报告") % {
        "body": organization.name, "year": year, "quarter": quarter_name(quarter)}
    body = _("%(body)s%(year)s年%(quarter)s履行全面从严治党主体责任情况报告应于%(due)s前报送，目前尚未提交。"
             "请尽快完成并提交。\n%(link)s\n\n督办人：%(who)s") % {
        "body": organization.name, "year": year, "quarter": quarter_name(quarter),
        "due": day_name(due_date), "link": link("reports:list"), "who": who}
    addresses = [user.email for user in recipients]
    _send([(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)])
    return addresses
