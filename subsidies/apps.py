from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subsidies"
    verbose_name = _("Subsidies")

    def ready(self):
        from eldercare import api as core_api
        from eldercare import nav as shell

        from . import api_routes, nav

        shell.register(nav.NAV_ITEMS, nav.worklist)
        core_api.register_routes(api_routes.register)
        from eldercare import audit

        from . import tasks_applications  # noqa: F401  (registers the Celery tasks)
        from .models import Application, Assessment, Entitlement, Objection, PolicyRow, PolicyVersion

        audit.register(Application, "community_id")
        audit.register(Objection, "application__community_id")
        audit.register(Assessment, "elder__community_id")
        audit.register(Entitlement, "elder__community_id")
        # District-wide rows: no community path.
        audit.register(PolicyVersion, None)
        audit.register(PolicyRow, None)
