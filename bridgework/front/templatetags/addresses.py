"""`{{ row.pk|address:"url_name" }}`: the address of one row of a long list, without
resolving the URL pattern again for every row (`bridgework/lib/addresses.py`).
`{% address_in "url_name" cohort.pk row.pk %}` does the same where arguments the rows share
come before the row's id."""

from __future__ import annotations

from django import template

from bridgework.lib.addresses import row_address

register = template.Library()

address = register.filter("address", row_address)


@register.simple_tag
def address_in(name: str, *ids: int) -> str:
    *leading, row_id = ids
    return row_address(row_id, name, *leading)
