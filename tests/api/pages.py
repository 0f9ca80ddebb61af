"""The page of one's API tokens and the API's URLs in the access matrix of the pages
(tests/accounts/test_authorisation_matrix.py): a browser's session is no token, so every endpoint answers 401 to
it; the schema and its documentation are for anyone. The matrix of the API itself, with tokens, is
tests/api/test_api_access.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from habeas.api.resources import resources
from tests.conftest import PERSONAS
from tests.pages import MEMBER_PAGE

OPEN = dict.fromkeys(PERSONAS, 200)
TOKEN_ONLY = dict.fromkeys(PERSONAS, 401)

PAGES: dict[str, dict[str, int]] = {
    "api:openapi-json": OPEN,
    "api:openapi-view": OPEN,
    "api:api-root": dict.fromkeys(PERSONAS, 404),  # /api/ itself is no endpoint
    "api_tokens": MEMBER_PAGE,  # one's own tokens
}
URL_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {}
for _resource in resources():
    _name = _resource.name.replace("-", "_")
    PAGES[f"api:{_name}_list"] = TOKEN_ONLY
    PAGES[f"api:{_name}_read"] = TOKEN_ONLY
    URL_ARGUMENTS[f"api:{_name}_read"] = lambda: {"pk": 1}
    if _resource.action is not None:  # a decision, taken by POST with a token: the matrix's GET is not allowed
        PAGES[f"api:{_name}_{_resource.action.name}"] = dict.fromkeys(PERSONAS, 405)
        URL_ARGUMENTS[f"api:{_name}_{_resource.action.name}"] = lambda: {"pk": 1}
