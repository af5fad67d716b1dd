from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subsidies"
    verbose_name = _("Subsidies")

    def ready(self):
        from eldercare import audit

        from .models import PolicyRow, PolicyVersion

        # District-wide rows: no community path.
        audit.register(PolicyVersion, None)
        audit.register(PolicyRow, None)
