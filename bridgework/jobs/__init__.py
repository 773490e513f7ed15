"""Background work that survives a dying process: task leases, the e-mail outbox, the schedule.

Infrastructure shared by every app, like `lib/`, but with tables: the other apps may import
it, and it imports none of them.
"""
