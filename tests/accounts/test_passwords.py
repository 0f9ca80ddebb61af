from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings


def test_production_hashes_passwords_with_argon2():
    from habeas.config import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        assert make_password("a-long-enough-passphrase").startswith("argon2$")


@pytest.mark.django_db
def test_short_and_common_passwords_are_refused():
    user = get_user_model()(username="researcher")
    for weak in ("short1", "password1234"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("correct horse battery staple", user)
