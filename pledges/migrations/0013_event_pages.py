"""Events get a public page: a slug for its address (made from each stored event's name) and a place."""

import pledges.models
from django.db import migrations, models


def give_events_slugs(apps, schema_editor):
    from pledges.models import event_slug

    Event = apps.get_model("pledges", "Event")
    taken = set()
    for event in Event.objects.order_by("pk"):
        event.slug = event_slug(event.name, taken)
        event.save(update_fields=["slug"])


class Migration(migrations.Migration):

    dependencies = [
        ("pledges", "0012_undated_deadline_precisions"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="slug",
            field=models.SlugField(max_length=120, null=True, db_index=False),  # the unique index comes below
        ),
        migrations.RunPython(give_events_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="slug",
            field=models.SlugField(help_text="Its public address: /events/<slug>/.", max_length=120, unique=True),
        ),
        migrations.AddField(
            model_name="event",
            name="place",
            field=models.CharField(blank=True, help_text="Where it was held, e.g. Astana, or online.", max_length=200,
                                   validators=[pledges.models.validate_printable]),
        ),
    ]
