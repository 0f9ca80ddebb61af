"""Redaction profiles are declared data files, checked before anything is exported: a mistake names the file
and the key that holds it."""

from __future__ import annotations

import pytest
import yaml

from habeas.reports.redaction import PROFILE_DIR, ProfileError, profile_load, profile_read, profiles

MINIMAL = {
    "name": "bad",
    "dates": "month",
    "persons": "pseudonym",
    "officials": "keep",
    "free_text": "drop",
    "localities": "region",
    "models": {"registry.person": {"fields": ["sex", "born_on"]}},
}


def write(tmp_path, **changes):
    data = {**MINIMAL, **changes}
    path = tmp_path / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def error_of(path) -> str:
    with pytest.raises(ProfileError) as raised:
        profile_read(path)
    return str(raised.value)


def test_the_declared_profiles_are_public_and_partner_and_both_are_valid():
    assert profiles() == ["partner", "public"]
    for name in profiles():
        profile = profile_load(name)
        assert profile.free_text == "drop"
        assert profile.models["registry.person"].dates["born_on"] == "year"
    assert profile_load("public").dates == "month"
    assert profile_load("partner").dates == "day"


def test_a_minimal_profile_is_read(tmp_path):
    profile = profile_read(write(tmp_path))
    assert profile.name == "bad"
    assert profile.models["registry.person"].columns == ("id", "sex", "born_on")


def test_an_unknown_field_is_reported_with_the_file_and_the_key(tmp_path):
    path = write(tmp_path, models={"registry.person": {"fields": ["sex", "shoe_size"]}})
    message = error_of(path)
    assert str(path) in message
    assert "models.registry.person.fields.shoe_size" in message
    assert "unknown field" in message


def test_an_unknown_model_is_reported_with_the_file_and_the_key(tmp_path):
    path = write(tmp_path, models={"registry.unicorn": {"fields": ["sex"]}})
    message = error_of(path)
    assert str(path) in message
    assert "models.registry.unicorn" in message
    assert "unknown model" in message


def test_an_unknown_top_level_key_is_reported(tmp_path):
    path = write(tmp_path, redact_everything="yes")
    assert "redact_everything: unknown key" in error_of(path)


@pytest.mark.parametrize(
    ("key", "value"),
    [("dates", "hour"), ("persons", "names"), ("officials", "maybe"), ("free_text", "keep"), ("localities", "street")],
)
def test_a_value_outside_the_choices_is_reported_with_the_choices(tmp_path, key, value):
    message = error_of(write(tmp_path, **{key: value}))
    assert f"{key}: {value!r} is not one of" in message


def test_a_protected_field_can_never_be_exported(tmp_path):
    path = write(tmp_path, models={"registry.person": {"fields": ["label"]}})
    assert "models.registry.person.fields.label: is protected text" in error_of(path)


def test_free_text_is_refused_unless_declared_as_a_public_name(tmp_path):
    path = write(tmp_path, models={"custody.custodyepisode": {"fields": ["release_reason"]}})
    assert "models.custody.custodyepisode.fields.release_reason: is free text" in error_of(path)
    declared = write(tmp_path, models={"custody.custodyepisode": {"fields": [], "text": ["release_reason"]}})
    assert profile_read(declared).models["custody.custodyepisode"].text == ("release_reason",)


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("notes", "protected text"),
        ("team", "internal record-keeping"),
        ("created_at", "internal record-keeping"),
        ("id", "stable pseudonymous id"),
    ],
)
def test_internal_fields_are_refused(tmp_path, field, reason):
    path = write(tmp_path, models={"registry.person": {"fields": [field]}})
    assert reason in error_of(path)


def test_structured_data_and_user_accounts_are_refused(tmp_path):
    facts = write(tmp_path, models={"standards.finding": {"fields": ["facts"]}})
    assert "models.standards.finding.fields.facts: is structured data" in error_of(facts)
    reviewer = write(tmp_path, models={"standards.finding": {"fields": ["reviewed_by"]}})
    assert "user accounts are internal" in error_of(reviewer)


def test_a_model_no_team_holds_cannot_be_exported(tmp_path):
    path = write(tmp_path, models={"registry.personname": {"fields": ["script"]}})
    assert "models.registry.personname: cannot be exported" in error_of(path)


def test_a_field_date_precision_may_only_coarsen_the_profile(tmp_path):
    path = write(tmp_path, models={"registry.person": {"fields": ["born_on"], "dates": {"born_on": "day"}}})
    assert "models.registry.person.dates.born_on: may only coarsen" in error_of(path)


def test_the_name_must_be_the_file_name(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(MINIMAL), encoding="utf-8")
    assert "name: must be 'other'" in error_of(path)


def test_a_file_that_is_not_yaml_is_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("models: [unclosed", encoding="utf-8")
    assert f"{path}: is not valid YAML" in error_of(path)


def test_an_unknown_profile_names_the_profiles_there_are():
    with pytest.raises(ProfileError, match=r"unknown redaction profile 'atlantis'; the profiles are: partner, public"):
        profile_load("atlantis")


def test_the_profiles_are_in_the_package():
    assert (PROFILE_DIR / "public.yaml").is_file()
