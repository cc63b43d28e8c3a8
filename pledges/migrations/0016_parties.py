"""Parties as records: an actor becomes a party, and a pledge has pledging parties and
beneficiaries (parties too, a state for each country it was made to).

Each pledge's actor becomes its one pledging party; each beneficiary country becomes the state
party of that country, named after it. Audit history is carried over the same way, so an old
version still shows who made the pledge and to whom. An actor with a role ("President of
China") is a person; any other stays unclassified for an editor to say.
"""

import django.db.models.deletion
import simple_history.models
from django.db import migrations, models

import pledges.models


def _state_of(apps, country_ids):
    """{country id: state party id}, making the state parties that do not exist yet."""
    Country = apps.get_model("pledges", "Country")
    Party = apps.get_model("pledges", "Party")
    states = dict(Party.objects.filter(country_id__in=country_ids).values_list("country_id", "pk"))
    for country in Country.objects.filter(pk__in=set(country_ids) - set(states)):
        name = country.name
        if Party.objects.filter(name=name).exists():
            name = f"{country.name} ({country.code})"
        states[country.pk] = Party.objects.create(name=name, kind="state", country=country).pk
    return states


def forward(apps, schema_editor):
    Party = apps.get_model("pledges", "Party")
    Pledge = apps.get_model("pledges", "Pledge")
    Party.objects.exclude(role="").update(kind="person")
    Pledge.parties.through.objects.bulk_create(
        Pledge.parties.through(pledge_id=pk, party_id=actor_id) for pk, actor_id in Pledge.objects.values_list("pk", "actor_id")
    )
    old_links = list(Pledge.old_beneficiaries.through.objects.values_list("pledge_id", "country_id"))
    HistoricalLink = apps.get_model("pledges", "HistoricalPledge_beneficiaries")
    states = _state_of(apps, {c for _p, c in old_links} | set(HistoricalLink.objects.values_list("country_id", flat=True)))
    Pledge.beneficiaries.through.objects.bulk_create(
        Pledge.beneficiaries.through(pledge_id=pledge_id, party_id=states[country_id]) for pledge_id, country_id in old_links
    )
    for link in HistoricalLink.objects.exclude(country_id=None):
        HistoricalLink.objects.filter(pk=link.pk).update(party_id=states.get(link.country_id))
    HistoricalPledge = apps.get_model("pledges", "HistoricalPledge")
    HistoricalParties = apps.get_model("pledges", "HistoricalPledge_parties")
    link_ids = {(p, a): pk for pk, p, a in Pledge.parties.through.objects.values_list("pk", "pledge_id", "party_id")}
    HistoricalParties.objects.bulk_create(
        # The link's own id, as simple-history records it; 0 for an actor a pledge no longer has.
        HistoricalParties(id=link_ids.get((pledge_id, actor_id), 0), history_id=history_id, pledge_id=pledge_id, party_id=actor_id)
        for history_id, pledge_id, actor_id in HistoricalPledge.objects.values_list("history_id", "id", "actor_id")
    )


def backward(apps, schema_editor):
    Pledge = apps.get_model("pledges", "Pledge")
    for pledge in Pledge.objects.all():
        pledge.actor_id = pledge.parties.order_by("pk").values_list("pk", flat=True).first()
        pledge.save(update_fields=["actor"])
        pledge.old_beneficiaries.set(pledge.beneficiaries.exclude(country=None).values_list("country_id", flat=True))
    HistoricalLink = apps.get_model("pledges", "HistoricalPledge_beneficiaries")
    for link in HistoricalLink.objects.select_related(None):
        country_id = apps.get_model("pledges", "Party").objects.filter(pk=link.party_id).values_list("country_id", flat=True).first()
        HistoricalLink.objects.filter(pk=link.pk).update(country_id=country_id)


class Migration(migrations.Migration):

    dependencies = [
        ("pledges", "0015_follow_ups"),
    ]

    operations = [
        migrations.RenameModel("Actor", "Party"),
        migrations.AlterModelOptions(name="party", options={"ordering": ["name"], "verbose_name_plural": "parties"}),
        migrations.AddField(
            model_name="party", name="kind",
            field=models.CharField(blank=True, choices=[("person", "A person"), ("state", "A state"), ("organisation", "An organisation")],
                                   help_text="Empty until an editor classifies a party an import named.", max_length=12),
        ),
        migrations.AddField(
            model_name="party", name="country",
            field=models.OneToOneField(blank=True, help_text="For a state: its country, by which files name it.", null=True,
                                       on_delete=django.db.models.deletion.PROTECT, related_name="party", to="pledges.country"),
        ),
        migrations.AddField(
            model_name="party", name="speaks_for",
            field=models.ForeignKey(blank=True, help_text="For a person: the state they speak for.", limit_choices_to={"kind": "state"},
                                    null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="speakers", to="pledges.party"),
        ),
        migrations.AlterField(
            model_name="pledge", name="actor",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="pledges.party"),
        ),
        migrations.AddField(
            model_name="pledge", name="parties",
            field=models.ManyToManyField(help_text="Who made the pledge: one party, or several jointly.", related_name="pledges",
                                         to="pledges.party", verbose_name="pledging parties"),
        ),
        migrations.RenameField("pledge", "beneficiaries", "old_beneficiaries"),
        migrations.AlterField(
            model_name="pledge", name="old_beneficiaries",
            field=models.ManyToManyField(related_name="+", to="pledges.country"),
        ),
        migrations.AddField(
            model_name="pledge", name="beneficiaries",
            field=models.ManyToManyField(help_text="Who it was made to; a pledging party may be one too.", related_name="benefiting_pledges",
                                         to="pledges.party"),
        ),
        migrations.CreateModel(
            name="HistoricalPledge_parties",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to="pledges.historicalpledge")),
                ("pledge", models.ForeignKey(blank=True, db_constraint=False, db_tablespace="", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="pledges.pledge")),
                ("party", models.ForeignKey(blank=True, db_constraint=False, db_tablespace="", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="pledges.party")),
            ],
            options={"verbose_name": "HistoricalPledge_parties"},
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="historicalpledge_beneficiaries", name="party",
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace="", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="pledges.party"),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="historicalpledge_beneficiaries", name="country"),
        migrations.RemoveField(model_name="historicalpledge", name="actor"),
        migrations.RemoveField(model_name="pledge", name="old_beneficiaries"),
        migrations.RemoveField(model_name="pledge", name="actor"),
        migrations.AddConstraint(
            model_name="party",
            constraint=models.CheckConstraint(condition=models.Q(("country__isnull", True), ("kind", "state"), _connector="OR"), name="party_country_is_a_state"),
        ),
        migrations.AddConstraint(
            model_name="party",
            constraint=models.CheckConstraint(condition=models.Q(("speaks_for__isnull", True), ("kind", "person"), _connector="OR"), name="party_only_a_person_speaks_for"),
        ),
        migrations.AddConstraint(
            model_name="party",
            constraint=models.CheckConstraint(condition=models.Q(("kind", ""), ("kind__in", ["person", "state", "organisation"]), _connector="OR"), name="party_kind_is_known"),
        ),
    ]
