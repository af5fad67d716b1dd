from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachInspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach.inspections"
    label = "outreach_inspections"
    verbose_name = _("Inspections")
