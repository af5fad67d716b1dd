from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import audit
from .errors import DomainError
from .models import REVEAL_REASONS_OFFERED, DifficultyCategory, Division, Elder, Gender
from .services import ElderData


def add_service_errors(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal next to the fields it names, or above the form."""
    errors = exc.params.get("errors") or {}
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)
    if not errors:
        form.add_error(None, exc.message)


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (2026-12-03) whatever the language's date
    format, or the picker shows empty."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 -- Django's own argument name
        super().__init__(attrs, format)


# Each encrypted personal number and the masked column shown in its place.
MASKED_NUMBERS = {"id_number": "id_masked", "phone": "phone_masked", "agent_phone": "agent_phone_masked"}
MASK_CHAR = "*"
KEEP_MASKED_HELP = _("Leave it as shown to keep it; type the whole number to change it.")


def kept_number(value: str | None, *, masked: str, stored: str) -> str:
    """A personal number from an edit form that shows it masked: the stored number when the
    masked value came back unchanged, the typed number otherwise; a hand-changed mask is refused."""
    value = (value or "").strip()
    if value and masked and value == masked:
        return stored
    if MASK_CHAR in value:
        raise forms.ValidationError(_("Type the whole number, or leave it as shown to keep it."))
    return value


class ElderForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=60)
    id_number = forms.CharField(label=_("resident ID number"), max_length=18, min_length=18)
    gender = forms.ChoiceField(label=_("gender"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("date of birth"), required=False, widget=DateInput)
    community = forms.ModelChoiceField(label=_("household-registration community"), queryset=Division.objects.none())
    hukou_in_district = forms.BooleanField(
        label=_("household registration in the district"), required=False, initial=True
    )
    resident_since = forms.DateField(label=_("living here since"), widget=DateInput)
    address = forms.CharField(label=_("address"), max_length=200)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    agent_name = forms.CharField(label=_("agent or family contact"), max_length=60, required=False)
    agent_relation = forms.CharField(label=_("relation"), max_length=30, required=False)
    agent_phone = forms.CharField(label=_("agent phone"), max_length=20, required=False)
    categories = forms.MultipleChoiceField(
        label=_("categories of difficulty"),
        choices=DifficultyCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    evidence_date = forms.DateField(label=_("evidence date of the categories"), required=False, widget=DateInput)

    def __init__(self, *args, communities=None, elder: Elder | None = None, **kwargs):
        """With `elder` (an edit) the personal numbers are shown masked, as listed: a number left
        as shown keeps the stored one, a whole number typed replaces it."""
        self.elder = elder
        if elder is not None:
            kwargs.setdefault("initial", self.initial_from(elder))
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities
        if elder is not None:
            for name in MASKED_NUMBERS:
                self.fields[name].help_text = KEEP_MASKED_HELP

    @classmethod
    def initial_from(cls, elder: Elder) -> dict:
        """What the edit form shows: the personal numbers masked (never the full ones)."""
        categories = list(elder.categories.all())
        return {
            "name": elder.name,
            "id_number": elder.id_masked,
            "gender": elder.gender,
            "birth_date": elder.birth_date,
            "community": elder.community_id,
            "hukou_in_district": elder.hukou_in_district,
            "resident_since": elder.resident_since,
            "address": elder.address,
            "phone": elder.phone_masked,
            "agent_name": elder.agent_name,
            "agent_relation": elder.agent_relation,
            "agent_phone": elder.agent_phone_masked,
            "categories": [c.category for c in categories],
            "evidence_date": categories[0].evidence_date if categories else None,
        }

    def _kept(self, name: str) -> str:
        if self.elder is None:
            return kept_number(self.cleaned_data.get(name), masked="", stored="")
        return kept_number(
            self.cleaned_data.get(name),
            masked=getattr(self.elder, MASKED_NUMBERS[name]),
            stored=getattr(self.elder, name),
        )

    def clean_id_number(self) -> str:
        return self._kept("id_number")

    def clean_phone(self) -> str:
        return self._kept("phone")

    def clean_agent_phone(self) -> str:
        return self._kept("agent_phone")

    def to_data(self) -> ElderData:
        d = self.cleaned_data
        evidence = d.get("evidence_date") or d["resident_since"]
        return ElderData(
            name=d["name"],
            id_number=d["id_number"],
            gender=d.get("gender") or "",
            birth_date=d.get("birth_date"),
            community=d["community"],
            hukou_in_district=d.get("hukou_in_district", False),
            resident_since=d["resident_since"],
            address=d["address"],
            phone=d.get("phone", ""),
            agent_name=d.get("agent_name", ""),
            agent_relation=d.get("agent_relation", ""),
            agent_phone=d.get("agent_phone", ""),
            categories={c: evidence for c in d.get("categories", [])},
        )


class RevealForm(forms.Form):
    """Why the full number is needed: a reason from the short list, a note (required for "other")."""

    reason = forms.ChoiceField(label=_("Why do you need the full number?"), choices=REVEAL_REASONS_OFFERED)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"))


class CalendarYearForm(forms.Form):
    """A year's official calendar, from the State Council's notice: one date a line, then its name."""

    year = forms.IntegerField(label=_("Year"), min_value=2020, max_value=2100)
    source = forms.CharField(label=_("Notice"), max_length=200, help_text=_("e.g. 国办发明电〔2026〕X号"))
    holidays = forms.CharField(
        label=_("Holidays on weekdays"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "2027-01-01 元旦"}),
        help_text=_("One a line: the date, a space, the holiday's name."),
    )
    workdays = forms.CharField(
        label=_("Make-up working days on weekends"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2027-02-20 春节调休"}),
        required=False,
    )


class AuditFilterForm(forms.Form):
    """The audit trail's filters (a GET form; the same names in the API's query)."""

    date_from = forms.DateField(label=pgettext_lazy("date range", "from"), required=False, widget=DateInput)
    date_to = forms.DateField(label=pgettext_lazy("date range", "to"), required=False, widget=DateInput)
    user = forms.CharField(label=_("user"), required=False, max_length=60)
    kind = forms.ChoiceField(label=_("kind"), required=False)
    action = forms.ChoiceField(label=_("action"), required=False, choices=[("", "—"), *audit.Action.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *audit.kinds()]
        for f in self.fields.values():
            select = isinstance(f.widget, forms.Select)
            f.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"

    def audit_filter(self) -> audit.AuditFilter:
        """The filters that are valid (a wrong one is shown with its error and left out)."""
        data = getattr(self, "cleaned_data", {})
        return audit.AuditFilter(**{name: value for name, value in data.items() if value not in (None, "")})


class OfficeContactsForm(forms.Form):
    """Where the public reaches an office: printed on the public-notice lists."""

    address = forms.CharField(label=_("office address"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("office telephone"),
        max_length=30,
        required=False,
        help_text=_("The number the public calls, e.g. 0571-8765 4321."),
    )
