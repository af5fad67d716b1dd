"""Forms of supervision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CallbackResult, CommunityContact


class CallbackForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=CallbackResult.choices)
    note = forms.CharField(label=_("Note"), required=False)


class ContactForm(forms.Form):
    elder = forms.IntegerField(label=_("Elder (number)"))
    kind = forms.ChoiceField(label=_("Kind"), choices=CommunityContact.Kind.choices)
    contacted_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(label=_("Result"), choices=CallbackResult.choices)
    agreement_checked = forms.BooleanField(label=_("Service agreement checked"), required=False)
    records_checked = forms.BooleanField(label=_("Service records checked"), required=False)
    note = forms.CharField(label=_("Written record"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
