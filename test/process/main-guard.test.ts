import { expect } from 'chai';
import { AS_NOBODY, killLeftovers, runLimited, type LimitedRun } from '../limited-run.js';

// Each program in test/fixtures/unguarded/ starts children at its top level with no isMainModule
// guard (or has its target in a module that does), and every child imports it to find its target. Each runs as its own node process under a
// process limit, so that a fork bomb stays bounded, and is ended as soon as a grandchild appears.
describe(`A program that forgets the main guard (run ${AS_NOBODY ? 'as nobody' : 'as this user: setpriv to nobody is impossible here'}, under ulimit -u)`, () => {
  afterEach(killLeftovers);

  // `reports`: what the program prints, a Process's exit code or the error an operator failed with.
  // `later`: the unguarded code runs after the module has loaded in the child, which may meanwhile
  // have run its target or handled items.
  const cases: readonly { readonly what: string; readonly fixture: string; readonly children: number; readonly reports: 'exit' | 'error'; readonly later?: true }[] = [
    { what: 'a non-daemon Process', fixture: 'process-non-daemon', children: 1, reports: 'exit' },
    { what: 'a daemon Process', fixture: 'process-daemon', children: 1, reports: 'exit' },
    { what: 'a Process started after an await in an unawaited main()', fixture: 'process-after-await', children: 1, reports: 'exit', later: true },
    { what: 'producer()', fixture: 'producer', children: 1, reports: 'error' },
    { what: 'consume() with daemon consumers', fixture: 'consume', children: 2, reports: 'error' },
    { what: 'consume() with non-daemon consumers', fixture: 'consume-non-daemon', children: 2, reports: 'error' },
    { what: 'consume() subscribed from a timer the module set', fixture: 'consume-on-timer', children: 2, reports: 'error', later: true },
    { what: 'a Process in a target module other than the main script', fixture: 'guarded-main', children: 1, reports: 'exit' },
  ];

  for (const { what, fixture, children, reports, later } of cases) {
    it(`should fail ${what} with the main-guard ProcessStateError, one generation of children only`, async function () {
      this.timeout(DEADLINE_MS + 15_000);
      const run = await runLimited(`test/fixtures/unguarded/${fixture}.ts`, { maxTasks: MAX_TASKS, deadlineMs: DEADLINE_MS });
      const context = describeRun(run);

      expect(grandchildren(run), `no grandchild; ${context}`).to.deep.equal([]);
      expect(run.ended, `the program ended by itself within ${DEADLINE_MS} ms; ${context}`).to.equal(true);
      expect(run.code, context).to.equal(0);
      const ownReport = reportOf(run);
      if (reports === 'exit') {
        // A Process's child fails as Python's does: the error on its stderr, exit code 1.
        expect(ownReport, context).to.deep.equal({ pid: run.pid, exitCode: 1 });
      } else {
        if (!later) expect(ownReport.values, `no item was handled; ${context}`).to.deep.equal([]);
        expect(ownReport.error, context).to.include({ name: 'ProcessStateError', isProcessStateError: true });
        expect(ownReport.error?.message, context).to.match(MAIN_GUARD_MESSAGE);
      }
      // A child prints the error, with its stack, once (consume() terminates the other consumers
      // when the first one fails: they may not get as far).
      expect(run.stderr.match(/^ProcessStateError: /gm)?.length, context).to.be.within(1, children);
      expect(run.stderr, context).to.match(MAIN_GUARD_MESSAGE);
      expect(run.stderr, `the daemon rule is not what it reports; ${context}`).to.not.match(/Daemonic processes/);
      if (!later) expect(run.stdout, `the target never ran; ${context}`).to.not.match(/"ran"/);

      const firstGeneration = [...run.generations].filter(([, depth]) => depth === 1).map(([pid]) => pid);
      expect(firstGeneration, context).to.have.length(children);
      expect(run.leftAlive, `nothing left alive; ${context}`).to.deep.equal([]);
    });
  }
});

interface Report {
  readonly pid: number;
  readonly exitCode?: number | null;
  readonly values?: unknown[];
  readonly error?: { readonly name: string; readonly isProcessStateError: boolean; readonly message: string };
}

// The program's own report line: the children that import it print theirs too.
function reportOf(run: LimitedRun): Report {
  const reports = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Report);
  const own = reports.find((report) => report.pid === run.pid);
  if (!own) throw new Error(`the program printed no report; ${describeRun(run)}`);
  return own;
}

function grandchildren(run: LimitedRun): number[] {
  return [...run.generations].filter(([, depth]) => depth > 1).map(([pid]) => pid);
}

function describeRun(run: LimitedRun): string {
  const generations = [...run.generations.values()].reduce<Record<number, number>>((counts, depth) => ({ ...counts, [depth]: (counts[depth] ?? 0) + 1 }), {});
  const seen = run.grandchildren.map((line) => `\n  grandchild ${line}`).join('');
  return `exit ${run.code ?? run.signal}, processes by generation ${JSON.stringify(generations)}${seen}\n--- stdout ---\n${run.stdout.slice(-2_000)}\n--- stderr ---\n${run.stderr.slice(-3_000)}`;
}

const MAIN_GUARD_MESSAGE = /An attempt has been made to start [\w:-]+ .*isMainModule\(import\.meta\.url\)/s;
// A node process under tsx has 12-16 threads, and RLIMIT_NPROC counts them: room for the program and
// its children (at most three processes), not for a fork bomb's third generation to grow far.
const MAX_TASKS = 96;
const DEADLINE_MS = 20_000;
