
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0013_event_pages'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalsource',
            name='grade',
            field=models.CharField(choices=[('primary', 'Primary: the official text or record'), ('reporting', 'Reporting: news or analysis'), ('weak', 'Weak: unconfirmed or second-hand')], default='reporting', max_length=10),
        ),
        migrations.AddField(
            model_name='source',
            name='grade',
            field=models.CharField(choices=[('primary', 'Primary: the official text or record'), ('reporting', 'Reporting: news or analysis'), ('weak', 'Weak: unconfirmed or second-hand')], default='reporting', max_length=10),
        ),
        migrations.AddConstraint(
            model_name='source',
            constraint=models.CheckConstraint(condition=models.Q(('grade__in', ['primary', 'reporting', 'weak'])), name='source_grade_is_known'),
        ),
    ]
