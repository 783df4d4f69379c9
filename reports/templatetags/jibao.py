from django import template
from django.utils.html import format_html

register = template.Library()

STATUS_STYLES = {
    "draft": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "returned": "text-bg-warning",
    "approved": "text-bg-success",
}


@register.simple_tag
def status_badge(report):
    return format_html(
        '<span class="badge {} status-badge" data-status="{}">{}</span>',
        STATUS_STYLES.get(report.status, "text-bg-light"),
        report.status,
        report.get_status_display(),
    )
