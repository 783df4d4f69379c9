"""A leader's edited Word file: upload → preview of what it holds → suggestions and comments.

The file is read once (reports.word.importing.review); what it holds is kept in the session as
the stable JSON of `import_review --dry-run` until the user confirms, so what is created is
exactly what the preview showed. Nothing is created if the report has been submitted again in
between: the file was read against the earlier text."""

import secrets
import time

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from reports.access import can_edit
from reports.document.diffing import diff_text
from reports.review import suggestions
from reports.views.access import visible_report
from reports.views.uploads import limit_uploads, too_large
from reports.word.importing import MAX_UPLOAD_BYTES
from reports.word.importing.errors import TOO_LARGE
from reports.word.importing.review import ReviewFileRefused, read_review

SESSION_KEY = "jibao_review_imports"
KEEP = 3


def may_import(user, report) -> bool:
    """The drafter who has the leader's file by e-mail, or the reviewer reading it: whoever may
    then act on the suggestions (accept them, or have proposed them)."""
    return can_edit(user, report) or suggestions.may_suggest(user, report)


def _back(report, user):
    return reverse("reports:edit" if can_edit(user, report) else "reports:review", args=[report.pk])


@csrf_exempt
@require_http_methods(["GET", "POST"])
def upload(request, pk):
    limit_uploads(request, MAX_UPLOAD_BYTES)
    return _upload(request, pk)


@csrf_protect
def _upload(request, pk):
    report = visible_report(request, pk)
    if not may_import(request.user, report):
        messages.error(request, _("只有这份报告的起草人（可修改时）或正在审核它的人可以导入领导改过的 Word 文件。"))
        return redirect("reports:detail", pk=report.pk)
    context = {"report": report, "back": _back(report, request.user)}
    if request.method != "POST":
        return render(request, "reports/review_import_upload.html", context)
    upload_file = request.FILES.get("file")
    if too_large(request):
        return render(request, "reports/review_import_upload.html", {**context, "refusal": TOO_LARGE}, status=413)
    if upload_file is None:
        return render(request, "reports/review_import_upload.html",
                      {**context, "refusal": _("请选择领导改过的 Word 文件（.docx）。")}, status=422)
    try:
        reading = read_review(report, upload_file.read())
    except ReviewFileRefused as refused:
        return render(request, "reports/review_import_upload.html", {**context, "refusal": refused.message}, status=422)
    return redirect("reports:review_import_preview", pk=report.pk, key=_remember(request, report, reading, upload_file.name))


@require_http_methods(["GET", "POST"])
def preview(request, pk, key):
    report = visible_report(request, pk)
    stored = request.session.get(SESSION_KEY, {}).get(key)
    if stored is None or stored["report"] != report.pk:
        messages.warning(request, _("要导入的文件已不在（可能已经导入，或已过期），请重新上传。"))
        return redirect("reports:review_import", pk=report.pk)
    data = stored["reading"]
    if not may_import(request.user, report):
        messages.error(request, _("这份报告的状态已经改变，您现在不能导入修改建议。"))
        return redirect("reports:detail", pk=report.pk)
    stale = stored["submission"] != _latest_number(report)
    if request.method == "POST":
        if stale:
            messages.error(request, _("读取文件后，这份报告又提交了一次：文件是按以前的文本读的。请重新上传。"))
            return redirect("reports:review_import", pk=report.pk)
        made, comments = suggestions.import_reading(report, data, request.user)
        _forget(request, key)
        messages.success(request, _("已导入 %(suggestions)d 条修改建议、%(comments)d 条批注。") % {
            "suggestions": made, "comments": comments})
        return redirect(_back(report, request.user))
    shown = [{**item, "segments": diff_text(item["before"], item["after"])} for item in data["suggestions"]]
    return render(request, "reports/review_import_preview.html", {
        "report": report, "data": data, "suggestions": shown, "name": stored["name"], "key": key, "stale": stale,
        "back": _back(report, request.user)})


def _latest_number(report):
    return report.submissions.order_by("-number").values_list("number", flat=True).first()


def _remember(request, report, reading, name):
    imports = request.session.get(SESSION_KEY, {})
    key = secrets.token_urlsafe(8)
    imports[key] = {"report": report.pk, "name": name, "at": time.time(), "submission": _latest_number(report),
                    "reading": reading.as_json()}
    request.session[SESSION_KEY] = dict(sorted(imports.items(), key=lambda entry: entry[1]["at"], reverse=True)[:KEEP])
    return key


def _forget(request, key):
    imports = request.session.get(SESSION_KEY, {})
    imports.pop(key, None)
    request.session[SESSION_KEY] = imports
