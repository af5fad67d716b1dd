from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachCheckinsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach.checkins"
    label = "outreach_checkins"
    verbose_name = _("Daily check-ins")
