"""Pages of a list: `count`, the `next` and `previous` links, and the `items`.

Clients follow `next` until it is null; the links keep every other query parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from django.http import HttpRequest
from ninja import Field, Schema

T = TypeVar("T")
# Ids and versions fit a 64-bit database integer; a larger one is a 422, not a crash.
Id = Annotated[int, Field(ge=1, le=2**53)]
MAX_PAGE_SIZE = 5000


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")


class Page(Schema, Generic[T]):
    count: int
    next: str | None
    previous: str | None
    items: list[T]


def link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(request.path + "?" + query.urlencode())


def paginate(
    request: HttpRequest,
    items: Any,
    query: PageQuery,
    render: Callable[[Sequence[Any]], list[Any]] | None = None,
) -> dict[str, Any]:
    """One page of `items` (a queryset or a list); `render` turns that page into items."""
    count = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    start = (query.page - 1) * query.page_size
    chunk = list(items[start : start + query.page_size])
    more = start + query.page_size < count
    return {
        "count": count,
        "next": link(request, query.page + 1) if more else None,
        "previous": link(request, query.page - 1) if query.page > 1 else None,
        "items": render(chunk) if render else chunk,
    }
