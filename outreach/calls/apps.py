from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachCallsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach.calls"
    label = "outreach_calls"
    verbose_name = _("Active care calls")
