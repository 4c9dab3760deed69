from django.db import migrations


def load_counties(apps, schema_editor):
    from fugong.factors.counties import counties_ensure_loaded

    counties_ensure_loaded(apps.get_model("factors", "County"))


class Migration(migrations.Migration):
    dependencies = [("factors", "0001_initial")]

    operations = [migrations.RunPython(load_counties, migrations.RunPython.noop)]
