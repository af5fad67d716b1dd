"""The third-party apps under names a Chinese administrator reads in the admin (their own
configurations name them "Axes" and "Knox", untranslated)."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login protection")


class KnoxConfig(AppConfig):
    name = "knox"
    verbose_name = _("API tokens")
