"""The journal's four foreign keys read with « at » lose their own indexes: the (x, at) indexes
of the model's Meta lead with them. Only the indexes are dropped (on PostgreSQL, from the
partitioned table and so from every month): Django's AlterField would also drop and re-add each
foreign key, validating every row of the journal four times under a lock.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


#: Django's names of the foreign keys' indexes (the same on PostgreSQL and SQLite).
INDEXES = {
    "casework_informationshare_actor_id_01c20500": "actor_id",
    "casework_informationshare_beneficiary_id_4c03d4e6": "beneficiary_id",
    "casework_informationshare_case_id_ec8e9b37": "case_id",
    "casework_informationshare_department_id_398cbe15": "department_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0034_audit_trail_partitioned_by_month"),
        ("partners", "0016_pair_social_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="informationshare",
                    name="actor",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="professionnel·le",
                    ),
                ),
                migrations.AlterField(
                    model_name="informationshare",
                    name="beneficiary",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="casework.beneficiary",
                    ),
                ),
                migrations.AlterField(
                    model_name="informationshare",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="casework.case",
                        verbose_name="accompagnement",
                    ),
                ),
                migrations.AlterField(
                    model_name="informationshare",
                    name="department",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="partners.department",
                        verbose_name="département",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "casework_informationshare" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
        ),
    ]
