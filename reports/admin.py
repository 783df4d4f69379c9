"""The Django admin: every model, in Chinese; the record of what happened kept intact.

The trail rules (docs/SECURITY.md, tests/test_security.py):

* a report under review or approved (submitted, approved), and every part of it (sections,
  headings, items, measure values), is read-only here, exactly as in the editor; the way to
  change an approved report is the workflow's 重新打开 (reopen, with a reason, recorded);
* a report's status is never edited here: it moves only through the workflow, which writes
  one ReportEvent per step;
* a ledger entry's status moves only through reports/tracking/ledger.py, which records each
  step as a ProblemEvent; its 整改措施, 责任领导/部门 and 整改时限 may be corrected here;
* events, submissions, comments and reminders are append-only: shown, never added, changed or
  deleted; nor is anything whose deletion would delete them with it (a report that has been
  submitted, a body with reminders), nor a user whose name stands in the trail (deactivate
  the account instead: deleting it would blank the name on every event);
* the edit history (django-simple-history) is shown but never "reverted" from here: a revert
  would bypass the editor's rules and the workflow;
* a measure that a submitted or approved report prints keeps its name and unit;
* text typed here is cleaned as in the editor (reports/document/text.py): no control character, lone
  surrogate or bidirectional override reaches a report through the admin.

Every change the admin may still make (a draft's text, a body, a person) is recorded in the
edit history with the administrator's name (SimpleHistoryAdmin, HistoryRequestMiddleware).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from reports.access import FROZEN_STATUSES
from reports.document.text import clean_text
from reports.labels import person_name
from reports.models import (
    Comment,
    Contact,
    DueDate,
    Evidence,
    EvidenceFile,
    ExportJob,
    Extension,
    Heading,
    Item,
    Measure,
    MeasureRule,
    MeasureValue,
    Membership,
    Notice,
    Organization,
    PlanCheck,
    Problem,
    ProblemEvent,
    ProblemMention,
    ProblemProgress,
    Reminder,
    Report,
    ReportEvent,
    ReportQuality,
    ReviewStep,
    Section,
    SheetImport,
    SheetImportRow,
    StockPhrase,
    Submission,
    SubmittedFile,
    Substitution,
    SubtreeBodies,
    SubtreeMeasures,
    SubtreeReports,
    Suggestion,
    TextBand,
    TextPrint,
)
from reports.onboarding import admin_pages
from reports.onboarding.bodies import BodyResource
from reports.onboarding.due_dates import DueDateResource
from reports.onboarding.people import PersonResource
from reports.onboarding.sheets import sheet_template_response
from reports.onboarding.sign_in import send_sign_in_links

admin.site.site_header = _("季报 管理后台")
admin.site.site_title = _("季报")
admin.site.index_title = _("数据管理")


class CleanTextForm(forms.ModelForm):
    """Every free text field cleaned the one shared way (reports/document/text.py), as the editor does."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if not isinstance(value, str):
                continue
            try:
                field = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                cleaned[name] = clean_text(value, multiline=isinstance(field, models.TextField))[0]
        return cleaned


def report_of(obj):
    """The report a record belongs to (a Report, Section, Heading, Item or MeasureValue)."""
    if obj is None:
        return None
    if isinstance(obj, Report):
        return obj
    if isinstance(obj, (Section, MeasureValue)):
        return obj.report
    return obj.section.report  # Heading, Item


def is_frozen(obj):
    """Whether the record's report is submitted or approved, as the database has it now."""
    report = report_of(obj)
    if report is None or report.pk is None:
        return False
    return Report.objects.filter(pk=report.pk, status__in=FROZEN_STATUSES).exists()


def has_trail(report):
    return report.events.exists() or report.submissions.exists() or report.comments.exists()


class FrozenReportMixin:
    """Read-only while the record's report is submitted or approved; for a ModelAdmin the
    record is the object shown, for an inline it is the parent object."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_frozen(obj)


class FrozenInlineMixin(FrozenReportMixin):
    form = CleanTextForm

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not is_frozen(obj)


class TrailAdmin(FrozenReportMixin, SimpleHistoryAdmin):
    """A part of a report: frozen with its report, and its edit history shown, never reverted.

    Choosing another report, section or heading is limited to editable ones, so that nothing
    can be added to (or moved into) a frozen report; save_model checks again, so that a form
    posted by hand cannot get round it."""

    form = CleanTextForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Report:
            kwargs["queryset"] = Report.objects.exclude(status__in=FROZEN_STATUSES)
        elif related is Section:
            kwargs["queryset"] = Section.objects.exclude(report__status__in=FROZEN_STATUSES)
        elif related is Heading:
            kwargs["queryset"] = Heading.objects.exclude(section__report__status__in=FROZEN_STATUSES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if is_frozen(obj) or (change and is_frozen(type(obj).objects.get(pk=obj.pk))):
            raise PermissionDenied(_("报告已提交或已审定，不能在管理后台修改。"))
        super().save_model(request, obj, form, change)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(_("修改记录只供查看，不能在管理后台恢复旧版本。"))
        return super().history_form_view(request, object_id, version_id, extra_context)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class OrganizationForm(CleanTextForm):
    def clean_parent(self):
        """A parent that is the body itself or one below it would close a cycle (1 ↔ 2, or
        longer): the bodies in it would each oversee the others and have no top, and the
        board's and the summary's walk down the tree would have no end to report."""
        parent = self.cleaned_data.get("parent")
        if parent is None or self.instance.pk is None:
            return parent  # a new body has nothing below it yet
        if parent.pk == self.instance.pk:
            raise forms.ValidationError(_("上级单位不能是本单位或本单位的下级单位。"), code="parent_cycle")
        if parent.pk in Organization.objects.descendant_ids([self.instance.pk]):
            raise forms.ValidationError(
                _("上级单位不能是本单位或本单位的下级单位：“%(parent)s”在“%(name)s”之下，这样会形成循环。"),
                params={"parent": parent.name, "name": self.instance.name}, code="parent_cycle",
            )
        return parent


class ReviewStepForm(CleanTextForm):
    def clean(self):
        """A step hands a report only to people who can open it: members of the body."""
        cleaned = super().clean()
        chosen = cleaned.get("members")
        organization = cleaned.get("organization") or getattr(self.instance, "organization", None)
        if not chosen or organization is None or organization.pk is None:
            return cleaned
        members = set(Membership.objects.filter(organization=organization).values_list("user_id", flat=True))
        outside = [user for user in chosen if user.pk not in members]
        if outside:
            self.add_error("members", forms.ValidationError(
                _("%(names)s 不是本单位的成员，看不到本单位的报告。请先在“成员”中添加（角色选“审核人”）。"),
                params={"names": "、".join(person_name(user) for user in outside)},
                code="not_member"))
        return cleaned


class ReviewStepInline(admin.TabularInline):
    """The body's review chain (审核流程): its steps in order. With none, the body's 审核人 decide in
    one step, as before; the last step's approval is 审定 (reports.review.chain)."""

    model = ReviewStep
    form = ReviewStepForm
    extra = 0
    fields = ["position", "name", "members"]
    autocomplete_fields = ["members"]
    verbose_name = _("审核环节")
    verbose_name_plural = _("审核流程（按顺序逐级审核；不设置则由本单位审核人一步审定；最后一个环节通过即为审定）")


@admin.register(ReviewStep)
class ReviewStepAdmin(admin.ModelAdmin):
    """Every body's chain at a glance; each is set on its body's page (审核流程)."""

    form = ReviewStepForm
    list_display = ["organization", "position", "name"]
    list_filter = ["organization"]
    autocomplete_fields = ["organization", "members"]


class SheetMixin(ImportExportMixin):
    """导入 / 导出 of onboarding sheets (reports.onboarding): .xlsx and .csv, each upload previewed
    by a task and imported when confirmed (reports.onboarding.jobs), and a template of the sheet's
    columns to fill in. Django-import-export's own import pages, which preview in the request and
    hold every row of the sheet, are not used: a province's sheet takes minutes."""

    import_formats = export_formats = [base_formats.XLSX, base_formats.CSV]
    sheet_kind = None

    def _template_url_name(self):
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_sheet_template"

    def get_urls(self):
        from django.urls import path

        return [path("sheet-template/", self.admin_site.admin_view(self.sheet_template), name=self._template_url_name()),
                *super().get_urls()]

    def import_action(self, request, *args, **kwargs):
        return admin_pages.upload_page(self, request, self.sheet_kind, f"admin:{self._template_url_name()}")

    def process_import(self, request, *args, **kwargs):
        return redirect(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_import")

    def sheet_template(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        return sheet_template_response(self.resource_classes[0](), str(self.model._meta.verbose_name))


@admin.register(Organization)
class OrganizationAdmin(SheetMixin, admin.ModelAdmin):
    resource_classes = [BodyResource]
    sheet_kind = SheetImport.Kind.BODIES
    form = OrganizationForm
    list_display = ["name", "short_name", "code", "parent"]
    # By level, not by the body above: a filter of every parent would list a province's bodies.
    list_filter = ["depth"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline, ReviewStepInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "code", "parent"]}),
        (_("作为督办单位：下级单位的报送期限"), {
            "fields": ["grace_days", "closes_input", "warning_days"],
            # Open only where it applies: a body with overseers, whose bodies below report to it.
            "classes": ["collapse"],
            "description": _("对报送给本单位的下级单位生效（本单位须有督办人）。截止日期本身在“报送期限”中设置；"
                             "截止日期后提交须填写迟报说明；勾选“宽限期满后截止填报”后，宽限期满仍未提交的单位不能再填写，"
                             "督办人可在督办看板上对单个单位“准予延期”。"),
        }),
    ]


@admin.register(Membership)
class MembershipAdmin(SheetMixin, admin.ModelAdmin):
    resource_classes = [PersonResource]
    sheet_kind = SheetImport.Kind.PEOPLE
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]  # the body by the search box: a filter would list every body
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__first_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]


class SectionInline(FrozenInlineMixin, admin.TabularInline):
    model = Section
    extra = 0
    fields = ["position", "kind", "title", "lead"]
    show_change_link = True


class MeasureValueInline(FrozenInlineMixin, admin.TabularInline):
    model = MeasureValue
    extra = 0
    autocomplete_fields = ["measure"]


@admin.register(Report)
class ReportAdmin(TrailAdmin):
    list_display = ["title", "organization", "year", "quarter", "status", "updated_at"]
    list_filter = ["status", "year", "quarter", "organization"]
    search_fields = ["title", "organization__name"]
    # The status moves only through the workflow, which records each step as a ReportEvent.
    readonly_fields = ["status", "review_step", "late_reason", "version", "created_at", "updated_at", "created_by",
                       "updated_by"]
    autocomplete_fields = ["organization"]
    inlines = [SectionInline, MeasureValueInline]

    def has_delete_permission(self, request, obj=None):
        # Deleting a report that has been submitted would delete its events with it.
        return super().has_delete_permission(request, obj) and not (obj is not None and has_trail(obj))


class HeadingInline(FrozenInlineMixin, admin.TabularInline):
    model = Heading
    extra = 0
    fields = ["position", "title", "lead"]
    show_change_link = True


class ItemInline(FrozenInlineMixin, admin.TabularInline):
    model = Item
    extra = 0
    fields = ["position", "heading", "text"]


@admin.register(Section)
class SectionAdmin(TrailAdmin):
    list_display = ["title", "kind", "report", "position"]
    list_filter = ["kind"]
    search_fields = ["title", "report__title"]
    inlines = [HeadingInline, ItemInline]


@admin.register(Heading)
class HeadingAdmin(TrailAdmin):
    list_display = ["title", "section", "position"]
    search_fields = ["title", "section__report__title"]
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(TrailAdmin):
    list_display = ["__str__", "section", "heading", "position"]
    search_fields = ["text"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    form = CleanTextForm
    list_display = ["name", "unit", "whole", "needs_evidence", "organization", "active"]
    list_filter = ["active", "whole", "needs_evidence", "unit", "organization"]
    search_fields = ["name"]

    def get_readonly_fields(self, request, obj=None):
        # A submitted or approved report prints the measure's unit (and the trail its name).
        if obj is not None and obj.values.filter(report__status__in=FROZEN_STATUSES).exists():
            return ["name", "unit", "organization"]
        return []


@admin.register(MeasureRule)
class MeasureRuleAdmin(admin.ModelAdmin):
    """Rules between two figures of a report, checked before submission (reports.quality.figures)."""

    list_display = ["__str__", "active"]
    list_filter = ["active"]
    autocomplete_fields = ["left", "right"]


@admin.register(StockPhrase)
class StockPhraseAdmin(admin.ModelAdmin):
    """Phrases left out when texts are compared (reports.quality.copies); after a change, run
    `manage.py refresh_quality` to check every report again."""

    form = CleanTextForm
    list_display = ["text"]
    search_fields = ["text"]


@admin.register(MeasureValue)
class MeasureValueAdmin(TrailAdmin):
    list_display = ["report", "measure", "value", "note"]
    search_fields = ["report__title", "measure__name"]
    autocomplete_fields = ["report", "measure"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: readable in the admin, never written or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SheetImport)
class SheetImportAdmin(ReadOnlyAdmin):
    """Who imported which sheet, when, and what came of it; each one's page is its preview."""

    list_display = ["filename", "kind", "status", "uploaded_by", "created_at", "imported_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["uploaded_by"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return admin_pages.sheet_page(self, request, object_id)


@admin.register(SheetImportRow)
class SheetImportRowAdmin(ReadOnlyAdmin):
    """The rows of the imports, each also on its import's page."""

    list_display = ["sheet", "number", "kind", "reasons"]
    list_filter = ["kind"]
    list_select_related = ["sheet"]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "from_status", "to_status", "step_name", "actor", "on_behalf_of", "created_at"]
    list_filter = ["action", "to_status"]
    search_fields = ["report__title", "comment"]


@admin.register(ReportQuality)
class ReportQualityAdmin(ReadOnlyAdmin):
    list_display = ["report", "previous_share", "peer_share", "blocking", "warnings", "figures", "explained", "checked_at"]


@admin.register(TextPrint)
class TextPrintAdmin(ReadOnlyAdmin):
    list_display = ["report", "ref", "field"]


@admin.register(TextBand)
class TextBandAdmin(ReadOnlyAdmin):
    list_display = ["print", "key"]


@admin.register(SubtreeBodies)
class SubtreeBodiesAdmin(ReadOnlyAdmin):
    """The board's counts per subtree (reports.tracking.tallies): derived, shown to check them."""

    list_display = ["node", "warning_days", "bodies"]
    list_select_related = ["node"]
    search_fields = ["node__name"]


@admin.register(SubtreeReports)
class SubtreeReportsAdmin(ReadOnlyAdmin):
    list_display = ["node", "year", "quarter", "warning_days", "submitted", "on_time", "approved", "accepted",
                    "in_review"]
    list_select_related = ["node"]
    list_filter = ["year", "quarter"]
    search_fields = ["node__name"]


@admin.register(SubtreeMeasures)
class SubtreeMeasuresAdmin(ReadOnlyAdmin):
    list_display = ["node", "year", "quarter", "measure", "total"]
    list_select_related = ["node", "measure"]
    list_filter = ["year", "quarter"]
    search_fields = ["node__name", "measure__name"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["report", "number", "submitted_by", "submitted_at"]
    search_fields = ["report__title"]
    exclude = ["paragraphs"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["organization", "year", "quarter", "kind", "sent_by", "sent_at"]
    list_filter = ["kind", "year", "quarter"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    """Granted by an overseer on the board (准予延期), with its reason; it expires by itself."""

    list_display = ["organization", "year", "quarter", "until", "granted_by", "granted_at"]
    list_filter = ["year", "quarter"]
    search_fields = ["organization__name", "reason"]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    """The PDF and .zip jobs (reports.exports): who asked, how far, why one failed. Deleting one
    removes its file too (old ones go by themselves: send_due_reminders)."""

    list_display = ["__str__", "kind", "requested_by", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["filename", "requested_by__username", "error"]

    def has_delete_permission(self, request, obj=None):
        return True

    def delete_model(self, request, obj):
        obj.file.delete(save=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for job in queryset:
            job.file.delete(save=False)
        super().delete_queryset(request, queryset)


@admin.register(Substitution)
class SubstitutionAdmin(admin.ModelAdmin):
    """代审: set by the reviewer on leave on their 待办 page; the administrator may set or end one too."""

    list_display = ["absent", "substitute", "starts", "ends", "created_at"]
    autocomplete_fields = ["absent", "substitute"]
    search_fields = ["absent__username", "absent__first_name", "substitute__username", "substitute__first_name"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["subject", "user", "created_at", "read_at"]
    search_fields = ["subject", "user__username"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["report", "place", "author", "created_at"]
    search_fields = ["report__title", "text"]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    """Made on the review page or read from a leader's Word file; decided in the editor."""

    list_display = ["report", "label", "author_name", "source", "status", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["report__title", "before", "after", "author_name"]


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    form = CleanTextForm
    list_display = ["text", "organization", "found_year", "found_quarter", "status", "deadline"]
    list_filter = ["status", "found_year", "found_quarter"]
    search_fields = ["text", "organization__name"]
    readonly_fields = ["organization", "text", "found_year", "found_quarter", "status", "outcome",
                       "closing_proposed_by", "closing_proposed_at"]

    def has_add_permission(self, request):
        return False  # an entry comes from an approved report

    def has_delete_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(_("修改记录只供查看，不能在管理后台恢复旧版本。"))
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(ProblemEvent)
class ProblemEventAdmin(ReadOnlyAdmin):
    list_display = ["problem", "action", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["action", "to_status"]


@admin.register(ProblemMention)
class ProblemMentionAdmin(ReadOnlyAdmin):
    list_display = ["problem", "report"]


@admin.register(ProblemProgress)
class ProblemProgressAdmin(ReadOnlyAdmin):
    """Typed in the editor's panel, as part of a report."""

    list_display = ["problem", "report", "status"]
    list_select_related = ["problem", "report"]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyAdmin):
    """Stored once under their SHA-256 by the upload; never edited."""

    list_display = ["sha256", "kind", "size", "created_at"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Attached and removed in the editor, as part of a report."""

    list_display = ["title", "report", "target", "uploaded_by", "uploaded_at"]
    list_select_related = ["report", "uploaded_by"]


@admin.register(SubmittedFile)
class SubmittedFileAdmin(ReadOnlyAdmin):
    """Listed by the submission that froze them; never edited."""

    list_display = ["title", "submission", "target", "file"]
    list_select_related = ["submission__report", "file"]


@admin.register(PlanCheck)
class PlanCheckAdmin(ReadOnlyAdmin):
    """Answered in the editor's plans checklist, as part of a report."""

    list_display = ["plan", "report", "answer"]
    list_select_related = ["report"]


User = get_user_model()
admin.site.unregister(User)


class ContactInline(admin.StackedInline):
    model = Contact
    can_delete = False
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["user", "phone"]
    search_fields = ["user__username", "user__first_name", "phone"]
    autocomplete_fields = ["user"]


@admin.register(User)
class TrailUserAdmin(UserAdmin):
    """Django's user admin, except that a user named in the trail cannot be deleted (the
    events would lose who acted): such an account is deactivated instead (取消“有效”). People
    imported without a password can be sent their link to set one again (发送设置密码的链接)."""

    inlines = [ContactInline]
    actions = ["send_sign_in_link"]

    @admin.action(description=_("发送设置密码的链接"))
    def send_sign_in_link(self, request, queryset):
        sent = send_sign_in_links(queryset)
        self.message_user(request, _("已向 %(count)d 个邮箱发送设置密码的链接（没有登记邮箱的用户未发送）。")
                          % {"count": len(sent)})

    def has_delete_permission(self, request, obj=None):
        if obj is not None and in_trail(obj):
            return False
        return super().has_delete_permission(request, obj)


def in_trail(user):
    """Whether the user acted on a report: an event, a submission, a comment, a 催报, or an edit."""
    return (
        ReportEvent.objects.filter(Q(actor=user) | Q(on_behalf_of=user)).exists()
        or Extension.objects.filter(granted_by=user).exists()
        or Submission.objects.filter(submitted_by=user).exists()
        or Comment.objects.filter(author=user).exists()
        or Reminder.objects.filter(sent_by=user).exists()
        or Report.objects.filter(created_by=user).exists()
        or any(
            model.history.filter(history_user=user).exists()
            for model in (Report, Section, Heading, Item, MeasureValue, DueDate)
        )
    )


@admin.register(DueDate)
class DueDateAdmin(SheetMixin, SimpleHistoryAdmin):
    resource_classes = [DueDateResource]
    sheet_kind = SheetImport.Kind.DUE_DATES
    list_display = ["year", "quarter", "due_date"]
    list_filter = ["year"]
