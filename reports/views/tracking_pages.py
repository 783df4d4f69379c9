"""督办 pages: the board of who reported when, its 催报 and 准予延期 forms, and the measures summary.

Only overseers (of a body that has bodies below it) and superusers may open them (access.is_overseer);
anyone else gets 403. What an overseer sees is limited to the bodies below theirs (reports.tracking.scope.overseen).
"""

import tempfile

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from reports.access import is_overseer
from reports.labels import (
    PERIODS,
    QUARTER_NUMBERS,
    parse_period_key,
    period_key,
    period_name,
    quarter_name,
    quarter_short_name,
)
from reports.models import YEAR_MAX, YEAR_MIN, Organization
from reports.tracking import summary, tallies
from reports.tracking.board import board_years, build_board, default_board_year
from reports.tracking.deadlines import local_date
from reports.tracking.extensions import ExtensionRefused, grant_extension, not_supervised_message
from reports.tracking.reminders import ReminderRefused, not_overseen_message, send_reminder
from reports.tracking.scope import drill_level, overseen
from reports.views.board_cells import CellRenderer
from reports.word.pdf import pdf_available

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_IN_MEMORY = 4 * 1024 * 1024


def _require_overseer(user):
    if not is_overseer(user):
        raise PermissionDenied(_("只有督办人可以查看督办情况和统计数汇总。"))


def _year(request):
    """The year asked for in the query string; None when absent or not a year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if YEAR_MIN <= year <= YEAR_MAX else None


def _group(request):
    """The group asked for (?group=ID), None when absent or not a number; scope.drill_level ignores
    an id that is not one of the overseer's bodies or below one."""
    try:
        return int(request.GET.get("group", ""))
    except ValueError:
        return None


def _include_unaccepted(request):
    """?all=1: the summary counts the reports not yet 签收ed as well."""
    return request.GET.get("all") in {"1", "on", "true"}


@require_safe
def board(request):
    _require_overseer(request.user)
    today = timezone.localdate()
    year = _year(request) or default_board_year(request.user, today)
    the_board = build_board(request.user, year, today, group_id=_group(request))
    quality = request.GET.get("quality") == "1"
    return render(
        request,
        "reports/tracking/board.html",
        {
            "board": the_board,
            "rows": CellRenderer(request, today, the_board.group, quality=quality).rows(the_board),
            "quality": quality,
            "year": year,
            "years": board_years(request.user, today),
            "pdf_available": pdf_available(),
        },
    )


class ReminderForm(forms.Form):
    organization = forms.IntegerField(min_value=1)
    year = forms.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX)
    quarter = forms.TypedChoiceField(choices=[(period_key(quarter), quarter) for quarter in PERIODS],
                                     coerce=parse_period_key)
    group = forms.IntegerField(min_value=1, required=False)  # the board's group page to go back to


class ExtensionForm(ReminderForm):
    until = forms.DateField()
    # Checked by grant_extension after clean_text, which names what is wrong with it.
    reason = forms.CharField(required=False, strip=False)


def _back_to_board(data):
    """The board page a cell's form was sent from: its year, and its group if it had one."""
    back = f"{reverse('tracking:board')}?year={data['year']}"
    if data.get("group"):
        back += f"&group={data['group']}"
    return back


@require_POST
def remind(request):
    """催报 from a cell of the board: a plain form post, answered with a redirect back to the
    board and a message saying what was sent or why nothing was."""
    _require_overseer(request.user)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("催报请求不完整，没有发送邮件。请刷新页面后重试。"))
        return redirect("tracking:board")
    data = form.cleaned_data
    back = _back_to_board(data)
    organization = Organization.objects.filter(pk=data["organization"]).first()
    if organization is None:
        messages.error(request, not_overseen_message())
        return redirect(back)
    back += f"#body-{organization.pk}"
    try:
        reminder = send_reminder(
            user=request.user, organization=organization, year=data["year"], quarter=data["quarter"],
            today=timezone.localdate(),
        )
    except ReminderRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    count = len([address for address in reminder.recipients.split(",") if address.strip()])
    if count:
        messages.success(
            request,
            ngettext(
                "已向%(body)s发送催报邮件（%(count)d 人）。",
                "已向%(body)s发送催报邮件（%(count)d 人）。",
                count,
            ) % {"body": organization.name, "count": count},
        )
    else:  # its drafters have no address: they find the 催报 among their 通知 only
        messages.success(request, _("已向%(body)s的起草人发送站内催报通知；他们未设邮箱，没有发送邮件。")
                         % {"body": organization.name})
    return redirect(back)


@require_POST
def extend(request):
    """准予延期 from a closed cell of the board, answered like 催报: back to the board's page, with
    a message saying until when, or why not."""
    _require_overseer(request.user)
    form = ExtensionForm(request.POST)
    data = form.cleaned_data if form.is_valid() else None
    if data is None:
        messages.error(request, _("准予延期的请求不完整（须填写延期日期和理由），没有准予延期。请刷新页面后重试。"))
        # The fields that were valid still say which page of the board to go back to.
        return redirect(_back_to_board(form.cleaned_data) if "year" in form.cleaned_data else "tracking:board")
    back = _back_to_board(data)
    organization = Organization.objects.filter(pk=data["organization"]).first()
    if organization is None:
        messages.error(request, not_supervised_message())
        return redirect(back)
    back += f"#body-{organization.pk}"
    try:
        extension = grant_extension(
            user=request.user, organization=organization, year=data["year"], quarter=data["quarter"],
            until=data["until"], reason=data["reason"], today=local_date(timezone.now()),
        )
    except ExtensionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    messages.success(request, _("已准予%(body)s%(period)s的报告延期至 %(until)s，并已通知该单位的起草人。") % {
        "body": organization.name, "period": period_name(extension.year, extension.quarter),
        "until": extension.until.strftime("%Y-%m-%d")})
    return redirect(back)


@require_safe
def measures(request):
    _require_overseer(request.user)
    today = timezone.localdate()
    include_unaccepted = _include_unaccepted(request)
    # The board's drill-down by the tree (?group=ID): the sums cover the group's subtree.
    level = drill_level(request.user, _group(request))
    # A query over the tree's paths, not a list: the sums filter on it in the database.
    body_ids = level.within(overseen(request.user))
    # Figures are summed from 签收ed reports, which come after the quarter: early in a year
    # (and on a new installation) the current year has none yet.
    nodes = level.tally_nodes()
    year = _year(request) or summary.latest_counted_year(nodes, include_unaccepted) or today.year
    sums = summary.measure_sums(request.user, year, include_unaccepted, body_ids=body_ids, level=level)
    counts = summary.report_counts(nodes, year, include_unaccepted)
    unaccepted = sum(count.unaccepted for count in counts.values())
    chart = {
        # Short labels, so that four fit under a small chart without turning sideways.
        "labels": [quarter_short_name(quarter) for quarter in QUARTER_NUMBERS],
        "series": [
            {
                "id": entry.measure_id,
                "label": entry.label,
                "unit": entry.unit,
                "values": [summary.as_number(v) for v in entry.values],
            }
            for entry in sums
        ],
    }
    # The links of the breadcrumb and of the rows change the group and keep the rest.
    base_query = f"?year={year}" + ("&all=1" if include_unaccepted else "")
    query = base_query + (f"&group={level.group.pk}" if level.group else "")
    asked = _measure(request, sums)
    # 按下级单位 shows one measure: the one asked for, else the table's first.
    chosen = asked or (sums[0] if sums else None)
    by_child = (summary.sums_per_child(request.user, year, chosen, level, include_unaccepted, body_ids=body_ids)
                if chosen else None)
    return render(
        request,
        "reports/tracking/summary.html",
        {
            "year": year,
            "quarter_names": [quarter_name(quarter) for quarter in QUARTER_NUMBERS],
            "years": board_years(request.user, today),
            "include_unaccepted": include_unaccepted,
            "scope_note": summary.scope_note(include_unaccepted),
            "unaccepted_note": summary.unaccepted_note(unaccepted) if include_unaccepted else "",
            "unaccepted": unaccepted,
            "sums": sums,
            "report_counts": counts.values(),
            "bodies_count": tallies.reporting_count(nodes),
            "chart": chart,
            "xlsx_url": reverse("tracking:summary_xlsx") + query,
            "query": query,
            "base_query": base_query,
            "measure_query": f"&measure={asked.measure_id}" if asked else "",
            "group": level.group,
            "trail": level.trail() if level.group else [],
            "chosen": chosen,
            "by_child": by_child,
            "drill": _by_body(request, asked, year, include_unaccepted, body_ids),
        },
    )


BY_BODY_PAGE_SIZE = 50


def _measure(request, sums):
    """The measure of the table asked for (?measure=ID), None when absent or not in the table."""
    try:
        measure_id = int(request.GET.get("measure", ""))
    except ValueError:
        return None
    return next((entry for entry in sums if entry.measure_id == measure_id), None)


def _by_body(request, entry, year, include_unaccepted, body_ids):
    """The drill-down of the measure asked for: each body's value per quarter, a page of bodies at
    a time. None when no measure of the table is asked for."""
    if entry is None:
        return None
    bodies = summary.bodies_with_values(request.user, entry.measure_id, year, include_unaccepted, body_ids=body_ids)
    page = Paginator(bodies, BY_BODY_PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "entry": entry,
        "page": page,
        "rows": summary.values_by_body(request.user, entry.measure_id, year, list(page.object_list), include_unaccepted),
    }


@require_safe
def measures_xlsx(request):
    _require_overseer(request.user)
    year = _year(request) or timezone.localdate().year
    # The page's link keeps its ?group=: the file holds the subtree the page shows.
    level = drill_level(request.user, _group(request))
    workbook = summary.summary_workbook(request.user, year, _include_unaccepted(request), level)
    # Written to a temporary file (in memory while small) and sent from it in blocks.
    spooled = tempfile.SpooledTemporaryFile(max_size=XLSX_IN_MEMORY)
    workbook.save(spooled)
    spooled.seek(0)
    filename = (_("统计数汇总-%(year)s.xlsx") % {"year": year} if level.group is None else
                _("统计数汇总-%(year)s-%(group)s.xlsx") % {"year": year, "group": level.group.name})
    return FileResponse(spooled, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
