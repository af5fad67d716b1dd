"""The elder picker every form uses: one field that finds an elder the user may see.

`ElderChoiceField(user=…)` cleans to an `Elder` in the user's scope; by default only elders still
served (not deceased, not moved away, not disqualified) may be chosen for new work. A wrong choice
gets the form's own error, in the user's language, never a 404.

Its widget, `ElderPickerWidget`, never lists the whole registry. It renders a search box and a
select holding only the chosen elder. With JavaScript (`eldercare/elder_picker.js`, loaded on
every page by base.html) typing posts the text to `/elders/pick/` (the `elder_pick` view: never
in the address, it may be a whole ID number) and a click or Enter on a match chooses it. Without JavaScript the search button submits the form, which comes
back with the matches in the select (the field refuses to clean while searching).

The endpoint searches the user's scope; a form that narrows the field's queryset (a survey's
sample) still cleans only to its own elders, and a match outside them gets the form's error.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .idnumber import age_on
from .models import Elder, User
from .selectors import PICK_LIMIT, elder_list, elder_matches, elders_for_new_work

SEARCH_SUFFIX = "__q"
SEARCH_BUTTON_SUFFIX = "__search"


def elder_status(elder: Elder) -> str:
    if elder.disqualified_at:
        return gettext("Disqualified for life")
    return str(elder.get_life_status_display())


def elder_choice_row(elder: Elder, today: datetime.date | None = None) -> dict:
    """What the picker shows of a match (also the JSON of `/elders/pick/`)."""
    age = age_on(elder.birth_date, today or timezone.localdate())
    row = {
        "id": elder.pk,
        "name": elder.name,
        "community": elder.community.name,
        "age": age,
        "age_label": gettext("%(age)s years") % {"age": age},
        "status": elder_status(elder),
        "active": elder.life_status == "active" and not elder.disqualified_at,
        "id_tail": elder.id_masked[-4:],
        "phone_tail": elder.phone_masked[-4:],
    }
    numbers = gettext("ID …%(tail)s") % {"tail": row["id_tail"]}
    if row["phone_tail"]:
        numbers += " " + gettext("phone …%(tail)s") % {"tail": row["phone_tail"]}
    row["numbers"] = numbers
    row["label"] = " · ".join([elder.name, row["community"], row["age_label"], row["status"], numbers])
    return row


class ElderPickerWidget(forms.Widget):
    """A search box and a select of the chosen elder (see the module's docstring)."""

    template_name = "eldercare/widgets/elder_picker.html"

    def __init__(self, attrs=None, active_only: bool = True):
        super().__init__(attrs)
        self.active_only = active_only
        self.queryset = Elder.objects.none()
        self.query = ""
        self.searching = False

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.queryset = self.queryset.all()
        return result

    def use_required_attribute(self, initial) -> bool:
        return False

    def value_from_datadict(self, data, files, name):
        self.query = (data.get(name + SEARCH_SUFFIX) or "").strip()
        self.searching = bool(data.get(name + SEARCH_BUTTON_SUFFIX)) and bool(self.query)
        return data.get(name) or None

    def value_omitted_from_data(self, data, files, name) -> bool:
        return name not in data and name + SEARCH_SUFFIX not in data

    def _chosen(self, value) -> Elder | None:
        if value is None or value == "":
            return None
        if isinstance(value, Elder):
            value = value.pk
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return self.queryset.filter(pk=pk).select_related("community").first()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = self._chosen(value)
        today = timezone.localdate()
        matches, _more = elder_matches(self.queryset, self.query) if self.searching else ([], False)
        options = [elder_choice_row(e, today) for e in matches]
        if chosen and all(o["id"] != chosen.pk for o in options):
            options.insert(0, elder_choice_row(chosen, today))
        widget = context["widget"]
        widget_id = widget["attrs"].get("id") or f"id_{name}"
        url = reverse("elder_pick") + ("?active=1" if self.active_only else "?active=0")
        widget.update(
            {
                "id": widget_id,
                "options": options,
                "chosen_id": chosen.pk if chosen else None,
                # Crispy marks a field with errors "is-invalid"; Bootstrap then shows the error after it.
                "invalid": "is-invalid" in str(widget["attrs"].get("class", "")),
                "query": self.query,
                "searched": self.searching,
                "search_name": name + SEARCH_SUFFIX,
                "button_name": name + SEARCH_BUTTON_SUFFIX,
                "url": url,
                "limit": PICK_LIMIT,
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine (templates/), not the form renderer's own directories.
        return render_to_string(self.template_name, self.get_context(name, value, attrs))


class ElderChoiceField(forms.ModelChoiceField):
    default_error_messages = {
        "invalid_choice": _("Choose an elder from the list: this one is not found or is no longer served."),
        "searching": _("Choose the elder from the matches below, then submit again."),
    }

    def __init__(self, *, user: User, active_only: bool = True, label=None, **kwargs):
        qs = elder_list(user=user)
        if active_only:
            qs = elders_for_new_work(qs)
        kwargs.setdefault("label", label or _("Elder"))
        kwargs.setdefault("widget", ElderPickerWidget(active_only=active_only))
        self.active_only = active_only
        super().__init__(queryset=qs, **kwargs)

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        if isinstance(self.widget, ElderPickerWidget):
            self.widget.queryset = self.queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def clean(self, value):
        if isinstance(self.widget, ElderPickerWidget) and self.widget.searching:
            raise ValidationError(self.error_messages["searching"], code="searching")
        return super().clean(value)
