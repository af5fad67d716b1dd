"""Forms of the catalogue: a provider's items and packages, new versions, the district's decision."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.forms import DateInput

from .. import rules
from ..models import CertificateKind, ServiceItem, ServiceKind


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of service"), choices=ServiceKind.choices)
    name = forms.CharField(label=_("Item name"), max_length=100)
    price = forms.DecimalField(label=_("Price (yuan)"), max_digits=10, decimal_places=2)
    minutes = forms.IntegerField(label=_("Standard duration (minutes)"), initial=rules.MIN_VISIT_MINUTES, min_value=1)
    certificate_kind = forms.ChoiceField(
        label=_("Certificate needed"), choices=[("", _("None"))] + list(CertificateKind.choices), required=False
    )
    subsidised = forms.TypedChoiceField(
        label=_("Who pays"),
        choices=[("1", _("Paid by the subsidy (at least one hour)")), ("0", _("Self-paid at market price"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    valid_from = forms.DateField(
        label=_("In force from"),
        widget=DateInput(),
        initial=timezone.localdate,
    )


class ItemVersionForm(forms.Form):
    """A change of price or content: the new version's fields, from a date."""

    name = forms.CharField(label=_("Item name"), max_length=100)
    price = forms.DecimalField(label=_("Price (yuan)"), max_digits=10, decimal_places=2)
    minutes = forms.IntegerField(label=_("Standard duration (minutes)"), min_value=1)
    valid_from = forms.DateField(label=_("In force from"), widget=DateInput())


class PackageForm(forms.Form):
    name = forms.CharField(label=_("Package name"), max_length=100)
    items = forms.ModelMultipleChoiceField(
        label=_("Items"), queryset=ServiceItem.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    price = forms.DecimalField(label=_("Package price (yuan)"), max_digits=10, decimal_places=2)
    valid_from = forms.DateField(
        label=_("In force from"),
        widget=DateInput(),
        initial=timezone.localdate,
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        field.queryset = items
        field.label_from_instance = lambda i: f"{i.name} · {i.price} · {i.provider.name}"


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the provider"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when you reject the entry."),
    )
