from django.apps import AppConfig
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _


def _revealed_field(row) -> str:
    """The name of the elder's number a reveal showed (its column, for a name no longer known)."""
    try:
        return str(row.elder._meta.get_field(row.field).verbose_name)
    except FieldDoesNotExist:
        return row.field


class EldercareConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "eldercare"
    verbose_name = _("Core")

    def ready(self):
        from . import nav

        nav.register(nav.NAV_ITEMS, nav.worklist)
        from . import audit
        from .models import Elder, ElderCategory, RevealLog, RoleAssignment, User

        audit.register(Elder, "community_id")
        audit.register(ElderCategory, "elder__community_id")
        audit.register(User, None)
        audit.register(RoleAssignment, None)
        audit.register_reveals(
            RevealLog, community_path="elder__community_id", subject="elder", field_label=_revealed_field
        )

        from django.db.models.signals import post_save

        from .tokens import api_tokens_end

        def end_tokens_on_new_password(sender, instance, created, **kwargs):
            """A new password or a deactivated account ends the user's API tokens."""
            password_changed = getattr(instance, "_password_changed", False)
            instance._password_changed = False
            if not created and (password_changed or not instance.is_active):
                api_tokens_end(user=instance)

        post_save.connect(end_tokens_on_new_password, sender=User, dispatch_uid="end_tokens_on_new_password")
