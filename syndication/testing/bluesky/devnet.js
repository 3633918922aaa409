// Launch script of the Bluesky peer of the test suite, run by syndication/testing/peers.py.
// Full @atproto/dev-env TestNetwork (PLC + PDS + Bsky AppView + Ozone), without mock seed data.
const { TestNetwork } = require('@atproto/dev-env');
(async () => {
  const t0 = Date.now();
  const network = await TestNetwork.create({
    pds: { port: 2583, hostname: 'localhost', enableDidDocWithSession: true },
    bsky: { dbPostgresSchema: 'bsky', port: 2584, publicUrl: 'http://localhost:2584' },
    plc: { port: 2582 },
    ozone: { port: 2587, chatUrl: 'http://localhost:2590', chatDid: 'did:example:chat', dbMaterializedViewRefreshIntervalMs: 30000 },
    dbPostgresSchema: 'devnet',
  });
  console.log('network up in', Date.now() - t0, 'ms; pds', network.pds.url, 'bsky', network.bsky.url, 'appview did', network.bsky.serverDid);
  process.on('SIGTERM', async () => { await network.close(); process.exit(0); });
})().catch((e) => { console.error('FAILED', e); process.exit(1); });
