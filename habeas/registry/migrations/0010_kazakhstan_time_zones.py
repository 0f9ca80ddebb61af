"""Times are typed and shown in the time zone of the place where they happened: the localities of Kazakhstan
that have no time zone yet get their region's (IANA's names; the zones keep their history, such as the move of
the whole country to UTC+5 on 1 March 2024). Regions are GeoNames' first-level codes, as ``region_code`` holds
them; a locality of no known region keeps none (the default zone is then used)."""

from django.db import migrations

#: GeoNames' first-level region of Kazakhstan → its IANA time zone (the zone tzdata gives the region's cities)
ZONES = {
    "KZ.01": "Asia/Almaty",  # Almaty region
    "KZ.02": "Asia/Almaty",  # Almaty (city)
    "KZ.03": "Asia/Almaty",  # Akmola
    "KZ.04": "Asia/Aqtobe",  # Aktobe
    "KZ.05": "Asia/Almaty",  # Astana (city)
    "KZ.06": "Asia/Atyrau",  # Atyrau
    "KZ.07": "Asia/Oral",  # West Kazakhstan
    "KZ.08": "Asia/Qyzylorda",  # Baikonur (city), within the Qyzylorda region
    "KZ.09": "Asia/Aqtau",  # Mangystau (Aktau, Zhanaozen)
    "KZ.10": "Asia/Almaty",  # Turkistan (South Kazakhstan)
    "KZ.11": "Asia/Almaty",  # Pavlodar
    "KZ.12": "Asia/Almaty",  # Karaganda
    "KZ.13": "Asia/Qostanay",  # Kostanay
    "KZ.14": "Asia/Qyzylorda",  # Kyzylorda
    "KZ.15": "Asia/Almaty",  # East Kazakhstan
    "KZ.16": "Asia/Almaty",  # North Kazakhstan
    "KZ.17": "Asia/Almaty",  # Zhambyl
    "KZ.1537272": "Asia/Almaty",  # Shymkent (city)
    "KZ.12510143": "Asia/Almaty",  # Abai
    "KZ.12510144": "Asia/Almaty",  # Jetisu
    "KZ.12510145": "Asia/Almaty",  # Ulytau
}


def fill_zones(apps, schema_editor):
    Locality = apps.get_model("registry", "Locality")
    for region, zone in ZONES.items():
        Locality.objects.filter(country="KZ", region_code=region, timezone="").update(timezone=zone)


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_name_word_starts")]
    operations = [migrations.RunPython(fill_zones, migrations.RunPython.noop)]
