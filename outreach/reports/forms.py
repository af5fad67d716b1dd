from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_STAFF


class ReportConfirmForm(forms.Form):
    """What a unit may add to its computed figures: the staff on duty, if the contacts miss some,
    and a note."""

    staff_on_duty = forms.IntegerField(
        label=_("Staff on duty"),
        min_value=0,
        max_value=MAX_STAFF,
        required=False,
        help_text=_("Filled in from the day's contacts; correct it if others were on duty."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DayForm(forms.Form):
    day = forms.DateField(required=False)
