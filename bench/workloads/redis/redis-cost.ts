// What a case costs the redis-server itself, per item: CPU (INFO cpu: used_cpu_sys + used_cpu_user,
// every thread of the server) and commands (INFO commandstats, Lua scripts' inner calls included, as
// Redis counts them). Read by a client of the bench's own, around each case.
import { createClient } from '@redis/client';

export interface RedisCost {
  /** Server CPU per item, µs. */
  readonly cpuUsPerItem: number;
  /** Commands per item, every command the case sent (the admin's INFO and FLUSHALL left out). */
  readonly commandsPerItem: number;
  /** Per item, by command (those above 0.001 per item). */
  readonly byCommand: Readonly<Record<string, number>>;
}

interface Snapshot {
  readonly cpuS: number;
  readonly calls: ReadonlyMap<string, number>;
}

// What the admin uses of its @redis/client connection.
interface AdminLink {
  sendCommand(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

/** One admin connection to a bench server: flushes it between cases and measures each case's cost. */
export class RedisAdmin {
  readonly #client: AdminLink;

  private constructor(client: AdminLink) {
    this.#client = client;
  }

  static async connect(url: string): Promise<RedisAdmin> {
    const client = createClient({ url });
    // A server stopped under a connected client must not crash the bench with an unhandled 'error'.
    client.on('error', () => {});
    await client.connect();
    return new RedisAdmin(client);
  }

  /** Runs `work` on an empty server and returns its result with what it cost Redis for `items` items. */
  async measure<R>(items: number, work: () => Promise<R>): Promise<{ readonly result: R; readonly cost: RedisCost }> {
    // As the baseline: every case starts from an empty server, not from the previous case's leftovers.
    await this.#client.sendCommand(['FLUSHALL', 'SYNC']);
    const before = await this.#snapshot();
    const result = await work();
    const after = await this.#snapshot();
    const byCommand: Record<string, number> = {};
    let commands = 0;
    for (const [name, calls] of after.calls) {
      if (IGNORED.has(name)) continue;
      const delta = calls - (before.calls.get(name) ?? 0);
      commands += delta;
      if (delta / items >= 0.001) byCommand[name] = +(delta / items).toFixed(4);
    }
    return { result, cost: { cpuUsPerItem: ((after.cpuS - before.cpuS) * 1e6) / items, commandsPerItem: commands / items, byCommand } };
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  async #snapshot(): Promise<Snapshot> {
    const cpu = String(await this.#client.sendCommand(['INFO', 'cpu']));
    const stats = String(await this.#client.sendCommand(['INFO', 'commandstats']));
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? NaN);
    const calls = new Map<string, number>();
    for (const m of stats.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) calls.set(m[1] as string, Number(m[2]));
    return { cpuS: field('used_cpu_sys') + field('used_cpu_user'), calls };
  }
}

// The bench's own commands, not the case's.
const IGNORED = new Set(['info', 'flushall', 'hello', 'auth', 'client|setinfo', 'client|setname']);
