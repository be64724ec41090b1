"""The migration tests reuse the API fixtures (make_client, client) of tests/api."""

from tests.api.conftest import client, make_client

__all__ = ["client", "make_client"]
