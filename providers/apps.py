from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "providers"
    verbose_name = _("Providers")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import digest, hub, mounts
        from eldercare import nav as shell

        from . import api, nav, urls
        from .digest import held_visits_overdue, rectifications_overdue
        from .views import agreements, catalogue, exceptions, library, orders, presence, quality, staff, visit

        shell.register(nav.NAV_ITEMS, nav.worklist)
        for area in (library, staff, catalogue, agreements, orders, visit, exceptions, presence, quality):
            shell.register(area.NAV_ITEMS, area.worklist)
            hub.register(area.hub_sections)
        digest.register(rectifications_overdue)
        digest.register(held_visits_overdue)
        mounts.mount("providers/", "providers.urls")
        mounts.mount("subsidies/", urls.elder_patterns)
        core_api.register_routes(api.register)
        from eldercare import audit

        from .models import (
            Callback,
            Caregiver,
            CaregiverRevealLog,
            CommunityContact,
            ElderCard,
            Provider,
            ServiceAgreement,
            WorkOrder,
        )

        audit.register(Provider, None)
        audit.register(Caregiver, None)
        audit.register(ServiceAgreement, "elder__community_id")
        audit.register(ElderCard, "elder__community_id")
        audit.register(WorkOrder, "elder__community_id")
        audit.register(Callback, "order__elder__community_id")
        audit.register(CommunityContact, "elder__community_id")
        audit.register_reveals(
            CaregiverRevealLog,
            community_path=None,
            subject="caregiver",
            field_label=lambda row: Caregiver._meta.get_field("phone").verbose_name,
        )
