from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EldercareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "eldercare"
    verbose_name = _("Core")

    def ready(self):
        from . import nav

        nav.register(nav.NAV_ITEMS, nav.worklist)
        from . import audit
        from .models import Elder, ElderCategory, RoleAssignment, User

        audit.register(Elder, "community_id")
        audit.register(ElderCategory, "elder__community_id")
        audit.register(User, None)
        audit.register(RoleAssignment, None)
