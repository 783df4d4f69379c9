"""The 问题整改台账 page, and the actions on its entries (开始整改, 提请销号, 销号, 重新整改) from the
pages that show them. The page lists the bodies a user belongs to or oversees (ledger.ledger_bodies)."""

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from reports.access import visible_organization_ids
from reports.evidence.attach import entry_evidence
from reports.models import YEAR_MAX, YEAR_MIN, Organization, Problem, ProblemEvent
from reports.tracking import ledger
from reports.tracking.ledger import LedgerRefused
from reports.tracking.ledger_sheet import ledger_workbook
from reports.views import typed
from reports.views.tracking_pages import XLSX_CONTENT_TYPE

DONE = {
    ledger.START: gettext_lazy("已标记为整改中。"),
    ledger.PROPOSE: gettext_lazy("已提请销号，等待审核人确认。"),
    ledger.CLOSE: gettext_lazy("已销号。"),
    ledger.REOPEN: gettext_lazy("已重新列为需要整改的问题。"),
}


def typed_back(request: HttpRequest) -> dict:
    """{"problem": id, "action": …, "text": …} of a 整改情况 or reason refused, once; {} when none was."""
    return typed.take(request, "ledger")


def _back(request):
    """The page the form was on (the editor, the review page), or the report list."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("reports:list")


@require_POST
def act(request: HttpRequest, problem_id: int, ledger_action: str) -> HttpResponse:
    problem = get_object_or_404(Problem, pk=problem_id)
    if problem.organization_id not in visible_organization_ids(request.user):
        raise Http404  # another body's ledger does not exist for this user
    if ledger_action not in ProblemEvent.Action.values or ledger_action == ledger.FOUND:
        messages.error(request, _("未知的操作。"))
        return _back(request)
    try:
        ledger.act(problem, ledger_action, actor=request.user, comment=request.POST.get("comment", ""))
    except LedgerRefused as refused:
        messages.error(request, refused.message)
        # Back in its box, to shorten or complete rather than retype.
        typed.keep(request, "ledger", request.POST.get("comment", ""), problem=problem.pk, action=ledger_action)
    else:
        messages.success(request, str(DONE[ledger_action]))
    return _back(request)


class LedgerFilterForm(forms.Form):
    """The page's filters; a value that is not one of the choices is ignored, not an error page."""

    body = forms.ModelChoiceField(label=gettext_lazy("单位"), queryset=Organization.objects.none(), required=False,
                                  empty_label=gettext_lazy("全部单位"))
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False,
                               choices=[("", gettext_lazy("全部状态")), *Problem.Status.choices])
    year = forms.IntegerField(label=gettext_lazy("发现年度"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)
    overdue = forms.BooleanField(label=gettext_lazy("只看逾期"), required=False)

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        for name, css in (("body", "form-select form-select-sm"), ("status", "form-select form-select-sm"),
                          ("year", "form-control form-control-sm ledger-year"), ("overdue", "form-check-input")):
            self.fields[name].widget.attrs["class"] = css
        for name in ("body", "status", "year"):
            self.fields[name].label_suffix = ""
            # The catalogue has 单位 and 状态 as field names ("body", "status"): a label starts capitalised.
            self.fields[name].label = capfirst(self.fields[name].label)


@dataclass(frozen=True)
class Filtered:
    """The ledger as the GET query asks for it: the filter form to show, what was chosen, and
    the entries it selects, coloured as of `today`."""

    form: LedgerFilterForm
    chosen: dict
    rows: list
    today: date


def _filtered(request: HttpRequest, *, actions: bool) -> Filtered:
    """The one reading of the ledger's filters, for the page and its download. `actions`: work out
    what the reader may do with each entry (the page's buttons; the download has none)."""
    ids = ledger.ledger_bodies(request.user)
    if not ids.exists():
        raise PermissionDenied(_("您不属于任何单位，也不督办任何单位，没有可查看的问题整改台账。"))
    bodies = ids.order_by("name")
    form = LedgerFilterForm(request.GET or None, bodies=bodies)
    chosen = form.cleaned_data if form.is_valid() else {}
    body = chosen.get("body")
    today = timezone.localdate()
    rows = ledger.ledger_rows(ids, today=today, user=request.user if actions else None,
                              organization_id=body.id if body else None, status=chosen.get("status", ""),
                              found_year=chosen.get("year"), overdue=bool(chosen.get("overdue")))
    return Filtered(form, chosen, rows, today)  # without a query the form is unbound: no errors shown


def _filter_labels(filtered: Filtered) -> list[str]:
    """The filters chosen, each worded as the form shows it ("状态 整改中", "只看逾期")."""
    fields, chosen = filtered.form.fields, filtered.chosen
    labels = []
    if chosen.get("body"):
        labels.append(f"{fields['body'].label} {chosen['body'].name}")
    if chosen.get("status"):
        labels.append(f"{fields['status'].label} {Problem.Status(chosen['status']).label}")
    if chosen.get("year") is not None:
        labels.append(f"{fields['year'].label} {chosen['year']}")
    if chosen.get("overdue"):
        labels.append(str(fields["overdue"].label))
    return labels


@require_safe
def ledger_page(request: HttpRequest) -> HttpResponse:
    filtered = _filtered(request, actions=True)
    query = request.GET.urlencode()
    proofs = entry_evidence([row.problem.pk for row in filtered.rows])
    return render(request, "reports/tracking/ledger.html", {
        "form": filtered.form,
        "rows": filtered.rows,
        "entries": [(row, proofs.get(row.problem.pk)) for row in filtered.rows],
        "counts": ledger.colour_counts(filtered.rows),
        "soon_days": ledger.soon_days(),
        "ledger_typed": typed_back(request),
        "xlsx_url": reverse("tracking:ledger_xlsx") + (f"?{query}" if query else ""),
    })


@require_safe
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    """The ledger page's entries, with its filters, as an .xlsx (reports/tracking/ledger_sheet.py)."""
    filtered = _filtered(request, actions=False)
    workbook = ledger_workbook(filtered.rows, today=filtered.today, filters=_filter_labels(filtered))
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    filename = _("问题整改台账-%(day)s.xlsx") % {"day": filtered.today.isoformat()}
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response
