"""Forms of work orders and visits."""

import math

from django import forms
from django.utils.translation import gettext_lazy as _

from eldercare.pickers import ElderChoiceField

from ..models import Caregiver, ServiceItem, ServicePackage, WorkOrder
from ..services.presence import SIGNATURE_MAX_BYTES

# A signature drawn on the phone travels as a PNG data URL: base64 of at most the service's bytes.
SIGNATURE_MAX_CHARS = 4 * math.ceil(SIGNATURE_MAX_BYTES / 3) + 100


class CodeForm(forms.Form):
    """Check-in and check-out on the caregiver's phone. The card is scanned (its token) or its short
    code typed; at check-out the elder confirms with a one-time code from the back of the card or
    signs on the phone. `accept_unpaid` is sent by the second button, once the caregiver has read
    why the visit will not be paid."""

    code = forms.CharField(
        label=_("Elder's card code"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
            }
        ),
    )
    request_id = forms.CharField(widget=forms.HiddenInput, max_length=80)
    lat = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=9, decimal_places=6)
    lng = forms.DecimalField(widget=forms.HiddenInput, required=False, max_digits=9, decimal_places=6)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), required=False
    )
    elder_code = forms.CharField(
        label=_("Elder's confirmation code (back of the card)"),
        max_length=12,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "inputmode": "numeric",
                "autocomplete": "off",
                "pattern": "[0-9 ]*",
            }
        ),
    )
    signature = forms.CharField(widget=forms.HiddenInput, required=False, max_length=SIGNATURE_MAX_CHARS)
    accept_unpaid = forms.BooleanField(widget=forms.HiddenInput, required=False)


class AssignForm(forms.Form):
    caregiver = forms.ModelChoiceField(label=_("Caregiver"), queryset=Caregiver.objects.none())

    def __init__(self, *args, caregivers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caregiver"].queryset = caregivers if caregivers is not None else Caregiver.objects.none()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class BookForm(forms.Form):
    """Book a visit for an elder: an item or a package of the catalogue, a time, optionally the
    caregiver the family asks for, and whether the elder pays it personally."""

    offer = forms.ChoiceField(label=_("Service item or package"))
    scheduled_at = forms.DateTimeField(
        label=_("Time of the visit"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    caregiver = forms.ModelChoiceField(
        label=_("Caregiver (optional)"),
        queryset=Caregiver.objects.none(),
        required=False,
        help_text=_("Leave empty and the provider assigns one."),
    )
    pay_myself = forms.BooleanField(
        label=_("The elder pays it personally (not from the subsidy account)"), required=False
    )
    via = forms.ChoiceField(label=_("Booked by"), choices=WorkOrder.BookedVia.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, user, items, packages, caregivers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"elder": ElderChoiceField(user=user), **self.fields}
        self._items = {str(i.pk): i for i in items}
        self._packages = {str(p.pk): p for p in packages}
        groups: dict[str, list[tuple[str, str]]] = {}
        for p in self._packages.values():
            parts = "、".join(i.name for i in p.items.all())
            label = _("Package: %(name)s (%(items)s) · %(price)s") % {"name": p.name, "items": parts, "price": p.price}
            groups.setdefault(p.provider.name, []).append((f"package:{p.pk}", label))
        for i in self._items.values():
            label = f"{i.name} · {i.price}"
            if not i.subsidised:
                label += " · " + str(_("self-paid"))
            groups.setdefault(i.provider.name, []).append((f"item:{i.pk}", label))
        self.fields["offer"].choices = [("", "---------")] + list(groups.items())
        field = self.fields["caregiver"]
        field.queryset = caregivers
        field.label_from_instance = lambda c: f"{c.name}（{c.provider.name}）"

    def clean_offer(self) -> ServiceItem | ServicePackage:
        kind, _sep, pk = self.cleaned_data["offer"].partition(":")
        found = (self._items if kind == "item" else self._packages if kind == "package" else {}).get(pk)
        if found is None:
            raise forms.ValidationError(_("Choose a service item or package from the list."))
        return found
