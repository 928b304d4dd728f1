import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { withExtraCaCerts } from '../environment.js';
import { ROOT, waitFor } from '../helpers.js';

// The library as a new user gets it: `npm pack` of the built dist/ (npm test builds it first),
// installed into a fresh app outside the repo, which then runs the programs a user would write.
// Packed and installed once: the install is most of the time these tests take.
describe('the packed package, installed in a fresh app outside the repo', function () {
  this.timeout(240_000);
  let work: string;
  let app: string;
  let packed: readonly string[];

  before(async () => {
    if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is not built: run `npm run build` first (npm test does).');
    work = mkdtempSync(join(tmpdir(), 'rxmp-package-'));
    // --ignore-scripts: `prepare` would rebuild dist/ under the other test files running meanwhile.
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
    expect(pack.code, pack.stderr).to.equal(0);
    const [manifest] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    packed = manifest!.files.map((file) => file.path);
    app = join(work, 'app');
    cpSync(FIXTURE_APP, app, { recursive: true });
    // rxjs at another patch than the library's own devDependency: a nested copy would show there.
    const tools = ['typescript', 'tsx', '@types/node'].map((name) => `${name}@${installedVersion(name)}`);
    const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, manifest!.filename), `rxjs@${APP_RXJS}`, ...tools], app);
    expect(install.code, install.stderr).to.equal(0);
  });

  afterEach(() => assertNoProcessIn(work));
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('should pack only dist/, README, LICENSE, CHANGELOG and package.json', () => {
    const outside = packed.filter((path) => !path.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(path));
    expect(outside).to.deep.equal([]);
    expect(packed).to.include.members(['dist/index.js', 'dist/index.d.ts', 'dist/child/bootstrap.js', 'LICENSE', 'CHANGELOG.md']);
  });

  it('should install the rx-multiprocessing command, which npx finds and which explains itself', async () => {
    const result = await run('npx', ['--no-install', 'rx-multiprocessing', 'worker'], app);
    // A usage error (no Redis URL given), from the packed command itself: its shebang, bin entry and bundle.
    expect(result.code, result.stderr).to.equal(2);
    expect(result.stderr).to.match(/give the Redis URL with --redis URL or \$RXMP_REDIS_URL/).and.match(/Usage:/);
  });

  it("should use the app's rxjs, installing no copy of its own", async () => {
    expect(existsSync(join(app, 'node_modules', 'rx-multiprocessing', 'node_modules', 'rxjs'))).to.equal(false);
    const rxjs = JSON.parse(readFileSync(join(app, 'node_modules', 'rxjs', 'package.json'), 'utf8')) as { version: string };
    expect(rxjs.version).to.equal(APP_RXJS);
  });

  it('should run a JavaScript ESM program: producers → queue → consumers, and a Process with a JoinableQueue', async () => {
    const result = await run(process.execPath, ['esm-pipeline.mjs'], app);
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({
      observable: true,
      squares: [1, 4, 9, 16, 25, 36],
      squaredElsewhere: true,
      total: 10,
      summedElsewhere: true,
      exitCode: 0,
    });
  });

  it('should run a CommonJS program: require() of the library, handlers that are top-level functions of CommonJS modules', async () => {
    const result = await run(process.execPath, ['commonjs.cjs'], app);
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({
      greeting: 'hello cjs from PID',
      exitCode: 0,
      squares: [1, 4, 9],
      cubes: [1, 8, 27],
      doubles: [2, 4, 6],
    });
  });

  it('should compile a TypeScript app with tsc (NodeNext, strict) and run its output', async () => {
    const compiled = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
    expect(compiled.code, compiled.stdout).to.equal(0);
    const result = await run(process.execPath, ['build/typed.js'], app);
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ shouted: ['A', 'B', 'C'], reported: 'report ran in a child', exitCode: 0, sums: [3, 7] });
  });

  it("should fail to compile exactly the calls whose arguments do not match the handler's parameters", async () => {
    const source = readFileSync(join(app, 'src', 'wrong-args.ts'), 'utf8').split('\n');
    const expected = source.flatMap((line, index) => (line.endsWith('// expect-error') ? [index + 1] : []));
    const compiled = await run(process.execPath, [TSC, '-p', 'tsconfig.wrong-args.json'], app);
    // tsc's `file(line,col): error TSnnnn: …`, one per error.
    const lines = [...compiled.stdout.matchAll(/^src\/wrong-args\.ts\((\d+),\d+\): error TS\d+/gm)].map((match) => Number(match[1]));
    expect(compiled.code, compiled.stdout).to.equal(2);
    expect([...new Set(lines)], compiled.stdout).to.deep.equal(expected);
  });

  it('should run a TypeScript program under tsx, its children too', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'tsx-program.ts'], app);
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal({ converted: ['a: 32 °F', 'b: 212 °F'], name: 'typed-child', exitCode: 0 });
  });

  describe('bundled with esbuild', () => {
    it('should run with the packages external and the target module an entry point of its own (docs/bundling.md)', async () => {
      await build({ ...BUNDLE, absWorkingDir: app, entryPoints: ['bundle/main.mjs', 'bundle/targets.mjs'], outdir: 'out/split', splitting: true, packages: 'external' });
      const result = await run(process.execPath, ['out/split/main.js'], app);
      expect(result.code, result.stderr).to.equal(0);
      expect(JSON.parse(result.stdout)).to.deep.equal({ tripled: [3, 6, 9], childPid: true, exitCode: 0 });
    });

    it('should refuse to start children with the library inlined into the bundle, naming the fix', async () => {
      await build({ ...BUNDLE, absWorkingDir: app, entryPoints: ['bundle/main.mjs'], outfile: 'out/inlined.mjs' });
      const result = await run(process.execPath, ['out/inlined.mjs'], app);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/TargetResolutionError: rx-multiprocessing was bundled into `.*inlined\.mjs`, so it cannot start child processes/);
      expect(result.stderr).to.include('--packages=external').and.include('docs/bundling.md');
    });
  });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// Runs a command to its end, with the environment of a user's shell: without the npm_* variables
// of an `npm test` run, which would make the app's npm act on this repository's package.
function run(command: string, args: readonly string[], cwd: string): Promise<Run> {
  // npm may reach the registry: it gets the suite's NODE_EXTRA_CA_CERTS back (see environment.ts).
  const env = Object.fromEntries(Object.entries(command === 'npm' ? withExtraCaCerts(process.env) : process.env).filter(([name]) => !/^npm_(package|lifecycle|config_(local_)?prefix)/i.test(name)));
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout: 120_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

// The version this repository has installed, so that npm finds it in its cache.
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

// Every program's children exit with it: none may still run in the app's folder.
async function assertNoProcessIn(dir: string): Promise<void> {
  const inDir = (): number[] =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
        } catch {
          return false;
        }
      })
      .map(Number);
  await waitFor(() => inDir().length === 0, 3000);
  expect(inDir(), 'processes left running in the app').to.deep.equal([]);
}

const FIXTURE_APP = join(ROOT, 'test', 'package', 'fixtures', 'app');
const APP_RXJS = '7.8.1';
const TSC = join('node_modules', 'typescript', 'bin', 'tsc');
const BUNDLE = { bundle: true, platform: 'node', format: 'esm', logLevel: 'error' } as const;
