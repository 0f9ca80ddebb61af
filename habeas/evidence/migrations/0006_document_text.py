from django.db import migrations

import habeas.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0005_source_key_help"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="text",
            field=habeas.core.fields.EncryptedTextField(
                blank=True,
                default="",
                editable=False,
                help_text="the text extracted from the file (a PDF's pages separated by form feeds), for search",
                verbose_name="text",
            ),
            preserve_default=False,
        ),
    ]
