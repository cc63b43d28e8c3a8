
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0014_source_grades'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalpledge',
            name='follow_up',
            field=models.CharField(blank=True, choices=[('renews', 'Renews'), ('extends', 'Extends'), ('replaces', 'Replaces'), ('restates', 'Restates')], max_length=10, verbose_name='how it follows'),
        ),
        migrations.AddField(
            model_name='historicalpledge',
            name='follows',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The earlier pledge this one renews, extends, replaces or restates.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pledges.pledge'),
        ),
        migrations.AddField(
            model_name='pledge',
            name='follow_up',
            field=models.CharField(blank=True, choices=[('renews', 'Renews'), ('extends', 'Extends'), ('replaces', 'Replaces'), ('restates', 'Restates')], max_length=10, verbose_name='how it follows'),
        ),
        migrations.AddField(
            model_name='pledge',
            name='follows',
            field=models.ForeignKey(blank=True, help_text='The earlier pledge this one renews, extends, replaces or restates.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='follow_ups', to='pledges.pledge'),
        ),
        migrations.AddConstraint(
            model_name='pledge',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('follows__isnull', True), ('follow_up', '')), models.Q(('follows__isnull', False), models.Q(('follow_up', ''), _negated=True)), _connector='OR'), name='pledge_follow_up_names_how'),
        ),
    ]
