"""Pages of a list: `count`, the `next` and `previous` links, and the `items`.

Clients follow `next` until it is null. The links carry the validated parameters only
(the filters and the page), written one way: a parameter the endpoint does not know is
ignored and not carried on, so `?junk=1` gives the very same answer as no query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest
from ninja import Field, Schema

T = TypeVar("T")
# Ids and versions fit a 64-bit database integer; a larger one is a 422, not a crash.
Id = Annotated[int, Field(ge=1, le=2**53)]
# A unit's code in a path: letters, digits, dot, underscore, hyphen; anything else is 422.
UnitCode = Annotated[str, Field(max_length=40, pattern=r"^[A-Za-z0-9._-]+$")]
MAX_PAGE_SIZE = 5000


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")


class Page(Schema, Generic[T]):
    count: int
    next: str | None
    previous: str | None
    items: list[T]


def query_text(params: Mapping[str, Any]) -> str:
    """The validated `params` as a query string, always written the same way (None left
    out): what links, cache keys and ETags are built from, never the request's own text."""
    pairs = [
        (name, str(value.value if isinstance(value, Enum) else value))
        for name, value in params.items()
        if value is not None
    ]
    return urlencode(pairs)


def link(request: HttpRequest, params: Mapping[str, Any], page: int) -> str:
    others = {name: value for name, value in params.items() if name != "page"}
    return request.build_absolute_uri(request.path + "?" + query_text({**others, "page": page}))


def paginate(
    request: HttpRequest,
    items: Any,
    query: PageQuery,
    render: Callable[[Sequence[Any]], list[Any]] | None = None,
    filters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One page of `items` (a queryset or a list); `render` turns that page into items.

    The links keep `filters` (the endpoint's validated filters) and `query`."""
    count = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    start = (query.page - 1) * query.page_size
    chunk = list(items[start : start + query.page_size])
    more = start + query.page_size < count
    params = {**(filters or {}), **query.model_dump()}
    return {
        "count": count,
        "next": link(request, params, query.page + 1) if more else None,
        "previous": link(request, params, query.page - 1) if query.page > 1 else None,
        "items": render(chunk) if render else chunk,
    }
