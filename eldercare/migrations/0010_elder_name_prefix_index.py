from django.db import migrations

from eldercare.pgonly import prefix_index


class Migration(migrations.Migration):

    dependencies = [
        ('eldercare', '0009_search_and_recent_indexes'),
    ]

    operations = [
        # A search of one or two Chinese characters has no trigram: the pickers look for names
        # starting with it first (`name LIKE 'xx%'`, eldercare.selectors.elder_matches).
        prefix_index(table='eldercare_elder', column='name', name='elder_name_prefix_idx'),
    ]
