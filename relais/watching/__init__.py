"""Watching other sites: the engine under the press review, framework-free.

Sources are RSS/Atom feeds and pages without a feed. Everything here is data in, data out;
the Django side stores the states and the entries and shows them.

- :mod:`.outbound <relais.outbound>` (one level up): where a server may connect (https,
  public addresses after resolution, unless a :class:`~relais.outbound.Policy` allows more);
- :mod:`.fetch`: the one fetcher of feeds and pages (conditional GET, timeouts and a total
  deadline, size and decompression limits, redirects re-checked, politeness per host through
  :mod:`.politeness`, the deadline through :mod:`.deadline`);
- :mod:`.feeds`: hostile XML refused, feeds read with feedparser, dates and links normalised;
- :mod:`.links` and :mod:`.entries`: links written one way, :class:`~.entries.Entry`, the
  same story recognised across sources;
- :mod:`.pages`: a page's main text (trafilatura), its change as a text diff, a listing's new
  links;
- :mod:`.discovery`: a site's address → its feed, or the page to watch;
- :mod:`.cycle`: :func:`~.cycle.check_sources`, one check cycle over many sources, with
  backoff;
- :mod:`.errors`: every refusal, with a reason in plain French;
- :mod:`.testing`: a loopback web site for the tests and the benchmark (never imported by
  product code).

Typical use::

    config = WatchConfig(policy=Policy.parse(os.environ.get("RELAIS_WATCH_ALLOW_PRIVATE")))
    results = check_sources(sources, states, config=config)
    for result in results:
        store(result.source_id, result.state, result.entries, result.change, result.reason)
"""
