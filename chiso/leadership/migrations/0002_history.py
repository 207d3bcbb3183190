"""The province's DTI 2020-2024 (domain.md) ships with the database."""

from django.db import migrations


def ship(apps, schema_editor):
    from chiso.leadership.services import HISTORY, COLUMNS, parse_csv

    DtiYear = apps.get_model("leadership", "DtiYear")
    # The columns this state of the model has (a later migration adds "published").
    fields = {f.name for f in DtiYear._meta.get_fields()}
    for figures in parse_csv(HISTORY.read_text(encoding="utf-8"), HISTORY.name):
        if not DtiYear.objects.filter(year=figures.year).exists():
            DtiYear.objects.create(**{c: getattr(figures, c) for c in COLUMNS if c in fields})


class Migration(migrations.Migration):
    dependencies = [("leadership", "0001_initial")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
