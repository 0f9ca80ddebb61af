"""The workplace is complete without the admin: no page that a member who is not an administrator of the instance
opens links into ``/admin/`` (each page of the URL resolver, as the access matrix walks them)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.accounts.test_authorisation_matrix import URL_ARGUMENTS, own_pages

pytestmark = pytest.mark.django_db

ADMIN_LINK = re.compile(r"""href=["'](?:https?://[^/"']+)?(/admin/[^"']*)["']""")


@pytest.mark.parametrize("persona", ["owner", "member", "lawyer", "readonly"])
def test_no_workplace_page_links_into_the_admin(client, world, persona):
    client.force_login(world[persona])
    found = {}
    opened = 0
    for name in own_pages():
        url = reverse(name, kwargs=URL_ARGUMENTS[name]() if name in URL_ARGUMENTS else None)
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        opened += 1
        links = ADMIN_LINK.findall(response.content.decode())
        if links:
            found[name] = sorted(set(links))
    assert opened > 15  # the walk opened the workplace's pages
    assert found == {}
