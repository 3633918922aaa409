"""Relais syndication: cross-post an excerpt and a link of each item to social networks, once.

Framework-free (no Django import anywhere in this package). The pieces, in the order a
delivery uses them:

* :mod:`syndication.networks` — the registry of networks, one module each, declaring limits and
  capabilities (``registry["bluesky"]``);
* :mod:`syndication.compose` — the excerpt composer (``Composer().compose(item, network)``);
* :mod:`syndication.http` and the network modules — the posting clients
  (``publish``, ``find_existing``, ``verify_credentials``);
* :mod:`syndication.policy` — the retry policy; :mod:`syndication.errors` — what can go wrong;
* :mod:`syndication.ledger` — the ledger interface, :mod:`syndication.sqlite` — a SQLite ledger;
* :mod:`syndication.delivery` — the engine that posts exactly once;
* :mod:`syndication.testing` — local fake servers and the Bluesky PDS runner, for tests.
"""
