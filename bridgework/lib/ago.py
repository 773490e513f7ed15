"""How long ago something happened, in the largest whole unit: "just now", "5 minutes ago",
"3 hours ago", "2 days ago", "4 months ago", "1 year ago".

Django's `naturaltime` says the same with more detail ("2 days, 3 hours ago"), but costs some
forty microseconds a call on the machines the page benchmark runs on: a space's twenty
thread rows spent more time in it than in their queries (bench/PAGES.md, twenty-second
round). One plural sentence a call is all a list needs."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext, ngettext

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
MONTH = 30 * DAY
YEAR = 365 * DAY


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    """`moment` relative to `now`; a moment in the future (a clock running ahead) is now."""
    seconds = ((now or timezone.now()) - moment).total_seconds()
    if seconds < MINUTE:
        return gettext("just now")
    if seconds < HOUR:
        n = int(seconds // MINUTE)
        return ngettext("%(counter)s minute ago", "%(counter)s minutes ago", n) % {"counter": n}
    if seconds < DAY:
        n = int(seconds // HOUR)
        return ngettext("%(counter)s hour ago", "%(counter)s hours ago", n) % {"counter": n}
    if seconds < MONTH:
        n = int(seconds // DAY)
        return ngettext("%(counter)s day ago", "%(counter)s days ago", n) % {"counter": n}
    if seconds < YEAR:
        n = int(seconds // MONTH)
        return ngettext("%(counter)s month ago", "%(counter)s months ago", n) % {"counter": n}
    n = int(seconds // YEAR)
    return ngettext("%(counter)s year ago", "%(counter)s years ago", n) % {"counter": n}
