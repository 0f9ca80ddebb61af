"""Settings for the test suite: the production settings with a test secret and a throw-away data folder."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("HABEAS_SECRET_KEY", "test-secret-key-for-the-habeas-test-suite-only")
os.environ.setdefault("HABEAS_DATA_DIR", tempfile.mkdtemp(prefix="habeas-test-"))
os.environ["HABEAS_SECURE_COOKIES"] = "0"

from habeas.config.settings import *  # noqa: F403
from habeas.core.crypto import keys_init

if not HABEAS_KEY_FILE.exists():  # noqa: F405
    keys_init(HABEAS_KEY_FILE)  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# Every test sees the records as they are now: no cached dashboard counts. tests/reports/test_dashboard.py turns
# a real cache on to test it.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
