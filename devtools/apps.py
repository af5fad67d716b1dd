from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """Demo seeding, synthetic data and benchmarks: the top floor, it may read every app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "devtools"
    verbose_name = _("Demo data and benchmarks")
