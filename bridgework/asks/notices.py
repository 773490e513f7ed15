"""The kinds of notification the asks app sends (declared with the notifications app)."""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy

from bridgework.notifications.kinds import Kind

# Asks are written in community groups' spaces, so a line about one in an e-mail would say
# that the reader is in a group.
APPROVAL = Kind(
    "ask_approval",
    cast(str, gettext_lazy("Wording of an ask to approve, or its outcome")),
    tells_of_a_group=True,
)
