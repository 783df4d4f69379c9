"""Actions on 问题整改台账 entries (开始整改, 提请销号, 销号, 重新整改) from the pages that show them."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reports.access import visible_organization_ids
from reports.models import Problem, ProblemEvent
from reports.tracking import ledger
from reports.tracking.ledger import LedgerRefused

DONE = {
    ledger.START: gettext_lazy("已标记为整改中。"),
    ledger.PROPOSE: gettext_lazy("已提请销号，等待审核人确认。"),
    ledger.CLOSE: gettext_lazy("已销号。"),
    ledger.REOPEN: gettext_lazy("已重新列为需要整改的问题。"),
}


TYPED = "ledger_typed"  # the session key of a 整改情况 or reason refused, shown again in its box


def typed_back(request: HttpRequest) -> dict:
    """{"problem": id, "action": …, "text": …} of what was refused, once; {} when nothing was."""
    return request.session.pop(TYPED, None) or {}


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
        typed = request.POST.get("comment", "")
        if typed:  # back in its box, to shorten or complete rather than retype
            request.session[TYPED] = {"problem": problem.pk, "action": ledger_action, "text": typed}
    else:
        messages.success(request, str(DONE[ledger_action]))
    return _back(request)
