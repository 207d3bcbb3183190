"""The API's systems and published results (tests/api/conftest.py), for the attacks."""

from tests.api.conftest import approved, other_token, portal_token, published  # noqa: F401
