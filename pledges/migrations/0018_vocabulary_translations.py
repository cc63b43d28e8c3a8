"""Topic, unit and country names in each language (django-modeltranslation's columns).

Today's names become the English ones; the units and topics the tracker shipped with get their
Russian and Chinese names (the units' as the pages' catalogues wrote them), where the database
holds them and nobody has written one yet.
"""

from django.db import migrations, models

import pledges.models

UNITS = {
    "usd": {
        "name_ru": "долларов США",
        "name_zh_hans": "美元",
        "written_ru": "${value}",
        "written_zh_hans": "{value}美元"
    },
    "cny": {
        "name_ru": "юаней",
        "name_zh_hans": "元人民币",
        "written_ru": "{value} юаней",
        "written_zh_hans": "{value} 元人民币"
    },
    "doses": {
        "name_ru": "доз",
        "name_zh_hans": "剂",
        "written_ru": "{value} доз",
        "written_zh_hans": "{value} 剂"
    },
    "city_pairs": {
        "name_ru": "пар городов",
        "name_zh_hans": "对城市",
        "written_ru": "{value} пар городов",
        "written_zh_hans": "{value} 对城市"
    },
    "places": {
        "name_ru": "мест",
        "name_zh_hans": "个名额",
        "written_ru": "{value} мест",
        "written_zh_hans": "{value} 个名额"
    },
    "people": {
        "name_ru": "человек",
        "name_zh_hans": "人",
        "written_ru": "{value} человек",
        "written_zh_hans": "{value} 人"
    },
    "km": {
        "name_ru": "км",
        "name_zh_hans": "公里",
        "written_ru": "{value} км",
        "written_zh_hans": "{value} 公里"
    },
    "routes": {
        "name_ru": "маршрутов",
        "name_zh_hans": "条线路",
        "written_ru": "{value} маршрутов",
        "written_zh_hans": "{value} 条线路"
    },
    "projects": {
        "name_ru": "проектов",
        "name_zh_hans": "个项目",
        "written_ru": "{value} проектов",
        "written_zh_hans": "{value} 个项目"
    },
    "tonnes": {
        "name_ru": "тонн",
        "name_zh_hans": "吨",
        "written_ru": "{value} тонн",
        "written_zh_hans": "{value} 吨"
    },
    "m3": {
        "name_ru": "куб. м",
        "name_zh_hans": "立方米",
        "written_ru": "{value} куб. м",
        "written_zh_hans": "{value} 立方米"
    },
    "percent": {
        "name_ru": "%",
        "name_zh_hans": "%",
        "written_ru": "{value} %",
        "written_zh_hans": "{value} %"
    },
    "scholarships": {
        "name_ru": "стипендий",
        "name_zh_hans": "个奖学金名额",
        "written_ru": "{value} стипендий",
        "written_zh_hans": "{value} 个奖学金名额"
    },
    "centres": {
        "name_ru": "центров",
        "name_zh_hans": "个中心",
        "written_ru": "{value} центров",
        "written_zh_hans": "{value} 个中心"
    },
    "m3_per_year": {
        "name_ru": "куб. м в год",
        "name_zh_hans": "立方米/年",
        "written_ru": "{value} куб. м в год",
        "written_zh_hans": "{value} 立方米/年"
    }
}

TOPICS = {
    "trade": {
        "name_ru": "Торговля и инвестиции",
        "name_zh_hans": "贸易与投资"
    },
    "digital": {
        "name_ru": "Цифровая экономика и технологии",
        "name_zh_hans": "数字经济与技术"
    },
    "transport": {
        "name_ru": "Транспорт и взаимосвязанность",
        "name_zh_hans": "交通与互联互通"
    },
    "health": {
        "name_ru": "Здравоохранение",
        "name_zh_hans": "卫生健康"
    },
    "people": {
        "name_ru": "Гуманитарные обмены",
        "name_zh_hans": "人文交流"
    },
    "aid": {
        "name_ru": "Помощь в целях развития",
        "name_zh_hans": "发展援助"
    },
    "energy": {
        "name_ru": "Энергетика",
        "name_zh_hans": "能源"
    },
    "education": {
        "name_ru": "Образование и подготовка кадров",
        "name_zh_hans": "教育与培训"
    },
    "security": {
        "name_ru": "Безопасность",
        "name_zh_hans": "安全"
    },
    "environment": {
        "name_ru": "Экология и климат",
        "name_zh_hans": "环境与气候"
    }
}


def apply_roles(apps, schema_editor):
    # Editors now keep targets, topics and units too; the actor's permissions went with the model.
    from pledges.roles import ensure_groups

    ensure_groups(apps)
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="pledges", codename__endswith="_actor").delete()


def forward(apps, schema_editor):
    for model, fields in (("Country", ["name"]), ("Topic", ["name"]), ("Unit", ["name", "written"])):
        Model = apps.get_model("pledges", model)
        for field in fields:
            Model.objects.filter(**{f"{field}_en__isnull": True}).update(**{f"{field}_en": models.F(field)})
    for Model, key, names in ((apps.get_model("pledges", "Unit"), "code", UNITS),
                              (apps.get_model("pledges", "Topic"), "slug", TOPICS)):
        for record in Model.objects.filter(**{f"{key}__in": names}):
            for field, value in names[getattr(record, key)].items():
                if not getattr(record, field):
                    setattr(record, field, value)
            record.save()


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0017_units_and_targets'),
    ]

    operations = [
        migrations.AddField(
            model_name='country',
            name='name_en',
            field=models.CharField(max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='country',
            name='name_ru',
            field=models.CharField(max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='country',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='topic',
            name='name_en',
            field=models.CharField(max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='topic',
            name='name_ru',
            field=models.CharField(max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='topic',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='unit',
            name='name_en',
            field=models.CharField(help_text='e.g. US dollars, scholarships.', max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='unit',
            name='name_ru',
            field=models.CharField(help_text='e.g. US dollars, scholarships.', max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='unit',
            name='name_zh_hans',
            field=models.CharField(help_text='e.g. US dollars, scholarships.', max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='unit',
            name='written_en',
            field=models.CharField(help_text='How an amount is written, {value} standing for the number: ${value}, {value} scholarships, {value} km.', max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='unit',
            name='written_ru',
            field=models.CharField(help_text='How an amount is written, {value} standing for the number: ${value}, {value} scholarships, {value} km.', max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.AddField(
            model_name='unit',
            name='written_zh_hans',
            field=models.CharField(help_text='How an amount is written, {value} standing for the number: ${value}, {value} scholarships, {value} km.', max_length=100, null=True, validators=[pledges.models.validate_printable]),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RunPython(apply_roles, migrations.RunPython.noop),
    ]
