"""The default grading rules of issue 4: A = 规上 or key or talent enterprise; C = 规下 with fewer
than 10 workers; every other enterprise B. The coordinator edits them afterwards as data."""

from django.db import migrations

DEFAULT_RULES = [
    # order, grade, categories, is_key, is_talent, headcount_below, note
    (10, "A", ["industry_above", "services_above"], None, None, None, "规模以上企业"),
    (20, "A", [], True, None, None, "重点企业"),
    (30, "A", [], None, True, None, "人才企业"),
    (40, "C", ["industry_below", "services_below"], None, None, 10, "10人以下规下企业"),
    (100, "B", [], None, None, None, "其余企业"),
]


def add_default_rules(apps, schema_editor):
    GradeRule = apps.get_model("enterprises", "GradeRule")
    if GradeRule.objects.exists():
        return
    GradeRule.objects.bulk_create(
        GradeRule(
            order=order,
            grade=grade,
            categories=categories,
            is_key=is_key,
            is_talent=is_talent,
            headcount_below=below,
            note=note,
        )
        for order, grade, categories, is_key, is_talent, below, note in DEFAULT_RULES
    )


def remove_rules(apps, schema_editor):
    apps.get_model("enterprises", "GradeRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0002_grades_liaisons_visits")]

    operations = [migrations.RunPython(add_default_rules, remove_rules)]
