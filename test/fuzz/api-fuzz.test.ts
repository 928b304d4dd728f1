// Seeded fuzzing of the public API: constructors, get/put/join, the operators' options and Process
// args, with values of every shape (cycles, proxies, throwing getters, functions, symbols, huge and
// deep values). Each case ends as a typed error, an untyped one, a hang, a leftover child, or
// accepted; the test fails on any untyped error, hang or leftover. FUZZ_CASES (default 150) and
// FUZZ_SEED replay or widen it: `FUZZ_CASES=1200 npx mocha … test/fuzz/api-fuzz.test.ts`.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { JoinableQueue, MultiprocessingError, Process, Queue, consume, mergeProducers, producer, queue } from '../../src/index.js';
import { childPidsOf, isPidAlive, waitFor } from '../helpers.js';
import { captureStderr } from '../stderr-capture.js';
import { identity, yieldArgs } from '../fixtures/rx-targets.js';
import { noop } from '../fixtures/targets.js';
import { Prng } from './prng.js';

const CASES = Number(process.env.FUZZ_CASES ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? 18);
const HANG_MS = 5000;

type Outcome = 'typed' | 'untyped' | 'hang' | 'leftover' | 'accepted';

interface Generated {
  readonly value: unknown;
  readonly label: string;
}

// A value of a random shape; `depth` bounds nesting of the random containers (not of the deep ones).
function randomValue(rng: Prng, depth = 0): Generated {
  const shapes: (() => Generated)[] = [
    () => rng.pick([0, -1, 1, 1.5, 10, NaN, Infinity, -Infinity, 2 ** 53, -0].map((n) => ({ value: n, label: String(n) }))),
    () => rng.pick(['', 'str', '10', 'true'].map((s) => ({ value: s, label: `'${s}'` }))),
    () => rng.pick([true, false, null, undefined].map((v) => ({ value: v, label: String(v) }))),
    () => ({ value: 10n, label: '10n' }),
    () => ({ value: Symbol('s'), label: 'Symbol()' }),
    () => ({ value: () => 1, label: '() => 1' }),
    () => ({ value: noop, label: 'noop' }),
    () => {
      const items = Array.from({ length: rng.int(4) }, () => (depth < 3 ? randomValue(rng, depth + 1) : { value: 1, label: '1' }));
      return { value: items.map((i) => i.value), label: `[${items.map((i) => i.label).join(', ')}]` };
    },
    () => {
      const entries = Array.from({ length: rng.int(4) }, (_, k) => [`k${k}`, depth < 3 ? randomValue(rng, depth + 1) : { value: 1, label: '1' }] as const);
      return { value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])), label: `{${entries.map(([k, v]) => `${k}: ${v.label}`).join(', ')}}` };
    },
    () => {
      const o: Record<string, unknown> = { n: 1 };
      o.self = o;
      return { value: o, label: 'cyclic object' };
    },
    () => {
      const a: unknown[] = [1];
      a.push({ back: a });
      return { value: a, label: 'cyclic array' };
    },
    () => {
      let deep: unknown = {};
      for (let i = 0; i < 5000; i++) deep = { deep };
      return { value: deep, label: '5000-deep object' };
    },
    () => {
      let deep: unknown = [];
      for (let i = 0; i < 5000; i++) deep = [deep];
      return { value: deep, label: '5000-deep array' };
    },
    () => ({ value: new Proxy({ a: 1 }, {}), label: 'Proxy' }),
    () => ({
      value: new Proxy(
        {},
        {
          get() {
            throw new Error('trap');
          },
          ownKeys() {
            throw new Error('trap');
          },
          getPrototypeOf() {
            throw new Error('trap');
          },
          has() {
            throw new Error('trap');
          },
        },
      ),
      label: 'throwing Proxy',
    }),
    () => ({
      value: {
        get broken(): never {
          throw new Error('getter');
        },
      },
      label: 'throwing getter',
    }),
    () => ({ value: new Map<unknown, unknown>([['a', depth < 3 ? randomValue(rng, depth + 1).value : 1]]), label: 'Map' }),
    () => ({ value: new Set([1, 'a']), label: 'Set' }),
    () => ({ value: new Date(0), label: 'Date' }),
    () => ({ value: new Uint8Array(16), label: 'Uint8Array' }),
    () => ({ value: 'x'.repeat(2_000_000), label: '2 MB string' }),
    () => ({ value: new (class Thing { x = 1 })(), label: 'class instance' }),
    () => ({ value: new WeakMap(), label: 'WeakMap' }),
    () => ({ value: new Error('e'), label: 'Error' }),
    () => ({ value: new Queue(), label: 'Queue' }),
    () => ({ value: { nested: [new Queue()] }, label: '{ nested: [Queue] }' }),
  ];
  return rng.pick(shapes)();
}

// Options for get()/put(): absent, a random value, Python's positional form, or an object with random fields.
function randomWaitArgs(rng: Prng): Generated[] {
  switch (rng.int(4)) {
    case 0:
      return [];
    case 1:
      return [randomValue(rng)];
    case 2:
      return [{ value: rng.chance(0.5), label: 'bool' }, randomValue(rng)];
    default: {
      const block = rng.chance(0.5) ? randomValue(rng) : { value: rng.chance(0.5), label: 'bool' };
      const timeout = rng.chance(0.5) ? randomValue(rng) : { value: rng.int(50), label: 'ms' };
      return [{ value: { block: block.value, timeout: timeout.value }, label: `{ block: ${block.label}, timeout: ${timeout.label} }` }];
    }
  }
}

// Whether an accepted get/put with these arguments is documented to wait until an item (or a slot) comes.
function waitsAsDocumented(args: readonly unknown[]): boolean {
  if (args.length === 0 || (args.length === 1 && args[0] === undefined)) return true;
  const options = args[0] as { block?: unknown; timeout?: unknown };
  try {
    return args.length === 1 && typeof options === 'object' && options !== null && options.block !== false && (options.timeout == null || (options.timeout as number) > HANG_MS);
  } catch {
    return false; // a throwing Proxy: the call must throw too
  }
}

function classify(error: unknown): Outcome {
  if (error instanceof MultiprocessingError) return 'typed';
  if ((error instanceof TypeError || error instanceof RangeError) && /Expected|`[^`]+`|takes no arguments|takes an item|options of/.test(error.message)) return 'typed';
  return 'untyped';
}

// Runs `call`; a returned promise (or Observable's end) is given HANG_MS to settle, unless it waits as documented.
async function outcomeOf(call: () => unknown, waits = false, release?: () => void): Promise<{ outcome: Outcome; error?: unknown }> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return { outcome: classify(error), error };
  }
  if (!(result instanceof Promise)) return { outcome: 'accepted' };
  const settled = result.then(
    () => ({ outcome: 'accepted' as Outcome }),
    (error: unknown) => ({ outcome: classify(error), error }),
  );
  if (waits) {
    const early = await Promise.race([settled, new Promise<undefined>((r) => setImmediate(() => r(undefined)))]);
    if (early) return early;
    release?.();
    await Promise.race([settled, new Promise((r) => setTimeout(r, HANG_MS))]);
    return { outcome: 'accepted' };
  }
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([settled, new Promise<{ outcome: Outcome }>((r) => (timer = setTimeout(() => r({ outcome: 'hang' }), HANG_MS)))]);
  clearTimeout(timer);
  if (outcome.outcome === 'hang') release?.();
  return outcome;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

function observe(observable: Observable<unknown>): Promise<unknown> {
  return lastValueFrom(observable.pipe(toArray()));
}

interface FuzzCase {
  readonly label: string;
  readonly forks: boolean;
  run(): Promise<{ outcome: Outcome; error?: unknown }>;
}

function makeCase(rng: Prng): FuzzCase {
  const kind = rng.int(20);
  if (kind < 2) {
    const Ctor = rng.pick([Queue, JoinableQueue]);
    const args = Array.from({ length: rng.int(3) }, () => randomValue(rng));
    return { label: `new ${Ctor.name}(${args.map((a) => a.label).join(', ')})`, forks: false, run: () => outcomeOf(() => new Ctor(...(args.map((a) => a.value) as [number]))) };
  }
  if (kind < 5) {
    const args = randomWaitArgs(rng);
    const q = new Queue<unknown>(1);
    const values = args.map((a) => a.value);
    return {
      label: `emptyQueue.get(${args.map((a) => a.label).join(', ')})`,
      forks: false,
      run: () => outcomeOf(() => (q.get as (...a: unknown[]) => unknown)(...values), waitsAsDocumented(values), () => q.putNowait('release')),
    };
  }
  if (kind < 9) {
    const item = randomValue(rng);
    const args = randomWaitArgs(rng);
    const full = rng.chance(0.5);
    const q = new JoinableQueue<unknown>(1);
    if (full) q.putNowait('filler');
    const values = args.map((a) => a.value);
    return {
      label: `${full ? 'fullQueue' : 'emptyQueue'}.put(${[item, ...args].map((a) => a.label).join(', ')})`,
      forks: false,
      run: async () => {
        const result = await outcomeOf(() => (q.put as (...a: unknown[]) => unknown)(item.value, ...values), full && waitsAsDocumented(values), () => void q.getNowait());
        // What was accepted must come back out as a copy, or a typed error.
        if (result.outcome === 'accepted' && q.qsize() > 0) {
          const taken = await outcomeOf(() => q.getNowait());
          if (taken.outcome !== 'accepted') return taken;
        }
        return result;
      },
    };
  }
  if (kind < 10) {
    const item = randomValue(rng);
    const q = new Queue<unknown>();
    return { label: `putNowait(${item.label})`, forks: false, run: () => outcomeOf(() => q.putNowait(item.value)) };
  }
  if (kind < 11) {
    const args = Array.from({ length: rng.int(2) }, () => randomValue(rng));
    const q = new JoinableQueue<unknown>();
    return { label: `joinableQueue.join(${args.map((a) => a.label).join(', ')})`, forks: false, run: () => outcomeOf(() => (q.join as (...a: unknown[]) => unknown)(...args.map((a) => a.value))) };
  }
  if (kind < 12) {
    const options = rng.chance(0.5) ? randomValue(rng) : { value: { maxsize: randomValue(rng).value, overflow: rng.pick(['error', 'buffer', 'drop', 1]) }, label: '{ maxsize, overflow }' };
    return { label: `queue(${options.label})`, forks: false, run: () => outcomeOf(() => queue(options.value as never)) };
  }
  if (kind < 14) {
    const target = rng.chance(0.8) ? { value: yieldArgs, label: 'yieldArgs' } : randomValue(rng);
    const options = rng.chance(0.4)
      ? randomValue(rng)
      : { value: { args: randomValue(rng).value, name: rng.chance(0.7) ? undefined : randomValue(rng).value, window: rng.chance(0.7) ? undefined : randomValue(rng).value }, label: '{ args, name, window }' };
    const which = rng.pick(['producer', 'consume', 'mergeProducers'] as const);
    if (which === 'mergeProducers') {
      const parts = Array.from({ length: 1 + rng.int(2) }, () => randomValue(rng));
      return { label: `mergeProducers(${parts.map((p) => p.label).join(', ')})`, forks: false, run: () => outcomeOf(() => mergeProducers(...(parts.map((p) => p.value) as never[]))) };
    }
    return {
      label: `${which}(${target.label}, ${options.label})`,
      forks: false,
      run: () => outcomeOf(() => (which === 'producer' ? producer(target.value as never, options.value as never) : consume(target.value as never, options.value as never))),
    };
  }
  if (kind < 17) {
    const args = Array.from({ length: rng.int(3) }, () => randomValue(rng));
    const options = rng.chance(0.15)
      ? randomValue(rng)
      : {
          value: {
            target: rng.chance(0.85) ? noop : randomValue(rng).value,
            args: rng.chance(0.85) ? args.map((a) => a.value) : randomValue(rng).value,
            name: rng.chance(0.8) ? undefined : randomValue(rng).value,
            daemon: rng.chance(0.8) ? undefined : randomValue(rng).value,
          },
          label: `{ target, args: [${args.map((a) => a.label).join(', ')}], name, daemon }`,
        };
    return {
      label: `new Process(${options.label}).start()`,
      forks: true,
      run: () =>
        outcomeOf(async () => {
          const p = new Process(options.value as never);
          p.start();
          await p.join(20_000);
          if (p.exitCode === null) {
            p.kill();
            throw new Error(`child ${p.pid} still running`);
          }
        }),
    };
  }
  if (kind < 19) {
    const args = Array.from({ length: rng.int(3) }, () => randomValue(rng));
    return {
      label: `producer(yieldArgs, { args: [${args.map((a) => a.label).join(', ')}] })`,
      forks: true,
      run: () => outcomeOf(() => observe(producer(yieldArgs, { args: args.map((a) => a.value) }))),
    };
  }
  const items = Array.from({ length: 1 + rng.int(3) }, () => randomValue(rng));
  return {
    label: `from([${items.map((i) => i.label).join(', ')}]).pipe(consume(identity, { processes: 1 }))`,
    forks: true,
    run: () => outcomeOf(() => observe(from(items.map((i) => i.value)).pipe(consume(identity, { processes: 1 })))),
  };
}

describe('fuzzed calls of the public API', () => {
  captureStderr(); // children the fuzzed calls start may fail, and print their crash report
  it(`should answer ${CASES} seeded cases (seed ${SEED}) with a typed error or success, never an untyped error, a hang or a leftover child`, async function () {
    this.timeout(CASES * 15_000);
    const rng = new Prng(SEED);
    const counts: Record<Outcome, number> = { typed: 0, untyped: 0, hang: 0, leftover: 0, accepted: 0 };
    const bad: string[] = [];
    // Children this process had before (tsx's esbuild service) are not the library's.
    const before = new Set(childPidsOf());
    const started = (): number[] => childPidsOf().filter((pid) => !before.has(pid) && commandOf(pid) !== 'esbuild');
    for (let index = 0; index < CASES; index++) {
      const fuzzCase = makeCase(rng);
      let { outcome, error } = await fuzzCase.run();
      // Children of this case must be gone by the time its call settled (or shortly after: a
      // producer's child says it exits a few ms before it does). Checked by pid, not bookkeeping.
      if (started().length > 0 && !(await waitFor(() => started().length === 0, 5000))) {
        const left = started();
        for (const pid of left) if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
        outcome = 'leftover';
        error = new Error(`left child pid(s) ${left.join(', ')}`);
      }
      counts[outcome]++;
      if (outcome === 'untyped' || outcome === 'hang' || outcome === 'leftover') {
        bad.push(`#${index} ${fuzzCase.label}: ${outcome}${error ? ` — ${(error as Error).name}: ${String((error as Error).message).slice(0, 160)}` : ''}`);
      }
    }
    const summary = `fuzz: ${CASES} cases, seed ${SEED}: typed ${counts.typed}, untyped ${counts.untyped}, hangs ${counts.hang}, leftovers ${counts.leftover}, accepted ${counts.accepted}`;
    console.log(`      ${summary}`);
    for (const line of bad) console.log(`        ${line}`);
    expect(bad, summary).to.deep.equal([]);
  });
});
