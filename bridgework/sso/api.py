"""What other apps use of sso: whether someone signs in through their organisation's
identity provider (provisioning keeps the address of anyone a password reset could reach).
They import this module, or `sso.sealing`, and nothing else from here.
"""

from __future__ import annotations

from .backends import signs_in_through_the_provider

__all__ = ["signs_in_through_the_provider"]
