from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vouchers"
    verbose_name = _("Vouchers")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import hub, mounts
        from eldercare import nav as shell

        from . import api, nav
        from .hub import hub_sections

        shell.register(nav.NAV_ITEMS, nav.worklist)
        hub.register(hub_sections)
        mounts.mount("vouchers/", "vouchers.urls")
        core_api.register_routes(api.register)
        from eldercare import audit

        from .models import Account

        # Status changes of accounts (freeze, archive) are audited; balances live in the ledger.
        audit.register(Account, "elder__community_id")
