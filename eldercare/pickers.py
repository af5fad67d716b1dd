"""The elder picker every form uses: one field that finds an elder the user may see.

`ElderChoiceField(user=…)` cleans to an `Elder` in the user's scope; by default only elders still
served (not deceased, not moved away) may be chosen for new work. A wrong choice gets the form's
own error, in the user's language, never a 404.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LifeStatus, User
from .selectors import elder_list


class ElderChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("Choose an elder from the list: this one is not found or is no longer served."),
    }

    def __init__(self, *, user: User, active_only: bool = True, label=None, **kwargs):
        qs = elder_list(user=user)
        if active_only:
            qs = qs.filter(life_status=LifeStatus.ACTIVE, disqualified_at__isnull=True)
        kwargs.setdefault("label", label or _("Elder"))
        super().__init__(queryset=qs, **kwargs)
