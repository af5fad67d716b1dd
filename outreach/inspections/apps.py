from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachInspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach.inspections"
    label = "outreach_inspections"
    verbose_name = _("Inspections")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import audit, mounts
        from eldercare import nav as shell

        from . import api, nav
        from .models import Inspection, Problem

        shell.register(nav.NAV_ITEMS, nav.worklist)
        mounts.mount("outreach/inspections/", "outreach.inspections.urls")
        core_api.register_routes(api.register)
        audit.register(Inspection, "community_id")
        audit.register(Problem, "inspection__community_id")
