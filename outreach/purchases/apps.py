from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachPurchasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach.purchases"
    label = "outreach_purchases"
    verbose_name = _("Buy-on-behalf of necessities")
