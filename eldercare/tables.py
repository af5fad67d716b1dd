import django_filters
import django_tables2 as tables
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .idnumber import age_on
from .models import DifficultyCategory, Division, Elder, LifeStatus


class ElderTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("name"))
    id_masked = tables.Column(verbose_name=_("resident ID number"))
    age = tables.Column(empty_values=(), orderable=False, verbose_name=_("age"))
    community = tables.Column(verbose_name=_("community"))
    categories = tables.Column(empty_values=(), orderable=False, verbose_name=_("categories of difficulty"))
    phone_masked = tables.Column(verbose_name=_("phone"), orderable=False)

    class Meta:
        model = Elder
        fields = ("name", "gender", "id_masked", "age", "community", "categories", "phone_masked", "life_status")
        attrs = {"class": "table table-sm table-hover align-middle text-nowrap"}
        empty_text = _("No elders match.")

    def render_age(self, record):
        return age_on(record.birth_date, timezone.localdate())

    def render_categories(self, record):
        return "、".join(c.get_category_display() for c in record.categories.all()) or "—"


class ElderFilter(django_filters.FilterSet):
    community = django_filters.ModelChoiceFilter(queryset=Division.objects.none(), label=_("community"))
    category = django_filters.ChoiceFilter(
        field_name="categories__category", choices=DifficultyCategory.choices, label=_("category of difficulty")
    )
    life_status = django_filters.ChoiceFilter(choices=LifeStatus.choices, label=_("life status"))

    class Meta:
        model = Elder
        fields = ["community", "category", "life_status"]

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.filters["community"].queryset = communities
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select")
