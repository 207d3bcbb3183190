"""Each DTI rank keeps the year the ministry published it (the shipped years: the next);
the shipped notes, first written in English, read in Vietnamese."""

from django.db import migrations, models

ENGLISH = {
    2021: "national average 0.4014",
    2022: "tie with Yên Bái",
    2023: "Nhân lực số 2nd; An toàn thông tin mạng 4th; Thể chế số 7th",
    2024: "first ranking on the 34-province map",
}


def ship(apps, schema_editor):
    from chiso.leadership.services import HISTORY, parse_csv

    DtiYear = apps.get_model("leadership", "DtiYear")
    for figures in parse_csv(HISTORY.read_text(encoding="utf-8"), HISTORY.name):
        DtiYear.objects.filter(year=figures.year, published=None).update(
            published=figures.published
        )
        DtiYear.objects.filter(year=figures.year, note=ENGLISH.get(figures.year, "-")).update(
            note=figures.note
        )


class Migration(migrations.Migration):
    dependencies = [("leadership", "0002_history")]
    operations = [
        migrations.AddField(
            model_name="dtiyear",
            name="published",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="year published"
            ),
        ),
        migrations.AlterField(
            model_name="dtiyear",
            name="year",
            field=models.PositiveIntegerField(unique=True, verbose_name="year assessed"),
        ),
        migrations.RunPython(ship, migrations.RunPython.noop),
    ]
