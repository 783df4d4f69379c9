"""The admin's pages for onboarding sheets: 导入 on the lists of bodies, people and due dates (upload
a sheet, see the last imports of that sheet), and the page of one import (its preview row by row,
refused rows first, 确认导入, then its result). The work itself is in reports.onboarding.jobs."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.models import SheetImport, SheetImportRow
from reports.onboarding import jobs

ROWS_PER_PAGE = 100
RECENT_IMPORTS = 10
# Which rows a preview shows: what would be refused, what would change, or every row.
ROW_VIEWS = {
    "refused": (gettext_lazy("被拒绝的行"), [SheetImportRow.Kind.INVALID, SheetImportRow.Kind.ERROR]),
    "changes": (gettext_lazy("新增和修改的行"), [SheetImportRow.Kind.NEW, SheetImportRow.Kind.UPDATE]),
    "all": (gettext_lazy("全部行"), None),
}


class SheetUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("表格文件"),
                           help_text=gettext_lazy(".xlsx 或 .csv，不超过 20 MB。"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))


def upload_page(model_admin, request, kind: str, template_url: str):
    """导入: the form, then the import's own page; the last imports of this sheet below the form."""
    if not model_admin.has_import_permission(request):
        raise PermissionDenied
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            sheet = jobs.request_import(request.user, kind, form.cleaned_data["file"])
        except jobs.SheetRefused as refused:
            form.add_error("file", refused.message)
        else:
            return redirect("admin:reports_sheetimport_change", sheet.pk)
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request), "opts": opts, "form": form, "template_url": template_url,
        "title": _("导入%(sheet)s") % {"sheet": SheetImport.Kind(kind).label},
        "recent": SheetImport.objects.filter(kind=kind).select_related("uploaded_by")[:RECENT_IMPORTS],
    }
    return TemplateResponse(request, "admin/reports/import_sheet.html", context)


def sheet_page(model_admin, request, object_id):
    """One import: its state, its totals, its rows page by page; 确认导入 while it waits for that."""
    sheet = get_object_or_404(SheetImport.objects.select_related("uploaded_by"), pk=object_id)
    if not model_admin.has_view_permission(request, sheet):
        raise PermissionDenied
    target = model_admin.admin_site._registry[jobs.RESOURCES[sheet.kind]._meta.model]
    if request.method == "POST":
        if not target.has_import_permission(request):
            raise PermissionDenied
        if not jobs.confirm(sheet):  # the page itself says how the import goes
            messages.warning(request, _("这张表格已经导入或不能导入，没有再次导入。"))
        return redirect("admin:reports_sheetimport_change", sheet.pk)
    totals = sheet.totals or {}
    refused = totals.get("invalid", 0) + totals.get("error", 0)
    shown = request.GET.get("rows") or ("refused" if refused else "changes")
    if shown not in ROW_VIEWS:
        shown = "changes"
    rows = sheet.rows.all()
    if ROW_VIEWS[shown][1] is not None:
        rows = rows.filter(kind__in=ROW_VIEWS[shown][1])
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    counts = {"refused": refused, "changes": totals.get("new", 0) + totals.get("update", 0),
              "all": sum(totals.get(kind, 0) for kind in SheetImportRow.Kind.values)}
    target_opts = target.model._meta
    context = {
        **model_admin.admin_site.each_context(request), "opts": SheetImport._meta, "sheet": sheet,
        "title": _("导入%(sheet)s：%(file)s") % {"sheet": sheet.get_kind_display(), "file": sheet.filename},
        "totals": totals, "refused": refused, "page": page, "shown": shown,
        "views": [(key, label, counts[key]) for key, (label, _kinds) in ROW_VIEWS.items()],
        "columns": sheet.headers,
        "rows": [(row, [(row.cells.get(column, ""), column in row.changes) for column in sheet.headers])
                 for row in page.object_list],
        "working": sheet.status in (SheetImport.Status.PREVIEWING, SheetImport.Status.IMPORTING),
        "can_confirm": sheet.status == SheetImport.Status.PREVIEWED and target.has_import_permission(request),
        "list_url": reverse(f"admin:{target_opts.app_label}_{target_opts.model_name}_changelist"),
        "import_url": reverse(f"admin:{target_opts.app_label}_{target_opts.model_name}_import"),
        "links_mailed": sheet.kind == SheetImport.Kind.PEOPLE and not settings.JIBAO_LDAP_URL,
    }
    return TemplateResponse(request, "admin/reports/sheet_import.html", context)
