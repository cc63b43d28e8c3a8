
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0011_import_jobs'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalpledge',
            name='deadline_precision',
            field=models.CharField(choices=[('day', 'A day'), ('month', 'A month'), ('year', 'A year'), ('range', 'A range of dates'), ('duration', 'A period from the announcement'), ('asap', 'As soon as possible (no date)'), ('ongoing', 'Ongoing or continuous (no date)'), ('in_due_course', 'In due course (no date)'), ('none', 'No deadline')], default='none', max_length=20),
        ),
        migrations.AlterField(
            model_name='pledge',
            name='deadline_precision',
            field=models.CharField(choices=[('day', 'A day'), ('month', 'A month'), ('year', 'A year'), ('range', 'A range of dates'), ('duration', 'A period from the announcement'), ('asap', 'As soon as possible (no date)'), ('ongoing', 'Ongoing or continuous (no date)'), ('in_due_course', 'In due course (no date)'), ('none', 'No deadline')], default='none', max_length=20),
        ),
    ]
