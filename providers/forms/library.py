"""Forms of the provider library and the providers' staff."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from eldercare.forms import KEEP_MASKED_HELP, DateInput, kept_number
from eldercare.models import Division

from ..models import Caregiver, CertificateKind, Provider
from ..services.library import PROVIDER_FIELDS, TerminationGround

DATE = DateInput()


class ProviderForm(forms.ModelForm):
    """What the district enters about a provider won by tender; `streets` are the district's."""

    streets = forms.ModelMultipleChoiceField(
        label=_("Streets served"),
        queryset=Division.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Provider
        fields = [
            "name",
            "kind",
            "licence_number",
            "other_licences",
            "streets",
            "phone",
            "address",
            "contact_name",
            "contact_phone",
        ]
        widgets = {"other_licences": forms.Textarea(attrs={"rows": 2})}
        labels = {"address": _("Address"), "contact_name": _("Contact person"), "contact_phone": _("Contact phone")}

    def __init__(self, *args, district: Division, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["streets"].queryset = Division.objects.filter(parent=district, level=Division.Level.STREET)

    def validate_unique(self):
        """The service checks the licence number, with its own message."""

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in PROVIDER_FIELDS}


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=60)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)


class RenewForm(forms.Form):
    number = forms.CharField(label=_("Number of the new contract"), max_length=60)


class StatusForm(forms.Form):
    to = forms.ChoiceField(
        label=_("New status"),
        choices=[(Provider.Status.SUSPENDED, _("Suspend")), (Provider.Status.CONTRACTED, _("Reinstate"))],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class TerminateForm(forms.Form):
    ground = forms.ChoiceField(label=_("Ground"), choices=TerminationGround.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CaregiverForm(forms.ModelForm):
    """On an edit the phone is shown masked, as listed: left as shown it keeps the stored number,
    a whole number typed replaces it."""

    phone = forms.CharField(label=_("phone"), max_length=20)

    class Meta:
        model = Caregiver
        fields = ["name", "staff_number", "phone", "photo"]
        # A plain file input: the current photo is shown on the caregiver's page (it is not public media).
        widgets = {"photo": forms.FileInput(attrs={"accept": "image/jpeg,image/png"})}
        help_texts = {"photo": _("A JPEG or PNG image of at most 2 MB, for the badge.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["staff_number"].disabled = True
            self.initial["phone"] = self.instance.phone_masked
            self.fields["phone"].help_text = KEEP_MASKED_HELP

    def clean_phone(self) -> str:
        if not self.instance.pk:
            return kept_number(self.cleaned_data.get("phone"), masked="", stored="")
        return kept_number(
            self.cleaned_data.get("phone"), masked=self.instance.phone_masked, stored=self.instance.phone
        )

    def validate_unique(self):
        """The service checks the staff number, with its own message."""


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("Course"), max_length=120)
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE)
    hours = forms.DecimalField(label=_("Training hours"), max_digits=5, decimal_places=1, min_value=Decimal("0.1"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CertificateKind.choices)
    number = forms.CharField(label=_("Certificate number"), max_length=60)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)


class LoginForm(forms.Form):
    """A new login: its name and a first password that the person changes after logging in."""

    username = forms.CharField(label=_("Login name"), max_length=150)
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("First password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits; tell it to the person, who changes it after logging in."),
    )

    def __init__(self, *args, with_name: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_name:
            self.fields["full_name"].required = True
        else:
            del self.fields["full_name"]


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
