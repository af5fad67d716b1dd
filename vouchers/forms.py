from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Account
from .services.deposits import NOTE_MAX_LENGTH, PaymentMethod


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


class FreezeForm(ReasonForm):
    cause = forms.ChoiceField(label=_("Cause"), choices=Account.Cause.choices)


class FraudForm(ReasonForm):
    amount = forms.DecimalField(label=_("Diverted amount (CNY)"), min_value=0, max_digits=12, decimal_places=2)


class CounterForm(forms.Form):
    """A deposit onto, or a refund from, the elder's personal account at the counter."""

    amount = forms.DecimalField(label=_("Amount (CNY)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False)
    # Generated when the form is shown: submitting the same form twice books the money once.
    request_id = forms.CharField(widget=forms.HiddenInput, max_length=80)
