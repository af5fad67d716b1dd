from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach.reports"
    label = "outreach_reports"
    verbose_name = _("Outreach daily reports")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import audit, mounts
        from eldercare import nav as shell

        from . import api, nav
        from .models import DailyReport

        shell.register(nav.NAV_ITEMS, nav.worklist)
        mounts.mount("outreach/reports/", "outreach.reports.urls")
        core_api.register_routes(api.register)
        audit.register(DailyReport, "community_id")
