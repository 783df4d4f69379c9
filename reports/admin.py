from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Comment,
    DueDate,
    Heading,
    Item,
    Measure,
    MeasureValue,
    Membership,
    Organization,
    Reminder,
    Report,
    ReportEvent,
    Section,
    Submission,
)

admin.site.site_header = _("季报 管理后台")
admin.site.site_title = _("季报")
admin.site.index_title = _("数据管理")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "parent"]
    list_filter = ["parent"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__first_name", "organization__name"]
    autocomplete_fields = ["user", "organization"]


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["position", "kind", "title", "lead"]
    show_change_link = True


class MeasureValueInline(admin.TabularInline):
    model = MeasureValue
    extra = 0
    autocomplete_fields = ["measure"]


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organization", "year", "quarter", "status", "updated_at"]
    list_filter = ["status", "year", "quarter", "organization"]
    search_fields = ["title", "organization__name"]
    readonly_fields = ["version", "created_at", "updated_at", "created_by", "updated_by"]
    autocomplete_fields = ["organization"]
    inlines = [SectionInline, MeasureValueInline]


class HeadingInline(admin.TabularInline):
    model = Heading
    extra = 0
    fields = ["position", "title", "lead"]
    show_change_link = True


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ["position", "heading", "text"]


@admin.register(Section)
class SectionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "report", "position"]
    list_filter = ["kind"]
    search_fields = ["title", "report__title"]
    inlines = [HeadingInline, ItemInline]


@admin.register(Heading)
class HeadingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "section", "position"]
    search_fields = ["title", "section__report__title"]
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "section", "heading", "position"]
    search_fields = ["text"]


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "organization", "active"]
    list_filter = ["active", "unit", "organization"]
    search_fields = ["name"]


@admin.register(MeasureValue)
class MeasureValueAdmin(admin.ModelAdmin):
    list_display = ["report", "measure", "value"]
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


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["action", "to_status"]
    search_fields = ["report__title", "comment"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["report", "number", "submitted_by", "submitted_at"]
    search_fields = ["report__title"]
    exclude = ["paragraphs"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["organization", "year", "quarter", "sent_by", "sent_at"]
    list_filter = ["year", "quarter"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["report", "place", "author", "created_at"]
    search_fields = ["report__title", "text"]


@admin.register(DueDate)
class DueDateAdmin(admin.ModelAdmin):
    list_display = ["year", "quarter", "due_date"]
    list_filter = ["year"]
