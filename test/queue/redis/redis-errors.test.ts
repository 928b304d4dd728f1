import { expect } from 'chai';
import { QueueClosedError } from '../../../src/errors/queue-closed-error.js';
import { RedisAuthError } from '../../../src/queue/redis/errors/redis-auth-error.js';
import { RedisConnectionLostError } from '../../../src/queue/redis/errors/redis-connection-lost-error.js';
import { RedisOutOfMemoryError } from '../../../src/queue/redis/errors/redis-out-of-memory-error.js';
import { RedisPermissionError } from '../../../src/queue/redis/errors/redis-permission-error.js';
import { RedisUnreachableError } from '../../../src/queue/redis/errors/redis-unreachable-error.js';
import { connectRedis, type RedisLink } from '../../../src/queue/redis/redis-link.js';
import { openRedisQueue } from '../../../src/queue/redis/redis-queue.js';
import { parseRedisUrl } from '../../../src/queue/redis/redis-url.js';
import { freePort, startRedisServer } from '../../../scripts/redis-server.js';
import { rejection } from '../../helpers.js';
import { useRedis } from '../../redis-fixture.js';

// Every message and cause message of an error, for "the password appears nowhere" checks.
function allText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) parts.push(String(e.message), String(e));
  return parts.join('\n');
}

// The ACL rules a queue's user needs (the design brief's recipe, as this test found it must be).
const ACL_RECIPE = ['~rxmp:*', 'resetchannels', '-@all', '+@stream', '+@hash', '+@string', '+@sortedset', '+@scripting', '+@connection', '+info', '+unlink', '+pexpire', '+exists', '+type', '+time', '+pttl'];

describe('Redis failures as typed errors, passwords redacted (src/queue/redis)', function () {
  this.timeout(20_000);
  // Its own server: these tests change its users and memory limit.
  const redis = useRedis({ own: true });
  let admin: RedisLink;
  const port = () => redis.server!.port;

  before(async () => {
    admin = await connectRedis(parseRedisUrl(redis.url), { reconnectTimeout: 1000 });
  });
  after(() => admin?.close());

  it('should name an unreachable server and the fix, without the password', async () => {
    const url = `redis://app:s3cret-pw@127.0.0.1:${await freePort()}`;
    const error = await rejection(openRedisQueue({ url, name: 'x' }));
    expect(error).to.be.instanceOf(RedisUnreachableError).with.property('redisCode', 'ECONNREFUSED');
    expect(error.message).to.match(/unreachable .*ECONNREFUSED.*Start redis-server/);
    expect(error.message).to.include('redis://app:***@127.0.0.1');
    expect(allText(error)).not.to.include('s3cret-pw');
  });

  it('should name refused credentials, without the password', async () => {
    const wrong = await rejection(openRedisQueue({ url: `redis://:not-the-pw-42@127.0.0.1:${port()}`, name: 'x' }));
    expect(wrong).to.be.instanceOf(RedisAuthError).with.property('redisCode', 'WRONGPASS');
    expect(wrong.message).to.match(/refused the user or password/);
    expect(allText(wrong)).not.to.include('not-the-pw-42');
    const none = await rejection(openRedisQueue({ url: `redis://127.0.0.1:${port()}`, name: 'x' }));
    expect(none).to.be.instanceOf(RedisAuthError).with.property('redisCode', 'NOAUTH');
    expect(none.message).to.match(/requires a password/);
  });

  it('should name the missing ACL rule (NOPERM), without the password', async () => {
    await admin.call(['ACL', 'SETUSER', 'cramped', 'reset', 'on', '>cramped-pw-7', '~other:*', '+@all']);
    const error = await rejection(openRedisQueue({ url: `redis://cramped:cramped-pw-7@127.0.0.1:${port()}`, name: 'x' }));
    expect(error).to.be.instanceOf(RedisPermissionError).with.property('redisCode', 'NOPERM');
    expect(error.message).to.match(/needs the keys `~rxmp:\*`/);
    expect(allText(error)).not.to.include('cramped-pw-7');
  });

  it('should run a whole queue lifecycle as a user limited by the ACL recipe to ~rxmp:*', async () => {
    const url = `redis://rxmp:rxmp-pw-9@127.0.0.1:${port()}`;
    // One rule short: the script that needs it fails with the typed error, naming the recipe.
    await admin.call(['ACL', 'SETUSER', 'rxmp', 'reset', 'on', '>rxmp-pw-9', ...ACL_RECIPE.filter((rule) => rule !== '+time')]);
    const refused = await rejection(openRedisQueue({ url, name: 'acl' }));
    expect(refused).to.be.instanceOf(RedisPermissionError);
    expect(refused.message).to.match(/can't run this command.*\+time \+pttl/);
    await admin.call(['ACL', 'SETUSER', 'rxmp', 'reset', 'on', '>rxmp-pw-9', ...ACL_RECIPE]);
    const producer = await openRedisQueue<number>({ url, name: 'acl', maxsize: 2 });
    const consumer = await openRedisQueue<number>({ url, name: 'acl' });
    const put = producer.putMany([1, 2, 3]);
    const got = [await consumer.get(2000)];
    consumer.taskDone();
    await put;
    got.push(...(await consumer.getMany(Infinity, 2000)));
    if (got.length < 3) got.push(...(await consumer.getMany(Infinity, 2000)));
    consumer.taskDone(got.length - 1);
    await producer.join();
    expect(got).to.deep.equal([1, 2, 3]);
    expect(await consumer.reclaimFrom('nobody')).to.equal(0);
    await consumer.close();
    await producer.destroy();
    // The recipe holds inside scripts too: a key outside rxmp:* is refused.
    const limited = await connectRedis(parseRedisUrl(url), { reconnectTimeout: 1000 });
    try {
      const error = await rejection(limited.call(['EVAL', "return redis.call('SET', KEYS[1], '1')", '1', 'other:key']));
      expect(error).to.be.instanceOf(RedisPermissionError);
    } finally {
      limited.close();
    }
  });

  it('should name an out-of-memory Redis (OOM) and suggest a smaller maxsize', async () => {
    const q = await openRedisQueue<string>({ url: redis.url, name: `oom-${process.pid}` });
    await admin.call(['CONFIG', 'SET', 'maxmemory', '1', 'maxmemory-policy', 'noeviction']);
    try {
      const error = await rejection(q.putMany(['x'.repeat(1 << 20)]));
      expect(error).to.be.instanceOf(RedisOutOfMemoryError).with.property('redisCode', 'OOM');
      expect(error.message).to.match(/smaller maxsize/);
      expect(allText(error)).not.to.include(redis.server!.password);
    } finally {
      await admin.call(['CONFIG', 'SET', 'maxmemory', '0']);
      await q.destroy();
    }
  });

  it('should keep acknowledgements Redis refused while out of memory, and send them once it recovers', async () => {
    const q = await openRedisQueue<number>({ url: redis.url, name: `oom-ack-${process.pid}` });
    try {
      await q.putMany([1, 2]);
      await q.getMany();
      await admin.call(['CONFIG', 'SET', 'maxmemory', '1', 'maxmemory-policy', 'noeviction']);
      // Part of an entry done: its mark is written (HSET), which Redis refuses while out of memory.
      // (Acknowledging a whole entry frees memory, and Redis lets such a script through.)
      q.taskDone(1);
      expect(await rejection(q.flush())).to.be.instanceOf(RedisOutOfMemoryError);
      await admin.call(['CONFIG', 'SET', 'maxmemory', '0']);
      expect(await q.unfinished()).to.equal(2);
      await q.flush();
      expect(await q.unfinished()).to.equal(1);
      q.taskDone(1);
      await q.join();
      expect(await q.unfinished()).to.equal(0);
    } finally {
      await admin.call(['CONFIG', 'SET', 'maxmemory', '0']);
      await q.destroy();
    }
  });

  it('should reject a pending get with QueueClosedError once the connection stays lost past reconnectTimeout', async () => {
    const server = await startRedisServer();
    try {
      const q = await openRedisQueue<number>({ url: server.url, name: 'lost', reconnectTimeout: 300 });
      const pending = q.get();
      // The blocking read is on its way before the server goes.
      await new Promise((r) => setTimeout(r, 100));
      const stoppedAt = Date.now();
      await server.stop();
      const error = await rejection(pending);
      expect(error).to.be.instanceOf(QueueClosedError);
      expect(error.cause).to.be.instanceOf(RedisConnectionLostError);
      expect(error.message).to.match(/not re-established within 300 ms/);
      expect(allText(error)).not.to.include(server.password);
      expect(Date.now() - stoppedAt).to.be.below(5000);
      expect(await rejection(q.put(1))).to.be.instanceOf(QueueClosedError);
      await q.close();
    } finally {
      await server.stop();
    }
  });

  it('should ride out a restart of redis-server shorter than reconnectTimeout: a pending get gets the next item', async () => {
    let server = await startRedisServer();
    try {
      const q = await openRedisQueue<string>({ url: server.url, name: 'restart', reconnectTimeout: 10_000 });
      const pending = q.get(15_000);
      await new Promise((r) => setTimeout(r, 100));
      const { port: samePort, password } = server;
      await server.stop();
      // Without persistence the restarted server is empty: the queue's group is made again on NOGROUP.
      server = await startRedisServer({ port: samePort, password });
      const producer = await openRedisQueue<string>({ url: server.url, name: 'restart' });
      await producer.put('after the restart');
      expect(await pending).to.equal('after the restart');
      q.taskDone();
      await producer.join();
      await q.close();
      await producer.destroy();
    } finally {
      await server.stop();
    }
  });

  it('should neither spin on Redis nor hang when the connection for events cannot be opened', async () => {
    const q = await openRedisQueue<number>({ url: redis.url, name: `events-${process.pid}` });
    await q.putMany([1]);
    await q.get();
    const clients = Number(/connected_clients:(\d+)/.exec(String(await admin.call(['INFO', 'clients'])))?.[1]);
    // No further connection is accepted: join's blocking read for events has none.
    await admin.call(['CONFIG', 'SET', 'maxclients', String(clients)]);
    let joined = false;
    const calls = async () => Number(/cmdstat_evalsha:calls=(\d+)/.exec(String(await admin.call(['INFO', 'commandstats'])))?.[1] ?? 0);
    try {
      const before = await calls();
      const join = q.join().then(() => (joined = true));
      await new Promise((r) => setTimeout(r, 1000));
      // A JOIN check every pause (200 ms), not thousands a second.
      expect((await calls()) - before).to.be.below(20);
      expect(joined).to.equal(false);
      await admin.call(['CONFIG', 'SET', 'maxclients', '10000']);
      q.taskDone();
      await join;
    } finally {
      await admin.call(['CONFIG', 'SET', 'maxclients', '10000']);
      await q.destroy();
    }
  });

  it('should refuse a malformed URL without quoting its password', () => {
    expect(() => parseRedisUrl('http://u:hunter2@h')).to.throw(TypeError, /redis:\/\/ or rediss:\/\//).with.property('message').that.not.includes('hunter2');
    expect(() => parseRedisUrl('redis//u:hunter2@h')).to.throw(TypeError).with.property('message').that.not.includes('hunter2');
  });
});
