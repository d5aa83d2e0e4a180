"""Ships the real GB/T 2260 codes of Sichuan, Luzhou, its 7 districts/counties and some towns."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "luzhou_regions.csv"


def load(apps, schema_editor):
    Region = apps.get_model("places", "Region")
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_code = {}
    for row in rows:  # parents come before children in the file
        parent = by_code.get(row["parent"]) if row["parent"] else None
        region, _ = Region.objects.update_or_create(
            code=row["code"],
            defaults={
                "parent": parent,
                "level": row["level"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "path": (parent.path if parent else "") + row["code"] + "/",
            },
        )
        by_code[row["code"]] = region


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
