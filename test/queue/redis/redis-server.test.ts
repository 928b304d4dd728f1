import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { isPidAlive, waitFor } from '../../helpers.js';
import { useRedis } from '../../redis-fixture.js';

// Sends raw RESP commands and resolves with what the server answered before `ms` of quiet.
function exchange(port: number, text: string, ms = 300): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    let quiet: NodeJS.Timeout | undefined;
    const finish = () => {
      socket.destroy();
      resolve(reply);
    };
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      clearTimeout(quiet);
      quiet = setTimeout(finish, ms);
    });
    socket.once('connect', () => {
      socket.write(text);
      quiet = setTimeout(finish, ms);
    });
  });
}

describe('the throwaway redis-server (scripts/redis-server.ts)', () => {
  const redis = useRedis({ own: true });

  it('should refuse every command until the client authenticates', async () => {
    const port = redis.server!.port;
    const anonymous = await exchange(port, 'PING\r\nKEYS *\r\n');
    expect(anonymous).to.match(/^-NOAUTH/);
    expect(anonymous).not.to.include('PONG');
    const authed = await exchange(port, `AUTH ${redis.server!.password}\r\nPING\r\n`);
    expect(authed).to.equal('+OK\r\n+PONG\r\n');
  });

  it('should keep its password off the command line other users can read', () => {
    const { pid, password } = redis.server!;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    expect(cmdline).to.include('redis-server');
    expect(cmdline).not.to.include(password);
  });

  it('should listen on 127.0.0.1 only, without persistence', async () => {
    const { port, password } = redis.server!;
    const reply = await exchange(port, `AUTH ${password}\r\nCONFIG GET bind\r\nCONFIG GET save\r\nCONFIG GET appendonly\r\n`);
    expect(reply).to.match(/bind\r\n\$9\r\n127\.0\.0\.1\r\n/);
    expect(reply).to.match(/save\r\n\$0\r\n\r\n/);
    expect(reply).to.match(/appendonly\r\n\$2\r\nno\r\n/);
  });

  it('should stop the server by its pid, and stopping twice is harmless', async function () {
    // A second server, so stopping it leaves the file's own for the other tests.
    const { startRedisServer } = await import('../../../scripts/redis-server.js');
    const server = await startRedisServer();
    expect(isPidAlive(server.pid)).to.equal(true);
    await server.stop();
    await server.stop();
    expect(await waitFor(() => !isPidAlive(server.pid), 2000)).to.equal(true);
  });
});
