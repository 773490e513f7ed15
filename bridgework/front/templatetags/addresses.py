"""`{{ row.pk|address:"url_name" }}`: the address of one row of a long list, without
resolving the URL pattern again for every row (`bridgework/lib/addresses.py`)."""

from __future__ import annotations

from django import template

from bridgework.lib.addresses import row_address

register = template.Library()

address = register.filter("address", row_address)
