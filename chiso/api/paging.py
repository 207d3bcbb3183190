"""Pages of a list: `count`, the `next` and `previous` links, and the `items`.

`Pages` is ninja's pagination (`@paginate(Pages)` on an endpoint answering a
`list[...]`): clients follow `next` until it is null. The links carry the validated
parameters only (the filters and the page), written one way: a parameter the endpoint
does not know is ignored and not carried on, so `?junk=1` gives the very same answer as
no query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any
from urllib.parse import urlencode

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

# Ids and versions fit a 64-bit database integer; a larger one is a 422, not a crash.
Id = Annotated[int, Field(ge=1, le=2**53)]
# A unit's code in a path: letters, digits, dot, underscore, hyphen; anything else is 422.
UnitCode = Annotated[str, Field(max_length=40, pattern=r"^[A-Za-z0-9._-]+$")]
MAX_PAGE_SIZE = 5000


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")


@dataclass
class Rendered:
    """What a paginated endpoint returns when its items are not yet the answer's: the
    items (a queryset or a list) and how one of them is written; only the page is."""

    items: Any
    render: Callable[[Any], Any]


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


def _filters(request: HttpRequest, params: Mapping[str, Any]) -> dict[str, Any]:
    """The endpoint's validated query filters among its arguments (a schema of filters
    spread out; the path's parameters left out: they are in the path already)."""
    in_path = request.resolver_match.kwargs if request.resolver_match else {}
    found: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Schema):
            found.update(value.model_dump())
        elif name not in in_path:
            found[name] = value
    return found


class Pages(PaginationBase):
    """`page` and `page_size`, answered as `count`, `next`, `previous` and `items`."""

    Input = PageQuery  # type: ignore[assignment]

    class Output(Schema):
        count: int
        next: str | None
        previous: str | None
        items: list[Any]

    def paginate_queryset(  # type: ignore[override]
        self, queryset: Any, pagination: PageQuery, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        """One page of `queryset` (a queryset, a list or `Rendered`); the links keep the
        endpoint's validated filters (`params`: its arguments) and `pagination`."""
        render = None
        if isinstance(queryset, Rendered):
            queryset, render = queryset.items, queryset.render
        count = self._items_count(queryset)
        start = (pagination.page - 1) * pagination.page_size
        chunk = list(queryset[start : start + pagination.page_size])
        more = start + pagination.page_size < count
        asked = {**_filters(request, params), **pagination.model_dump()}
        return {
            "count": count,
            "next": link(request, asked, pagination.page + 1) if more else None,
            "previous": link(request, asked, pagination.page - 1) if pagination.page > 1 else None,
            "items": [render(item) for item in chunk] if render else chunk,
        }


PAGES = Pages()
