"""The networks Relais posts to, one module each; importing this package registers them all.

``registry`` maps a name (``"mastodon"``, ``"bluesky"``, ``"linkedin"``, ``"facebook"``, ``"x"``,
``"instagram"``) to its :class:`~syndication.registry.Network` class. YouTube has no module: its
API cannot create posts (see :mod:`syndication.registry`).
"""

from syndication.networks import bluesky, facebook, instagram, linkedin, mastodon, x
from syndication.registry import Network, registry

__all__ = ["Network", "bluesky", "facebook", "instagram", "linkedin", "mastodon", "registry", "x"]
