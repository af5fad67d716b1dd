"""Forms of work orders and visits."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Caregiver, ServiceItem, WorkOrder


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Elder's card code"), max_length=200)
    request_id = forms.CharField(widget=forms.HiddenInput, max_length=80)
    lat = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=9, decimal_places=6)
    lng = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=9, decimal_places=6)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AssignForm(forms.Form):
    caregiver = forms.ModelChoiceField(label=_("Caregiver"), queryset=Caregiver.objects.none())

    def __init__(self, *args, caregivers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caregiver"].queryset = caregivers if caregivers is not None else Caregiver.objects.none()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class BookForm(forms.Form):
    elder = forms.IntegerField(label=_("Elder (number)"))
    item = forms.ModelChoiceField(label=_("Service item"), queryset=ServiceItem.objects.none())
    scheduled_at = forms.DateTimeField(label=_("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    via = forms.ChoiceField(label=_("Booked by"), choices=WorkOrder.BookedVia.choices)

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items if items is not None else ServiceItem.objects.none()
