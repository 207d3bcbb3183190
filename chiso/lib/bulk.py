"""Inserting thousands of rows at once, for the few places that write a whole level.

Django's bulk_create prepares every field of every row through the ORM, which for
3,321 units of a published level costs more than scoring them. `insert` writes
plain values with one `executemany`: the caller gives the database values (what
`Field.get_db_prep_save` would give: ids, numbers, text, JSON text, aware datetimes
prepared once). Nothing here bypasses a database rule: constraints and triggers
(the audit trail's append-only trigger) still apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def insert(model: Any, fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """INSERT rows of `fields` (model field names) into the model's table."""
    meta = model._meta
    columns = [meta.get_field(name).column for name in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names come from the model
        quote(meta.db_table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def prepared(model: Any, field: str, value: Any) -> Any:
    """One value as the database takes it (a datetime, JSON), to pass to `insert`."""
    return model._meta.get_field(field).get_db_prep_save(value, connection)
