from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach.reports"
    label = "outreach_reports"
    verbose_name = _("Outreach daily reports")
