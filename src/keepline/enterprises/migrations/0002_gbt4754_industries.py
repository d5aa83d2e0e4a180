"""Ships the GB/T 4754-2017 sections and divisions with Chinese and English names."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "gbt4754_2017.csv"


def load(apps, schema_editor):
    Industry = apps.get_model("enterprises", "Industry")
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    sections = {}
    for row in rows:  # each section comes before its divisions
        industry, _ = Industry.objects.update_or_create(
            code=row["code"],
            defaults={
                "level": row["level"],
                "parent": sections.get(row["parent"]),
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
            },
        )
        if row["level"] == "section":
            sections[row["code"]] = industry


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
