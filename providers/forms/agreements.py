"""Forms of service agreements and service cards."""

from django import forms
from django.utils.translation import gettext_lazy as _

from eldercare.forms import DateInput
from eldercare.pickers import ElderChoiceField

from ..models import Provider, ServiceAgreement
from ..services.agreements import PLAIN_END_REASONS

DATE = DateInput()


def _bootstrap(form: forms.Form) -> None:
    """Bootstrap classes on the widgets (the pages allow no inline script to add them)."""
    for field in form.fields.values():
        widget = field.widget
        if getattr(widget, "input_type", "") == "hidden" or not isinstance(
            widget, (forms.widgets.Input, forms.Select, forms.Textarea)
        ):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class SignForm(forms.Form):
    """A community worker chooses the elder from the picker; a provider admin types the ID number the
    elder showed them (a provider sees no list of elders it does not serve yet)."""

    elder = forms.Field(required=False)  # replaced in __init__
    id_number = forms.CharField(label=_("Elder's resident ID number"), max_length=18, required=False)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.none())
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    consent = forms.CharField(
        label=_("How the elder consented"),
        max_length=200,
        required=False,
        help_text=_("For example: 本人当面签字, 家属代签. Required when a provider enters the agreement."),
    )

    def __init__(self, *args, user, providers, provider_side: bool, elder=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        if elder is not None or provider_side:
            del self.fields["elder"]
        else:
            self.fields["elder"] = ElderChoiceField(user=user)
        if provider_side and elder is None:
            self.fields["id_number"].required = True
        else:
            del self.fields["id_number"]
        self.fields["consent"].required = provider_side
        _bootstrap(self)


class EndForm(forms.Form):
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    reason = forms.ChoiceField(
        label=_("Why it ends"),
        choices=[c for c in ServiceAgreement.EndReason.choices if c[0] in PLAIN_END_REASONS],
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ChangeProviderForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("New provider"), queryset=Provider.objects.none())
    starts_on = forms.DateField(label=_("New agreement starts on"), widget=DATE)
    consent = forms.CharField(label=_("How the elder consented"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        _bootstrap(self)


class CardIssueForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the card is issued"),
        max_length=200,
        help_text=_("For example: first card, card lost, card damaged."),
    )
