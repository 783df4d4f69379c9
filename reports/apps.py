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
        # The board's counts per subtree follow the reports and the tree (reports.tracking.tallies),
        # and are counted whole after every migrate: a new kind of count fills itself on upgrade.
        from django.db.models.signals import post_migrate

        from reports.tracking import tallies

        tallies.connect_signals()
        post_migrate.connect(_recount_after_migrate, sender=self, dispatch_uid="tallies-after-migrate")
        _chinese_names_of_other_apps()
        # A sign-in link's notice is read once its person has signed in (reports.onboarding.sign_in).
        from django.contrib.auth.signals import user_logged_in

        from reports.onboarding.sign_in import sign_in_links_served

        user_logged_in.connect(sign_in_links_served, dispatch_uid="sign-in-links-served")


def _recount_after_migrate(sender, using, plan=None, **kwargs):
    from reports.tracking import tallies

    if plan:  # only when migrations were applied: a migrate with nothing to do counts nothing again
        tallies.recount()


def _chinese_names_of_other_apps():
    """The admin's sidebar in Chinese: login throttling (django-axes) and the task queue
    (django-tasks-db) name themselves only in English. Names only, not the models' declared Meta
    (which migrations read), so no migration of theirs changes."""
    from django.apps import apps

    names = {
        "axes": (_("登录限制"), {"AccessFailureLog": _("登录失败记录"), "AccessAttempt": _("登录尝试"),
                                "AccessAttemptExpiration": _("登录尝试到期"), "AccessLog": _("登录记录")}),
        "django_tasks_database": (_("后台任务"), {"DBTaskResult": _("任务结果")}),
    }
    for label, (name, models) in names.items():
        if label not in apps.app_configs:
            continue
        config = apps.get_app_config(label)
        config.verbose_name = name
        for model_name, title in models.items():
            meta = config.get_model(model_name)._meta
            meta.verbose_name = meta.verbose_name_plural = title
