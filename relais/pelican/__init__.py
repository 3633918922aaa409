"""Pelican plugins of Relais: the reader of content files, taxonomies, images, calendars, feeds.

Each module is a Pelican plugin with its own ``register()``, listed in ``site/pelicanconf.py``.
"""
