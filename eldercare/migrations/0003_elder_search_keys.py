"""Indexed search keys of the elder (pinyin initials, ID number tail, phone tail), filled for the
elders already registered."""

from django.db import migrations, models

from eldercare.searchkeys import id_tail, name_initials, phone_tail

BATCH = 2000


def fill_search_keys(apps, schema_editor):
    Elder = apps.get_model("eldercare", "Elder")
    batch = []
    for elder in Elder.objects.order_by("pk").only("pk", "name", "id_number", "phone").iterator(chunk_size=BATCH):
        elder.name_initials = name_initials(elder.name)
        elder.id_tail = id_tail(elder.id_number or "")
        elder.phone_tail = phone_tail(elder.phone or "")
        batch.append(elder)
        if len(batch) >= BATCH:
            Elder.objects.bulk_update(batch, ["name_initials", "id_tail", "phone_tail"])
            batch = []
    if batch:
        Elder.objects.bulk_update(batch, ["name_initials", "id_tail", "phone_tail"])


class Migration(migrations.Migration):
    dependencies = [
        ("eldercare", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="elder",
            name="id_tail",
            field=models.CharField(blank=True, db_default="", db_index=True, editable=False, max_length=6),
        ),
        migrations.AddField(
            model_name="elder",
            name="name_initials",
            field=models.CharField(blank=True, db_default="", db_index=True, editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name="elder",
            name="phone_tail",
            field=models.CharField(blank=True, db_default="", db_index=True, editable=False, max_length=4),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop, elidable=True),
    ]
