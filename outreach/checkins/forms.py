from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Checker, Resolution


class EnrolForm(forms.Form):
    elder = forms.ModelChoiceField(label=_("elder"), queryset=None)
    checker = forms.ChoiceField(label=_("who checks in"), choices=Checker.choices, widget=forms.RadioSelect)
    checker_name = forms.CharField(label=_("family member's name"), max_length=60, required=False)
    phone = forms.CharField(label=_("phone"), max_length=20, help_text=_("The phone that checks in every day."))
    deadline = forms.TimeField(label=_("check in by"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args, elders: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].queryset = elders


class ConfirmForm(forms.Form):
    how = forms.ChoiceField(
        label=_("how it was confirmed"),
        choices=[(v, label) for v, label in Resolution.choices if v != Resolution.LATE_CHECKIN],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))
