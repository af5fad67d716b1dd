from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.forms import KEEP_MASKED_HELP, DateInput, kept_number

from . import rules
from .models import (
    CareNeed,
    ContactMethod,
    ContactResult,
    LivingArrangement,
    ResponseKind,
    ResponsibleKind,
    ResponsiblePerson,
    RiskLevel,
    VulnerabilityProfile,
)
from .services import ContactData, ScreeningData

CONTACT_SLOTS = (1, 2)
FLAG_CHOICES = [
    ("", "—"),
    ("solitary", _("living alone (独居)")),
    ("left_behind", _("left-behind (留守)")),
    ("empty_nest", _("empty-nest (空巢)")),
    ("disabled", _("Disabled")),
    ("semi_disabled", _("Semi-disabled")),
    ("dispersed_extreme_poverty", _("dispersed extreme poverty (分散特困)")),
    ("carers_absent", _("family carers isolated or absent")),
    ("chronic_medicine", _("chronic condition needing medicine")),
]
STATUS_CHOICES = [
    ("", "—"),
    ("unscreened", _("Not yet screened")),
    ("unassigned", _("Screened, no responsible person")),
    ("uncared", _("Carers away, nobody caring")),
    ("mine", _("Households in my care")),
]


class RegisterFilterForm(forms.Form):
    community = forms.ChoiceField(label=_("Community"), required=False)
    risk = forms.ChoiceField(label=_("risk level"), choices=[("", "—"), *RiskLevel.choices], required=False)
    flag = forms.ChoiceField(label=_("Flag"), choices=FLAG_CHOICES, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", "—"), *((c.pk, c.name) for c in communities)]
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select"


class ScreeningForm(forms.Form):
    living_arrangement = forms.ChoiceField(label=_("living arrangement"), choices=LivingArrangement.choices)
    solitary = forms.BooleanField(label=_("living alone (独居)"), required=False)
    left_behind = forms.BooleanField(label=_("left-behind (留守)"), required=False)
    empty_nest = forms.BooleanField(label=_("empty-nest (空巢)"), required=False)
    care_need = forms.ChoiceField(label=_("care need"), choices=CareNeed.choices, initial=CareNeed.SELF_CARE)
    dispersed_extreme_poverty = forms.BooleanField(label=_("dispersed extreme poverty (分散特困)"), required=False)
    carers_absent = forms.BooleanField(label=_("family carers isolated or absent"), required=False)
    chronic_medicine = forms.BooleanField(label=_("chronic condition needing medicine"), required=False)
    medicines = forms.CharField(label=_("medicines"), max_length=300, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)
    screened_on = forms.DateField(label=_("screened on"), widget=DateInput)
    contact1_name = forms.CharField(label=_("First emergency contact: name"), max_length=60, required=False)
    contact1_relation = forms.CharField(label=_("relation"), max_length=30, required=False)
    contact1_phone = forms.CharField(
        label=_("phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    contact2_name = forms.CharField(label=_("Second emergency contact: name"), max_length=60, required=False)
    contact2_relation = forms.CharField(label=_("relation"), max_length=30, required=False)
    contact2_phone = forms.CharField(
        label=_("phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def __init__(self, *args, profile: VulnerabilityProfile | None = None, **kwargs):
        """With the household's `profile` the form shows its answers, the contacts' phones masked:
        a phone left as shown keeps the stored one, a whole number typed replaces it."""
        kwargs.setdefault("initial", self.initial_from(profile))
        super().__init__(*args, **kwargs)
        self.stored_contacts = list(profile.contacts.all()) if profile is not None else []
        for slot, _contact in zip(CONTACT_SLOTS, self.stored_contacts, strict=False):
            self.fields[f"contact{slot}_phone"].help_text = KEEP_MASKED_HELP

    @classmethod
    def initial_from(cls, profile: VulnerabilityProfile | None) -> dict:
        """The profile's answers; the contacts' phones masked (never the full ones)."""
        if profile is None:
            return {"screened_on": timezone.localdate()}
        initial = {
            name: getattr(profile, name)
            for name in cls.base_fields
            if not name.startswith("contact") and hasattr(profile, name)
        }
        for slot, contact in zip(CONTACT_SLOTS, profile.contacts.all(), strict=False):
            initial[f"contact{slot}_name"] = contact.name
            initial[f"contact{slot}_relation"] = contact.relation
            initial[f"contact{slot}_phone"] = contact.phone_masked
        return initial

    def _kept_phone(self, slot: int) -> str:
        value = self.cleaned_data.get(f"contact{slot}_phone")
        stored = dict(zip(CONTACT_SLOTS, self.stored_contacts, strict=False)).get(slot)
        if stored is None:
            return kept_number(value, masked="", stored="")
        return kept_number(value, masked=stored.phone_masked, stored=stored.phone)

    def clean_contact1_phone(self) -> str:
        return self._kept_phone(1)

    def clean_contact2_phone(self) -> str:
        return self._kept_phone(2)

    def to_data(self) -> ScreeningData:
        d = self.cleaned_data
        contacts = [
            ContactData(d[f"contact{i}_name"], d[f"contact{i}_relation"], d[f"contact{i}_phone"])
            for i in CONTACT_SLOTS
            if d[f"contact{i}_name"] or d[f"contact{i}_relation"] or d[f"contact{i}_phone"]
        ]
        return ScreeningData(
            living_arrangement=d["living_arrangement"],
            screened_on=d["screened_on"],
            solitary=d["solitary"],
            left_behind=d["left_behind"],
            empty_nest=d["empty_nest"],
            care_need=d["care_need"],
            dispersed_extreme_poverty=d["dispersed_extreme_poverty"],
            carers_absent=d["carers_absent"],
            chronic_medicine=d["chronic_medicine"],
            medicines=d["medicines"],
            note=d["note"],
            contacts=contacts,
        )

    def clean(self):
        cleaned = super().clean()
        for i in CONTACT_SLOTS:
            name, relation, phone = (cleaned.get(f"contact{i}_{part}", "") for part in ("name", "relation", "phone"))
            if not (name or relation or phone):
                continue
            if not name.strip() or not relation.strip():
                self.add_error(f"contact{i}_name", _("Enter the contact's name and relation."))
            if not rules.is_valid_phone(phone):
                self.add_error(f"contact{i}_phone", _("Enter a valid phone number."))
        return cleaned

    def add_service_errors(self, errors: dict[str, str]) -> None:
        """Show each refusal of the service next to its field (contact rows by their slot)."""
        for key, message in errors.items():
            self.add_error(key if key in self.fields else None, message)


class ResponsibleForm(forms.Form):
    duty = forms.ChoiceField(label=_("duty"), choices=ResponsiblePerson.Duty.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=ResponsibleKind.choices)
    login = forms.CharField(
        label=_("Login name"),
        max_length=150,
        required=False,
        help_text=_("A person with a login of the platform; otherwise enter the name and phone below."),
    )
    name = forms.CharField(label=_("name"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    starts_on = forms.DateField(label=_("responsible from"), widget=DateInput, initial=timezone.localdate)


class CaregiverForm(forms.Form):
    """The community names a temporary caregiver for a household whose family carers are away."""

    name = forms.CharField(label=_("name"), max_length=60)
    phone = forms.CharField(label=_("phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    starts_on = forms.DateField(label=_("cares from"), widget=DateInput, initial=timezone.localdate)
    ends_on = forms.DateField(label=_("cares until"), widget=DateInput)
    meals = forms.BooleanField(label=_("meals"), required=False)
    daily_care = forms.BooleanField(label=_("daily care"), required=False)
    medicine = forms.BooleanField(label=_("medicine"), required=False)
    note = forms.CharField(label=_("what else they do"), max_length=200, required=False)


class ResponseForm(forms.Form):
    """The district declares an emergency response and its contact rule."""

    kind = forms.ChoiceField(label=_("kind"), choices=ResponseKind.choices)
    name = forms.CharField(label=_("title of the response"), max_length=100)
    streets = forms.ModelMultipleChoiceField(
        label=_("streets"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the whole district."),
    )
    starts_on = forms.DateField(label=_("starts on"), widget=DateInput, initial=timezone.localdate)
    ends_on = forms.DateField(label=_("ends on"), widget=DateInput, required=False)
    interval_high = forms.IntegerField(
        label=_("days between contacts, high risk"), min_value=1, initial=rules.DEFAULT_INTERVAL_DAYS[rules.HIGH]
    )
    interval_medium = forms.IntegerField(
        label=_("days between contacts, medium risk"),
        min_value=1,
        initial=rules.DEFAULT_INTERVAL_DAYS[rules.MEDIUM],
    )
    interval_low = forms.IntegerField(
        label=_("days between contacts, low risk"), min_value=1, initial=rules.DEFAULT_INTERVAL_DAYS[rules.LOW]
    )
    temperature_required = forms.BooleanField(
        label=_("temperature required"),
        required=False,
        help_text=_("Each contact records the elder's temperature (households under isolation)."),
    )

    def __init__(self, *args, streets: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["streets"].queryset = streets


class ContactForm(forms.Form):
    """A contact with a household, typed on a phone at the door or after a call."""

    method = forms.ChoiceField(label=_("method"), choices=ContactMethod.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("result"), choices=ContactResult.choices, widget=forms.RadioSelect)
    temperature = forms.DecimalField(
        label=_("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        min_value=rules.TEMPERATURE_MIN,
        max_value=rules.TEMPERATURE_MAX,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    needs = forms.CharField(label=_("needs"), max_length=300, required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class EscalationCloseForm(forms.Form):
    note = forms.CharField(label=_("what was done"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
