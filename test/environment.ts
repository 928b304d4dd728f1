// Loaded first by mocha (.mocharc.json `require`): in its main process, before it forks its workers,
// and again in each worker.
//
// NODE_EXTRA_CA_CERTS makes every Node process read and parse a CA bundle as it starts: 60-70 ms of
// CPU a process on the 2-core machine the suite is timed on (node -e 0: 90 ms with it, 20 ms
// without), and the suite starts well over a thousand children. The library opens no TLS connection,
// so the test processes and the children they start go without it; the commands that may reach a
// registry (npm) or measure start-up with it (the bench) get it back through withExtraCaCerts().
const SAVED = 'RXMP_TEST_NODE_EXTRA_CA_CERTS';

if (process.env['NODE_EXTRA_CA_CERTS'] !== undefined) {
  process.env[SAVED] = process.env['NODE_EXTRA_CA_CERTS'];
  delete process.env['NODE_EXTRA_CA_CERTS'];
}

/** `env` with the NODE_EXTRA_CA_CERTS the suite was started with, if it had one. */
export function withExtraCaCerts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const caCerts = env['NODE_EXTRA_CA_CERTS'] ?? env[SAVED];
  return caCerts === undefined ? env : { ...env, NODE_EXTRA_CA_CERTS: caCerts };
}
