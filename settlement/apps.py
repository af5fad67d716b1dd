from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "settlement"
    label = "settlement"
    verbose_name = _("Settlement")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import digest, mounts
        from eldercare import nav as shell
        from subsidies.applications.documents import verifier_register
        from subsidies.applications.tokens import DocumentKind

        from . import api, nav
        from .digest import months_unconfirmed, quarters_unapproved
        from .statement import statement_verification

        shell.register(nav.NAV_ITEMS, nav.worklist)
        digest.register(months_unconfirmed)
        digest.register(quarters_unapproved)
        mounts.mount("settlement/", "settlement.urls")
        verifier_register(DocumentKind.STATEMENT, statement_verification)
        core_api.register_routes(api.register)
        from eldercare import audit

        from .models import MonthLine, QuarterLine, QuarterSettlement, ServiceMonth

        # Settlement figures are money: every change of their rows is audited (district-wide rows).
        audit.register(ServiceMonth, None)
        audit.register(MonthLine, "community_id")
        audit.register(QuarterSettlement, None)
        audit.register(QuarterLine, None)
