from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subsidies.applications"
    label = "applications"
    verbose_name = _("Applications and review")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import audit, digest, hub, mounts
        from eldercare import nav as shell

        from . import api, nav
        from .documents import verifier_register
        from .hub import hub_sections
        from .models import Application, Objection
        from .roster import roster_verification
        from .services.reminders import overdue_applications_digest
        from .tokens import DocumentKind

        shell.register(nav.NAV_ITEMS, nav.worklist)
        digest.register(overdue_applications_digest)
        hub.register(hub_sections)
        core_api.register_routes(api.register)
        # The intake and review pages carry the "subsidies:" namespace (app_name of that module).
        mounts.mount("subsidies/", "subsidies.applications.urls")
        from .urls import verify_urlpatterns

        mounts.mount("verify/", verify_urlpatterns)
        verifier_register(DocumentKind.ROSTER, roster_verification)
        audit.register(Application, "community_id")
        audit.register(Objection, "application__community_id")
