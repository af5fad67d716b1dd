from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachPurchasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach.purchases"
    label = "outreach_purchases"
    verbose_name = _("Buy-on-behalf of necessities")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import audit, hub, mounts
        from eldercare import nav as shell

        from . import api, nav, views
        from .models import Necessity, PartnerSupermarket, PurchaseRequest, PurchaseRun, SupermarketStaff

        shell.register(nav.NAV_ITEMS, nav.worklist)
        hub.register(views.hub_sections)
        mounts.mount("outreach/purchases/", "outreach.purchases.urls")
        core_api.register_routes(api.register)
        audit.register(PurchaseRequest, "community_id")
        audit.register(PurchaseRun, "community_id")
        audit.register(PartnerSupermarket, None)
        audit.register(SupermarketStaff, None)
        audit.register(Necessity, None)
