import { expect } from 'chai';
import { lookup } from 'node:dns/promises';
import { rootCertificates } from 'node:tls';
import { inspect } from 'node:util';
import { JoinableQueue, Pool, Process, Queue, redis, RedisTlsError, RedisUnreachableError, type RedisBackend } from '../../../src/index.js';
import { assertChildrenExitSoon, isPidAlive } from '../../helpers.js';
import { disposeAfterEach, useRedis } from '../../redis-fixture.js';
import { doubler } from '../../fixtures/redis-backend-targets.js';

// rediss:// against a real TLS-only redis-server (no plain port), whose certificate is signed by a
// throwaway CA: trusted through `tls: { ca }` in this process and in a child given the queue.
describe('Redis queue over TLS (rediss://)', function () {
  this.timeout(60_000);
  const redisServer = useRedis({ own: true, tls: true });
  // Disposed after each test, before the checks below (hooks run in the order they are declared).
  const track = disposeAfterEach();
  let counter = 0;
  let pid: number | undefined;

  before(function () {
    // useRedis() skipped the file when there is no redis-server; otherwise this file's server is its own.
    pid = redisServer.server?.pid;
  });
  after(() => {
    // useRedis()'s after() ran first: its server is stopped by pid.
    if (pid !== undefined) expect(isPidAlive(pid), 'the TLS redis-server is stopped').to.equal(false);
  });
  afterEach(async () => {
    await assertChildrenExitSoon();
  });

  function ca(): string {
    const pem = redisServer.server?.ca;
    if (!pem) throw new Error('the TLS fixture gave no CA');
    return pem;
  }
  function password(): string {
    const { password } = new URL(redisServer.url);
    expect(password, 'the test server has a password').to.not.equal('');
    return password;
  }
  // With the throwaway CA trusted, unless `tls` says otherwise (null: no TLS options at all).
  function backend(tls: { ca?: string } | null = { ca: ca() }): RedisBackend {
    return redis(redisServer.url, { name: `tls${process.pid}-${++counter}-${Date.now()}`, ...(tls ? { tls } : {}) });
  }
  // Every text an error shows: its message, its stack, its causes, as printed.
  function allText(error: unknown): string {
    return `${String(error)}\n${inspect(error, { depth: 10, showHidden: true })}`;
  }

  it('should give a TLS-only server with a rediss:// URL', () => {
    expect(redisServer.url).to.match(/^rediss:\/\/:[^@]+@127\.0\.0\.1:\d+$/);
    expect(ca()).to.match(/^-----BEGIN CERTIFICATE-----/);
  });

  it('should put, get and join a JoinableQueue over rediss:// with the CA given in tls.ca', async () => {
    const q = track(new JoinableQueue<string>(10, { backend: backend() }));
    await q.put('a');
    await q.put('b');
    expect([await q.get({ timeout: 10_000 }), await q.get({ timeout: 10_000 })]).to.deep.equal(['a', 'b']);
    q.taskDone();
    q.taskDone();
    await q.join({ signal: AbortSignal.timeout(10_000) });
  });

  it('should let a child Process given the queues connect over TLS, trusting the CA its parent sent', async () => {
    const jobs = track(new JoinableQueue<number>(5, { backend: backend() }));
    const out = track(new Queue<number>(0, { backend: backend() }));
    const child = new Process({ target: doubler, args: [jobs, out] });
    child.start();
    for (let i = 0; i < 10; i++) await jobs.put(i);
    await jobs.put(-1);
    await jobs.join({ signal: AbortSignal.timeout(20_000) });
    const got: number[] = [];
    for (let i = 0; i < 10; i++) got.push(await out.get({ timeout: 10_000 }));
    expect(got).to.deep.equal(Array.from({ length: 10 }, (_, i) => i * 2));
    await child.join();
    expect(child.exitCode).to.equal(0);
    expect(isPidAlive(child.pid as number)).to.equal(false);
  });

  it('should let a Pool task in a worker thread connect over TLS, with the CA given as a Buffer', async () => {
    const tls = { ca: Buffer.from(ca()) };
    const jobs = track(new JoinableQueue<number>(0, { backend: redis(redisServer.url, { name: `tls${process.pid}-${++counter}-p`, tls }) }));
    const out = track(new JoinableQueue<number>(0, { backend: redis(redisServer.url, { name: `tls${process.pid}-${++counter}-p`, tls }) }));
    await using pool = new Pool({ processes: 1, context: 'thread' });
    for (let i = 1; i <= 3; i++) await jobs.put(i);
    await jobs.put(-1);
    await pool.apply(doubler, [jobs, out]);
    await jobs.join({ signal: AbortSignal.timeout(10_000) });
    const got: number[] = [];
    for (let i = 0; i < 3; i++) got.push(await out.get({ timeout: 10_000 }));
    expect(got).to.deep.equal([2, 4, 6]);
  });

  it('should reject a server certificate no trusted CA signed with RedisTlsError naming the cause and the fix, at once, without the password', async () => {
    const q = track(new Queue<number>(0, { backend: backend(null) }));
    const started = Date.now();
    const error = await q.put(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started, 'fails fast, no retry loop').to.be.below(5_000);
    expect(error).to.be.instanceOf(RedisTlsError);
    const tlsError = error as RedisTlsError;
    expect(tlsError.code).to.equal('ERR_REDIS_TLS');
    expect(tlsError.redisCode).to.match(/CERT|SIGNED/);
    expect(tlsError.message).to.match(/TLS certificate this process does not accept/);
    expect(tlsError.message).to.match(/tls: \{ ca: .*NODE_EXTRA_CA_CERTS/);
    expect(tlsError.server).to.match(/^rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+$/);
    expect(allText(error)).to.not.include(password());
  });

  it('should reject the certificate the same way when tls.ca names another CA', async () => {
    // A public root CA (Node's bundled list): it did not sign the throwaway certificate.
    const q = track(new Queue<number>(0, { backend: backend({ ca: rootCertificates[0] as string }) }));
    const error = await q.get({ timeout: 10_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RedisTlsError);
    expect(allText(error)).to.not.include(password());
  });

  it('should keep the password out of a refused login over TLS', async () => {
    const wrong = redisServer.url.replace(/:[^:@/]+@/, ':not-the-password-9f@');
    const q = track(new Queue<number>(0, { backend: redis(wrong, { name: `tls${process.pid}-wrong`, tls: { ca: ca() } }) }));
    const error = await q.put(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.have.property('code', 'ERR_REDIS_AUTH');
    expect(allText(error)).to.not.include('not-the-password-9f');
    expect(allText(error)).to.not.include(password());
  });

  it('should answer a redis:// URL to the TLS-only port at once, suggesting rediss://', async () => {
    const plain = redisServer.url.replace(/^rediss:/, 'redis:');
    const q = track(new Queue<number>(0, { backend: redis(plain, { name: `tls${process.pid}-plain` }) }));
    const started = Date.now();
    const error = await q.put(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).to.be.below(5_000);
    expect(error).to.be.instanceOf(RedisUnreachableError);
    expect((error as RedisUnreachableError).message).to.match(/the URL must be rediss:\/\//);
    expect(allText(error)).to.not.include(password());
  });

  it('should name a certificate that does not list the host of the URL, and the fix', async function () {
    const addresses = await lookup('localhost', { all: true });
    if (!addresses.some((a) => a.address === '127.0.0.1')) this.skip();
    const byName = redisServer.url.replace('@127.0.0.1:', '@localhost:');
    const q = track(new Queue<number>(0, { backend: redis(byName, { name: `tls${process.pid}-name`, tls: { ca: ca() } }) }));
    const error = await q.put(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RedisTlsError);
    expect((error as RedisTlsError).redisCode).to.equal('ERR_TLS_CERT_ALTNAME_INVALID');
    expect((error as RedisTlsError).message).to.match(/subjectAltName/);
    expect(allText(error)).to.not.include(password());
  });

  it('should check tls.ca when redis() is called', () => {
    expect(() => redis(redisServer.url, { name: 'jobs', tls: { ca: 42 as unknown as string } })).to.throw(TypeError, /`tls.ca` to be PEM text/);
    expect(() => redis(redisServer.url, { name: 'jobs', tls: 'yes' as unknown as { ca: string } })).to.throw(TypeError, /`tls` to be an object/);
  });
});
