// A/B of the two Node Redis clients on the operations the queue engine's hot path issues: pipelined
// XADD of batch entries (100 items per entry, v8-serialised), XREADGROUP + XACK of them, many small
// commands pipelined, and the round trip of one command. Alternates the clients, `rounds` times each.
//
//   npm install ioredis @redis/client   (in a scratch dir holding this file)
//   tsx PATH/TO/scripts/redis-server.ts -- node client-ab.mjs [rounds]
// Reports medians of wall-clock rates and of this process's CPU per item / per command: on a shared
// machine the CPU figures are the robust ones.
import { Redis } from 'ioredis';
import { createClient, RESP_TYPES } from '@redis/client';
import { serialize, deserialize } from 'node:v8';

const url = process.env.RXMP_TEST_REDIS_URL;
const rounds = Number(process.argv[2] ?? 5);
const ENTRIES = 2000; // x 100 items
const DEPTH = 10;

function payloads(size) {
  const pad = 'x'.repeat(1016);
  const out = [];
  for (let e = 0; e < ENTRIES; e++) {
    const items = [];
    for (let i = 0; i < 100; i++) items.push(size === '1k' ? pad + String(e * 100 + i).padStart(8, '0') : `item${e * 100 + i}`);
    out.push(items);
  }
  return out;
}

const clients = {
  async ioredis() {
    const r = new Redis(url, { lazyConnect: true });
    await r.connect();
    return {
      send: (args) => r.callBuffer(args[0], ...args.slice(1)),
      pipeline: (cmds) => {
        const p = r.pipeline();
        for (const c of cmds) p.callBuffer(c[0], ...c.slice(1));
        return p.exec().then((res) => res.map(([err, v]) => { if (err) throw err; return v; }));
      },
      close: () => r.quit(),
    };
  },
  async node_redis() {
    const base = createClient({ url });
    await base.connect();
    const c = base.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    return {
      send: (args) => c.sendCommand(args),
      // node-redis pipelines every command issued in the same tick.
      pipeline: (cmds) => Promise.all(cmds.map((a) => c.sendCommand(a))),
      close: () => base.quit(),
    };
  },
};

async function round(name, size, data) {
  const c = await clients[name]();
  const stream = `ab:${name}:${size}:${Date.now()}`;
  await c.send(['XGROUP', 'CREATE', stream, 'g', '$', 'MKSTREAM']);
  const cpu0 = process.cpuUsage();
  // put: serialise + XADD, DEPTH entries a pipeline
  const cpuUs = (c0) => { const c = process.cpuUsage(c0); return c.user + c.system; };
  let c0 = process.cpuUsage();
  let t = process.hrtime.bigint();
  for (let e = 0; e < ENTRIES; e += DEPTH) {
    const cmds = [];
    for (let k = e; k < e + DEPTH; k++) cmds.push(['XADD', stream, '*', 'd', serialize(data[k])]);
    await c.pipeline(cmds);
  }
  const putS = Number(process.hrtime.bigint() - t) / 1e9;
  const putCpu = cpuUs(c0) / (ENTRIES * 100);
  c0 = process.cpuUsage();
  // get: XREADGROUP COUNT DEPTH, decode, XACK
  t = process.hrtime.bigint();
  let items = 0;
  for (;;) {
    const res = await c.send(['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', String(DEPTH), 'STREAMS', stream, '>']);
    if (!res) break;
    // RESP2 (ioredis): [[stream, entries]]; RESP3 (node-redis 6's default): { stream: entries }
    const entries = Array.isArray(res) ? res[0][1] : Object.values(res)[0];
    if (!entries || entries.length === 0) break;
    const ids = [];
    for (const [id, fields] of entries) { ids.push(id); items += deserialize(fields[1]).length; }
    await c.send(['XACK', stream, 'g', ...ids]);
  }
  const getS = Number(process.hrtime.bigint() - t) / 1e9;
  const getCpu = cpuUs(c0) / (ENTRIES * 100);
  if (items !== ENTRIES * 100) throw new Error(`${name}: read ${items}`);
  // round trip of one command, sequential
  t = process.hrtime.bigint();
  for (let i = 0; i < 2000; i++) await c.send(['PING']);
  const rttUs = Number(process.hrtime.bigint() - t) / 1e3 / 2000;
  // many small commands pipelined (per-command client overhead)
  c0 = process.cpuUsage();
  t = process.hrtime.bigint();
  for (let b = 0; b < 40; b++) await c.pipeline(Array.from({ length: 500 }, (_, i) => ['INCR', `${stream}:n${i % 7}`]));
  const perCmdUs = Number(process.hrtime.bigint() - t) / 1e3 / 20000;
  const perCmdCpu = cpuUs(c0) / 20000;
  const cpu = process.cpuUsage(cpu0);
  await c.send(['DEL', stream]);
  await c.close();
  return { name, size, putItemsPerS: Math.round(ENTRIES * 100 / putS), getItemsPerS: Math.round(ENTRIES * 100 / getS), rttUs: +rttUs.toFixed(1), pipelinedCmdUs: +perCmdUs.toFixed(2), cpuS: +((cpu.user + cpu.system) / 1e6).toFixed(2), putCpuUsPerItem: +putCpu.toFixed(3), getCpuUsPerItem: +getCpu.toFixed(3), cmdCpuUs: +perCmdCpu.toFixed(2) };
}

const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const results = [];
for (const size of ['small', '1k']) {
  const data = payloads(size);
  await round('ioredis', size, data); await round('node_redis', size, data); // warm-up
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? ['node_redis', 'ioredis'] : ['ioredis', 'node_redis'];
    for (const n of order) results.push(await round(n, size, data));
  }
}
for (const size of ['small', '1k']) for (const name of ['ioredis', 'node_redis']) {
  const rs = results.filter((x) => x.size === size && x.name === name);
  const m = (k) => med(rs.map((x) => x[k]));
  console.log(JSON.stringify({ size, name, rounds: rs.length, putItemsPerS: m('putItemsPerS'), getItemsPerS: m('getItemsPerS'), rttUs: m('rttUs'), pipelinedCmdUs: m('pipelinedCmdUs'), putCpuUsPerItem: m('putCpuUsPerItem'), getCpuUsPerItem: m('getCpuUsPerItem'), cmdCpuUs: m('cmdCpuUs') }));
}
