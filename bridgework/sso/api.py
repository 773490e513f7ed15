"""What other apps use of sso: whether someone signs in through their organisation's
identity provider, and whether an account holds something of its owner's (provisioning
keeps the address of anyone a password reset could reach, or whose account a reset would
hand over with something in it). They import this module, or `sso.sealing`, and nothing
else from here.
"""

from __future__ import annotations

from .backends import signs_in_through_the_provider
from .services import holds_something

__all__ = ["holds_something", "signs_in_through_the_provider"]
