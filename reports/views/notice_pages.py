"""通知: the signed-in user's in-app notices (reports.review.notices writes them), newest first.
Each person sees only their own: another's notice is not found (404), as if it did not exist."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reports.models import Notice

PAGE_SIZE = 50


def local_path(link: str) -> bool:
    """Whether a notice's link stays on this site: a path, never "//host" nor "/\\host" (which
    browsers read as another host), so that opening a notice can never send anyone elsewhere."""
    return link.startswith("/") and not link.startswith("//") and url_has_allowed_host_and_scheme(link, allowed_hosts=set())


@require_safe
def notice_list(request):
    notices = Notice.objects.filter(user=request.user).order_by("-created_at", "-id")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/notices.html", {"page": page})


@require_safe
def notice_open(request, notice_id):
    """Follow a notice's link and mark it read. A GET, because the list links to it: marking
    one's own notice read is all it can do, and it does so once (the first reading is kept)."""
    notice = get_object_or_404(Notice, pk=notice_id, user=request.user)
    Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(notice.link if local_path(notice.link) else "reports:notices")


@require_POST
def notices_read_all(request):
    if Notice.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now()):
        messages.success(request, _("已将全部通知标为已读。"))
    return redirect("reports:notices")
