from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("季度报告")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # An evidence file goes with its last use, however the use is deleted (reports.evidence.attach).
        from reports.evidence import attach  # noqa: F401

        # Who a body reports to follows its overseers (reports.tree).
        from reports.tree import connect_signals

        connect_signals()
