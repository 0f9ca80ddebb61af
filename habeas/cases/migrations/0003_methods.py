"""The controlled vocabulary of methods of torture and ill-treatment, grouped as the Istanbul Protocol
(2022 revision, chapter V) groups them."""

from __future__ import annotations

from typing import Any

from django.db import migrations

METHODS = [
    ("beating", "beating with fists or objects", "blunt trauma"),
    ("kicking", "kicking", "blunt trauma"),
    ("beating-injured", "beating of people lying injured", "blunt trauma"),
    ("falanga", "beating of the soles of the feet", "blunt trauma"),
    ("suspension", "suspension by the limbs", "positional"),
    ("suspension-hair", "suspension or pulling by the hair", "positional"),
    ("stress-positions", "stress positions", "positional"),
    ("restraint", "prolonged restraint or handcuffing", "positional"),
    ("suffocation-bag", "suffocation with a plastic bag or gas mask", "asphyxiation"),
    ("near-drowning", "near-drowning", "asphyxiation"),
    ("electric-shock", "electric shocks", "electric"),
    ("burning", "burning", "burns"),
    ("sexual-violence", "rape or other sexual violence", "sexual"),
    ("sexual-humiliation", "sexual humiliation", "sexual"),
    ("forced-nudity", "stripping or forced nudity", "sexual"),
    ("cold-water", "dousing with cold water or exposure to cold", "conditions"),
    ("overcrowding", "overcrowded cells", "conditions"),
    ("deprivation", "deprivation of food, water, sleep or light", "conditions"),
    ("solitary", "prolonged solitary confinement", "conditions"),
    ("threats-relatives", "threats against relatives", "psychological"),
    ("threats", "threats of death or further torture", "psychological"),
    ("verbal-abuse", "verbal abuse and insults", "psychological"),
    ("humiliation", "humiliation", "psychological"),
    ("witnessing", "being made to hear or watch others' torture", "psychological"),
    ("shooting", "shooting", "use of force"),
]


def add_methods(apps: Any, schema_editor: Any) -> None:
    method = apps.get_model("cases", "Method")
    for code, name, category in METHODS:
        method.objects.update_or_create(code=code, defaults={"name": name, "category": category})


def remove_methods(apps: Any, schema_editor: Any) -> None:
    apps.get_model("cases", "Method").objects.filter(code__in=[code for code, _, _ in METHODS]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(add_methods, remove_methods)]
