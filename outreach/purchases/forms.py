from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import rules
from .models import Necessity, PaymentMethod, PurchaseRequest
from .services import ItemData

OTHER_SLOTS = (1, 2, 3)


class RequestForm(forms.Form):
    """A quantity for each item of the catalogue, and up to three other items in words."""

    urgent = forms.BooleanField(
        label=_("Urgent: buy today"),
        required=False,
        help_text=_("Only when the household cannot wait for the next run (no food, no medicine left)."),
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, necessities: list[Necessity], **kwargs):
        super().__init__(*args, **kwargs)
        self.necessities = necessities
        for n in necessities:
            self.fields[f"qty_{n.pk}"] = forms.IntegerField(
                label=f"{n.name}（{n.unit}）",
                min_value=0,
                max_value=rules.MAX_QUANTITY,
                required=False,
                help_text=_("about ¥%(price)s") % {"price": n.typical_price.amount},
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "0"}),
            )
        for i in OTHER_SLOTS:
            self.fields[f"other{i}"] = forms.CharField(
                label=_("Other item %(n)d") % {"n": i}, max_length=100, required=False
            )
            self.fields[f"other{i}_qty"] = forms.IntegerField(
                label=_("quantity"), min_value=1, max_value=rules.MAX_QUANTITY, required=False
            )

    def catalogue_fields(self):
        return [self[f"qty_{n.pk}"] for n in self.necessities]

    def other_fields(self):
        return [(self[f"other{i}"], self[f"other{i}_qty"]) for i in OTHER_SLOTS]

    def items(self) -> list[ItemData]:
        d = self.cleaned_data
        found = [ItemData(quantity=d[f"qty_{n.pk}"], necessity=n) for n in self.necessities if d.get(f"qty_{n.pk}")]
        for i in OTHER_SLOTS:
            text = d.get(f"other{i}", "").strip()
            if text:
                found.append(ItemData(quantity=d.get(f"other{i}_qty") or 1, free_text=text))
        return found

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.items():
            raise forms.ValidationError(_("Choose at least one item."))
        return cleaned


class PackForm(forms.Form):
    """The actual price of each line of one household's order; empty: not available."""

    def __init__(self, *args, request: PurchaseRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(request.items.all())
        for item in self.lines:
            typical = item.necessity.typical_price.amount * item.quantity if item.necessity_id else None
            self.fields[f"item_{item.pk}"] = forms.DecimalField(
                label=f"{item.label} × {item.quantity}",
                min_value=Decimal("0"),
                max_digits=10,
                decimal_places=2,
                required=False,
                help_text=_("Empty: not available.")
                if typical is None
                else _("Empty: not available. Typical ¥%(price)s.") % {"price": typical},
                widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            )

    def prices(self) -> dict[int, Decimal | None]:
        return {item.pk: self.cleaned_data.get(f"item_{item.pk}") for item in self.lines}


class DeliveryForm(forms.Form):
    contactless = forms.BooleanField(label=_("Left at the door without contact"), required=False, initial=True)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class PaymentForm(forms.Form):
    method = forms.ChoiceField(
        label=pgettext_lazy("necessities order", "payment method"),
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
        initial=PaymentMethod.QR,
    )
    reference = forms.CharField(
        label=_("payment reference"),
        max_length=64,
        required=False,
        help_text=_("For a code payment: the transaction number on the household's payment receipt."),
    )


class CancelForm(forms.Form):
    note = forms.CharField(label=_("reason"), max_length=300, required=False)
