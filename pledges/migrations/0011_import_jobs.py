
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0010_import_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('layout', models.CharField(choices=[('pledges', 'Pledges'), ('updates', 'Progress updates')], max_length=10)),
                ('file_name', models.CharField(max_length=255)),
                ('file_format', models.CharField(max_length=10)),
                ('data', models.BinaryField(help_text='The file, until it is imported or rejected.')),
                ('status', models.CharField(choices=[('queued', 'Waiting for a worker'), ('checking', 'Checking the file'), ('checked', 'Checked: confirm to import'), ('confirmed', 'Confirmed, waiting for a worker'), ('importing', 'Importing'), ('done', 'Imported'), ('rejected', 'Rejected: nothing was written'), ('failed', 'Failed: nothing was written')], default='queued', max_length=10)),
                ('rows_total', models.PositiveIntegerField(blank=True, null=True)),
                ('rows_done', models.PositiveIntegerField(default=0)),
                ('fingerprint', models.CharField(blank=True, help_text='The digest of the previewed changes.', max_length=64)),
                ('outcome', models.JSONField(blank=True, default=dict, help_text='The preview, the result or the errors.')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='import_jobs', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
            },
        ),
    ]
