from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Account


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


class FreezeForm(ReasonForm):
    cause = forms.ChoiceField(label=_("Cause"), choices=Account.Cause.choices)


class FraudForm(ReasonForm):
    amount = forms.DecimalField(label=_("Diverted amount (CNY)"), min_value=0, max_digits=12, decimal_places=2)
