from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach"
    verbose_name = _("Emergency outreach")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import audit, hub, mounts
        from eldercare import nav as shell

        from . import api, nav, views
        from .models import (
            Contact,
            EmergencyContact,
            EmergencyResponse,
            Escalation,
            ResponsiblePerson,
            TemporaryCaregiver,
            VulnerabilityProfile,
        )

        shell.register(nav.NAV_ITEMS, nav.worklist)
        hub.register(views.hub_sections)
        mounts.mount("outreach/", "outreach.urls")
        core_api.register_routes(api.register)
        audit.register(VulnerabilityProfile, "elder__community_id")
        audit.register(EmergencyContact, "profile__elder__community_id")
        audit.register(ResponsiblePerson, "elder__community_id")
        audit.register(TemporaryCaregiver, "elder__community_id")
        audit.register(EmergencyResponse, None)
        audit.register(Contact, "elder__community_id")
        audit.register(Escalation, "community_id")
