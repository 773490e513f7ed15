"""What a web process does once, before its first request."""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def settle() -> None:
    """Load what every process keeps for its whole life, then take it out of the garbage
    collector's sight.

    Python's collector now and then walks every object a process holds. A web process holds
    a few hundred thousand (Django, every view module, the translations) and the walk took
    130-150 ms: one request in a few hundred stalled that long, and the seven waiting behind
    it with it (bench/PAGES.md, seventh round). Frozen objects are never walked, so the walk
    covers what requests leave behind (a few ms). Loading the views and the translations
    here, rather than on the first request that needs them, gets them frozen too.
    """
    get_resolver().check()  # imports every view module, as the first request would
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Home")
    gc.collect()
    gc.freeze()
