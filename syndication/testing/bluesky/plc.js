// Launch script of the Bluesky peer of the test suite, run by syndication/testing/peers.py.
// In-memory did:plc directory (same as @atproto/dev-env TestPlc), on 127.0.0.1:$PLC_PORT
const plc = require('@did-plc/server');
(async () => {
  const server = plc.PlcServer.create({ db: plc.Database.mock(), port: Number(process.env.PLC_PORT || 2582) });
  const l = await server.start();
  console.log('plc listening', JSON.stringify(l.address()));
  process.on('SIGTERM', async () => { await server.destroy(); process.exit(0); });
})();
