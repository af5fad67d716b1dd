"""Forms of supervision: callbacks, community callbacks, surveys and rectifications."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.forms import DateInput
from eldercare.pickers import ElderChoiceField

from ..models import CallbackResult, CommunityContact


class CallbackForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=CallbackResult.choices)
    note = forms.CharField(label=_("Note"), required=False)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommunityContact.Kind.choices)
    contacted_on = forms.DateField(label=_("Date"), widget=DateInput())
    result = forms.ChoiceField(label=_("Result"), choices=CallbackResult.choices)
    agreement_checked = forms.BooleanField(label=_("Service agreement checked"), required=False)
    records_checked = forms.BooleanField(label=_("Service records checked"), required=False)
    note = forms.CharField(label=_("Written record"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"elder": ElderChoiceField(user=user), **self.fields}


class SurveyOpenForm(forms.Form):
    """The town opens a survey: choices limited to its streets and the providers serving them."""

    street = forms.ModelChoiceField(label=_("Street / town"), queryset=None)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=None)
    quarter = forms.ChoiceField(label=_("Quarter"))

    def __init__(self, *args, streets, providers, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets
        self.fields["provider"].queryset = providers
        self.fields["quarter"].choices = [(str(q), str(q)) for q in reversed(quarters)]
        if streets.count() == 1:
            self.fields["street"].initial = streets.get()


class SurveyAnswerForm(forms.Form):
    """One elder asked by the grid worker; only elders the survey may ask can be chosen."""

    satisfied = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("1", _("Satisfied")), ("0", _("Not satisfied"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    asked_on = forms.DateField(label=_("Asked on"), widget=DateInput())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, elders, **kwargs):
        super().__init__(*args, **kwargs)
        picker = ElderChoiceField(user=user)
        picker.queryset = picker.queryset.filter(pk__in=elders.values("pk"))
        self.fields = {"elder": picker, **self.fields}
        self.fields["asked_on"].initial = timezone.localdate()


class SurveyImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class RectificationAnswerForm(forms.Form):
    text = forms.CharField(label=_("How the problem was corrected"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(
        label=_("Evidence (PDF, JPEG or PNG, at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class RectificationDecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Opinion (the reason, when rejecting)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
