from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subsidies.standards"
    label = "standards"
    verbose_name = _("Subsidy standards")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import audit, mounts
        from eldercare import nav as shell

        from . import api, nav, urls
        from .models import Assessment, Entitlement, PolicyRow, PolicyVersion

        shell.register(nav.NAV_ITEMS)
        core_api.register_routes(api.register)
        mounts.mount("subsidies/", "subsidies.standards.urls")
        mounts.mount("vouchers/", urls.voucher_patterns)
        audit.register(Assessment, "elder__community_id")
        audit.register(Entitlement, "elder__community_id")
        # District-wide rows: no community path.
        audit.register(PolicyVersion, None)
        audit.register(PolicyRow, None)
