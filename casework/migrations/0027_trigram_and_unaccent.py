"""pg_trgm and unaccent, for the duplicate suspicion of the lists of people (casework/imports/
lists.py). Both are trusted extensions (PostgreSQL 13+): the database's owner may create them.
Nothing on SQLite (the operations only run on PostgreSQL)."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("casework", "0026_flow_import_decisions")]

    operations = [TrigramExtension(), UnaccentExtension()]
