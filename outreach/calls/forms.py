from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.forms import DateInput

from . import rules
from .models import CallResult, CallTarget, VisitFinding


class PlanForm(forms.Form):
    name = forms.CharField(label=_("name of the plan"), max_length=100)
    target = forms.ChoiceField(label=_("households called"), choices=CallTarget.choices)
    interval_days = forms.IntegerField(
        label=_("days between calls"),
        min_value=1,
        max_value=rules.MAX_INTERVAL_DAYS,
        initial=rules.DEFAULT_INTERVAL_DAYS,
    )
    starts_on = forms.DateField(label=_("starts on"), widget=DateInput, initial=timezone.localdate)
    ends_on = forms.DateField(label=_("ends on"), widget=DateInput, required=False)
    callers = forms.ModelMultipleChoiceField(
        label=_("hotline operators"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, callers: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["callers"].queryset = callers


class CallForm(forms.Form):
    result = forms.ChoiceField(label=_("result"), choices=CallResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(forms.Form):
    finding = forms.ChoiceField(label=_("what the visit found"), choices=VisitFinding.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
