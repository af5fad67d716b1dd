from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachCallsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach.calls"
    label = "outreach_calls"
    verbose_name = _("Active care calls")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import audit, mounts
        from eldercare import nav as shell

        from . import api, nav
        from .models import CallOutcome, CallPlan, HomeVisitRequest

        shell.register(nav.NAV_ITEMS, nav.worklist)
        mounts.mount("outreach/calls/", "outreach.calls.urls")
        core_api.register_routes(api.register)
        audit.register(CallPlan, None)
        audit.register(CallOutcome, "elder__community_id")
        audit.register(HomeVisitRequest, "community_id")
