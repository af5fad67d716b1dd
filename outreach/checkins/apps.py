from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachCheckinsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach.checkins"
    label = "outreach_checkins"
    verbose_name = _("Daily check-ins")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import audit, mounts
        from eldercare import nav as shell

        from . import api, nav
        from .models import CheckinEnrolment, MissedCheckin

        shell.register(nav.NAV_ITEMS, nav.worklist)
        mounts.mount("outreach/checkins/", "outreach.checkins.urls")
        core_api.register_routes(api.register)
        audit.register(CheckinEnrolment, "elder__community_id")
        audit.register(MissedCheckin, "community_id")
