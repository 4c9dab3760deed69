from django.db import migrations

CATEGORIES = [
    "policy",
    "labour",
    "finance",
    "materials",
    "logistics",
    "epidemic_supplies",
    "permits",
    "utilities",
    "other",
]
# (grade, claim, reply, resolve) in working days: every enterprise, then A-grade ones (VIP).
DEFAULTS = [("", 1, 3, 10), ("A", 1, 2, 7)]


def create(apps, schema_editor):
    DeadlinePolicy = apps.get_model("services", "DeadlinePolicy")
    DeadlinePolicy.objects.bulk_create(
        [
            DeadlinePolicy(
                category=category,
                grade=grade,
                claim_days=claim,
                reply_days=reply,
                resolve_days=resolve,
            )
            for category in CATEGORIES
            for grade, claim, reply, resolve in DEFAULTS
        ]
    )


def remove(apps, schema_editor):
    apps.get_model("services", "DeadlinePolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
