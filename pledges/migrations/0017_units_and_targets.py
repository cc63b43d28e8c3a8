"""Units become records editors own, and a pledge's one target becomes its first Target.

Each unit the code offered becomes a Unit with the same code, written as the pages wrote it
("$106.3 billion", "2.5 million doses"). Each pledge with a target gets Target 1 with its unit,
baseline and value; each measurement of it names that target and keeps measuring the day it
was reported (no period), so every chart and figure stays as it was. Audit history follows:
the target gets a first version, and the measurements' old versions name it too.
"""

import datetime
import django.db.models.deletion
import django.db.models.functions.comparison
import pledges.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models


# The units the code offered until now: (code, kind, currency, name), as the pages wrote them.
UNITS = [
    ("usd", "currency", "USD", "US dollars"),
    ("cny", "currency", "CNY", "Chinese yuan"),
    ("doses", "count", "", "doses"),
    ("city_pairs", "count", "", "city pairs"),
    ("places", "count", "", "places"),
    ("people", "count", "", "people"),
    ("km", "quantity", "", "kilometres"),
    ("routes", "count", "", "routes"),
    ("projects", "count", "", "projects"),
    ("tonnes", "quantity", "", "tonnes"),
    ("m3", "quantity", "", "cubic metres"),
    ("percent", "quantity", "", "per cent"),
]


def written(code, name):
    return "${value}" if code == "usd" else "{value} " + name


def forward(apps, schema_editor):
    Unit = apps.get_model("pledges", "Unit")
    Pledge = apps.get_model("pledges", "Pledge")
    Target = apps.get_model("pledges", "Target")
    ProgressUpdate = apps.get_model("pledges", "ProgressUpdate")
    units = {}
    for code, kind, currency, name in UNITS:
        units[code] = Unit.objects.get_or_create(
            code=code, defaults={"kind": kind, "currency": currency, "name": name, "written": written(code, name)})[0]
    target_of = {}
    for pledge in Pledge.objects.exclude(target_value=None):
        target_of[pledge.pk] = Target.objects.create(
            pledge=pledge, position=1, unit=units[pledge.target_unit], baseline_value=pledge.baseline_value,
            baseline_on=pledge.baseline_on, target_value=pledge.target_value,
        )
    HistoricalTarget = apps.get_model("pledges", "HistoricalTarget")
    from django.utils import timezone

    HistoricalTarget.objects.bulk_create(
        HistoricalTarget(id=t.pk, pledge_id=t.pledge_id, position=1, label="", unit_id=t.unit_id,
                         baseline_value=t.baseline_value, baseline_on=t.baseline_on, target_value=t.target_value,
                         history_date=timezone.now(), history_type="+",
                         history_change_reason="Moved from the pledge to its first target")
        for t in target_of.values()
    )
    for pledge_id, target in target_of.items():
        ProgressUpdate.objects.filter(pledge_id=pledge_id, measurement_value__isnull=False).update(target=target)
        apps.get_model("pledges", "HistoricalProgressUpdate").objects.filter(pledge_id=pledge_id, measurement_value__isnull=False).update(target_id=target.pk)
    orphans = ProgressUpdate.objects.filter(measurement_value__isnull=False, target=None)
    if orphans.exists():  # the old rules allowed none; a database edited by hand might hold some
        raise RuntimeError("These progress updates measure a pledge that has no target: "
                           + ", ".join(f"{u.pledge.slug}/{u.key}" for u in orphans[:20]))


def backward(apps, schema_editor):
    Pledge = apps.get_model("pledges", "Pledge")
    Target = apps.get_model("pledges", "Target")
    for target in Target.objects.filter(position=1).select_related("unit"):
        Pledge.objects.filter(pk=target.pledge_id).update(
            target_unit=target.unit.code, baseline_value=target.baseline_value, baseline_on=target.baseline_on,
            target_value=target.target_value,
        )
    apps.get_model("pledges", "ProgressUpdate").objects.exclude(target__position=1).update(measurement_value=None, measurement_country=None)


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0016_parties'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalTarget',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=1, help_text='1 is the target the overview shows.')),
                ('label', models.CharField(blank=True, help_text='What is counted, e.g. annual trade.', max_length=200, validators=[pledges.models.validate_printable])),
                ('baseline_value', models.DecimalField(blank=True, decimal_places=2, help_text='The value when the pledge was made.', max_digits=20, null=True)),
                ('baseline_on', models.DateField(blank=True, null=True, validators=[pledges.models.validate_date_in_range])),
                ('target_value', models.DecimalField(decimal_places=2, help_text='The promised value.', max_digits=20)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical target',
                'verbose_name_plural': 'historical targets',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Target',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=1, help_text='1 is the target the overview shows.')),
                ('label', models.CharField(blank=True, help_text='What is counted, e.g. annual trade.', max_length=200, validators=[pledges.models.validate_printable])),
                ('baseline_value', models.DecimalField(blank=True, decimal_places=2, help_text='The value when the pledge was made.', max_digits=20, null=True)),
                ('baseline_on', models.DateField(blank=True, null=True, validators=[pledges.models.validate_date_in_range])),
                ('target_value', models.DecimalField(decimal_places=2, help_text='The promised value.', max_digits=20)),
            ],
            options={
                'ordering': ['position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Unit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(help_text='How files name it: usd, cny, scholarships, km.', max_length=30, unique=True)),
                ('kind', models.CharField(choices=[('currency', 'Money, in a currency'), ('count', 'A count of things (places, scholarships, centres …)'), ('quantity', 'A physical quantity (km, m³ a year …)')], max_length=10)),
                ('currency', models.CharField(blank=True, help_text='For money: the ISO 4217 code, e.g. USD, CNY.', max_length=3)),
                ('name', models.CharField(help_text='e.g. US dollars, scholarships.', max_length=100, validators=[pledges.models.validate_printable])),
                ('written', models.CharField(help_text='How an amount is written, {value} standing for the number: ${value}, {value} scholarships, {value} km.', max_length=100, validators=[pledges.models.validate_printable])),
            ],
            options={
                'ordering': ['code'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='pledge',
            name='pledge_dates_in_range',
        ),
        migrations.RemoveConstraint(
            model_name='progressupdate',
            name='update_dates_in_range',
        ),
        migrations.RemoveConstraint(
            model_name='progressupdate',
            name='update_one_measurement_a_day',
        ),
        migrations.AddField(
            model_name='historicalprogressupdate',
            name='measured_end',
            field=models.DateField(blank=True, null=True, validators=[pledges.models.validate_date_in_range]),
        ),
        migrations.AddField(
            model_name='historicalprogressupdate',
            name='measured_precision',
            field=models.CharField(blank=True, choices=[('day', 'A day'), ('month', 'A month'), ('year', 'A year'), ('range', 'A range of dates')], max_length=10, verbose_name='measured period'),
        ),
        migrations.AddField(
            model_name='historicalprogressupdate',
            name='measured_start',
            field=models.DateField(blank=True, null=True, validators=[pledges.models.validate_date_in_range]),
        ),
        migrations.AddField(
            model_name='progressupdate',
            name='measured_end',
            field=models.DateField(blank=True, null=True, validators=[pledges.models.validate_date_in_range]),
        ),
        migrations.AddField(
            model_name='progressupdate',
            name='measured_precision',
            field=models.CharField(blank=True, choices=[('day', 'A day'), ('month', 'A month'), ('year', 'A year'), ('range', 'A range of dates')], max_length=10, verbose_name='measured period'),
        ),
        migrations.AddField(
            model_name='progressupdate',
            name='measured_start',
            field=models.DateField(blank=True, null=True, validators=[pledges.models.validate_date_in_range]),
        ),
        migrations.AlterField(
            model_name='historicalprogressupdate',
            name='occurred_on',
            field=models.DateField(help_text='When it happened or was reported.', validators=[pledges.models.validate_date_in_range]),
        ),
        migrations.AlterField(
            model_name='progressupdate',
            name='occurred_on',
            field=models.DateField(help_text='When it happened or was reported.', validators=[pledges.models.validate_date_in_range]),
        ),
        migrations.AddConstraint(
            model_name='pledge',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('announced_on__isnull', True), ('announced_on__range', (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))), _connector='OR'), models.Q(('source_published_on__isnull', True), ('source_published_on__range', (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))), _connector='OR'), models.Q(('deadline_start__isnull', True), ('deadline_start__range', (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))), _connector='OR'), models.Q(('deadline_end__isnull', True), ('deadline_end__range', (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))), _connector='OR'), models.Q(('last_reviewed_on__isnull', True), ('last_reviewed_on__range', (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))), _connector='OR')), name='pledge_dates_in_range'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='pledge',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pledges.pledge'),
        ),
        migrations.AddField(
            model_name='target',
            name='pledge',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='pledges.pledge'),
        ),
        migrations.AddField(
            model_name='historicalprogressupdate',
            name='target',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="Which of the pledge's targets the value measures.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pledges.target'),
        ),
        migrations.AddField(
            model_name='progressupdate',
            name='target',
            field=models.ForeignKey(blank=True, help_text="Which of the pledge's targets the value measures.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='measurements', to='pledges.target'),
        ),
        migrations.AddConstraint(
            model_name='progressupdate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('measured_precision', ''), ('measured_start__isnull', True), ('measured_end__isnull', True)), models.Q(('measured_precision__in', ['day', 'month', 'year', 'range']), ('measured_end__isnull', False), ('measurement_value__isnull', False)), _connector='OR'), name='update_measured_period_is_whole'),
        ),
        migrations.AddConstraint(
            model_name='progressupdate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('measured_precision', 'range'), _negated=True), ('measured_start__isnull', False), _connector='OR'), name='update_measured_range_has_start'),
        ),
        migrations.AddConstraint(
            model_name='progressupdate',
            constraint=models.CheckConstraint(condition=models.Q(('measured_start__isnull', True), ('measured_end__gte', models.F('measured_start')), _connector='OR'), name='update_measured_end_not_before_start'),
        ),
        migrations.AddConstraint(
            model_name='progressupdate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('occurred_on__isnull', True), ('occurred_on__range', (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))), _connector='OR'), models.Q(('measured_start__isnull', True), ('measured_start__range', (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))), _connector='OR'), models.Q(('measured_end__isnull', True), ('measured_end__range', (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))), _connector='OR')), name='update_dates_in_range'),
        ),
        migrations.AddConstraint(
            model_name='progressupdate',
            constraint=models.UniqueConstraint(models.F('target'), django.db.models.functions.comparison.Coalesce(models.F('measurement_country'), models.Value(0)), django.db.models.functions.comparison.Coalesce(models.F('measured_end'), models.F('occurred_on')), condition=models.Q(('measurement_value__isnull', False)), name='update_one_measurement_a_period'),
        ),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['currency', 'count', 'quantity'])), name='unit_kind_is_known'),
        ),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'currency'), ('currency__regex', '^[A-Z]{3}$')), models.Q(models.Q(('kind', 'currency'), _negated=True), ('currency', '')), _connector='OR'), name='unit_currency_only_for_money'),
        ),
        migrations.AddConstraint(
            model_name='unit',
            constraint=models.CheckConstraint(condition=models.Q(('written__contains', '{value}')), name='unit_written_has_value'),
        ),
        migrations.AddField(
            model_name='target',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='targets', to='pledges.unit'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='unit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pledges.unit'),
        ),
        migrations.AddConstraint(
            model_name='target',
            constraint=models.UniqueConstraint(fields=('pledge', 'position'), name='target_position_unique_in_pledge'),
        ),
        migrations.AddConstraint(
            model_name='target',
            constraint=models.CheckConstraint(condition=models.Q(('position__gte', 1)), name='target_position_from_one'),
        ),
        migrations.AddConstraint(
            model_name='target',
            constraint=models.CheckConstraint(condition=models.Q(('baseline_on__isnull', True), ('baseline_on__range', (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))), _connector='OR'), name='target_dates_in_range'),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveConstraint(
            model_name='pledge',
            name='pledge_target_has_unit',
        ),
        migrations.RemoveConstraint(
            model_name='pledge',
            name='pledge_baseline_needs_target',
        ),
        migrations.RemoveField(
            model_name='historicalpledge',
            name='baseline_on',
        ),
        migrations.RemoveField(
            model_name='historicalpledge',
            name='baseline_value',
        ),
        migrations.RemoveField(
            model_name='historicalpledge',
            name='target_unit',
        ),
        migrations.RemoveField(
            model_name='historicalpledge',
            name='target_value',
        ),
        migrations.RemoveField(
            model_name='pledge',
            name='baseline_on',
        ),
        migrations.RemoveField(
            model_name='pledge',
            name='baseline_value',
        ),
        migrations.RemoveField(
            model_name='pledge',
            name='target_unit',
        ),
        migrations.RemoveField(
            model_name='pledge',
            name='target_value',
        ),
        migrations.AddConstraint(
            model_name='progressupdate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('measurement_value__isnull', True), ('target__isnull', True)), models.Q(('measurement_value__isnull', False), ('target__isnull', False)), _connector='OR'), name='update_measurement_names_its_target'),
        ),
    ]
