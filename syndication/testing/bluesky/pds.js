// Launch script of the Bluesky peer of the test suite, run by syndication/testing/peers.py.
// Same as bluesky-social/pds service/index.js: config purely from PDS_* env vars
const { PDS, envToCfg, envToSecrets, readEnv } = require('@atproto/pds');
const pkg = require('@atproto/pds/package.json');
(async () => {
  const env = readEnv(); env.version ||= pkg.version;
  const pds = await PDS.create(envToCfg(env), envToSecrets(env));
  await pds.start();
  console.log('pds started', pkg.version);
  process.on('SIGTERM', async () => { await pds.destroy(); process.exit(0); });
})();
