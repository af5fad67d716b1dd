"""Browser date pickers take ISO dates: a pre-filled date in the Chinese format would show empty."""

import datetime

from django import forms
from django.utils import translation

from eldercare.forms import DateInput


class _Form(forms.Form):
    on = forms.DateField(widget=DateInput)


def test_a_prefilled_date_is_iso_in_chinese():
    with translation.override("zh-hans"):
        html = str(_Form(initial={"on": datetime.date(2026, 12, 3)})["on"])
    assert 'type="date"' in html and 'value="2026-12-03"' in html
