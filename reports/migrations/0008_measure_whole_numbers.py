from django.db import migrations, models

# As reports.document.units.WHOLE_UNITS when this migration was written (a migration keeps
# the rule of its day, whatever the module says later).
WHOLE_UNITS = ("次", "人次", "件", "个", "场", "项", "篇", "人", "家", "条", "期", "名")


def fractional_units_take_fractions(apps, schema_editor):
    """Existing measures in money, time or any unit that counts nothing whole may be fractional."""
    Measure = apps.get_model("reports", "Measure")
    Measure.objects.exclude(unit__in=WHOLE_UNITS).update(whole=False)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0007_parts_ordered_by_position"),
    ]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="whole",
            field=models.BooleanField(default=True, help_text="次、人次、件等计数只能是整数；金额、时长等可以有小数。",
                                      verbose_name="只取整数"),
        ),
        migrations.RunPython(fractional_units_take_fractions, migrations.RunPython.noop),
    ]
