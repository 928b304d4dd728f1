// Runs every example (examples/NN-*.ts and examples/pipeline.ts) as a user would, with
// `node --import tsx`, one after another: each must exit 0 within 60 s and leave no process behind.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const examples = readdirSync(join(root, 'examples'))
  .filter((file) => /^\d\d-.*\.ts$/.test(file) || file === 'pipeline.ts')
  .sort();

function runningChildren(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('child/bootstrap') && line.includes(root));
}

function run(file: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join('examples', file)], { cwd: root, timeout: 60_000 }, (error, _stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null) : 0;
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

let failed = 0;
for (const file of examples) {
  const before = new Set(runningChildren());
  const { code, stderr, ms } = await run(file);
  let leftovers = runningChildren().filter((line) => !before.has(line));
  for (let i = 0; i < 20 && leftovers.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    leftovers = runningChildren().filter((line) => !before.has(line));
  }
  const ok = code === 0 && leftovers.length === 0;
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${file} (${(ms / 1000).toFixed(1)} s)`);
  if (code !== 0) console.log(`     exit code ${code}; stderr tail:\n${stderr.split('\n').slice(-15).join('\n')}`);
  if (leftovers.length > 0) {
    console.log(`     left processes behind:\n${leftovers.join('\n')}`);
    for (const line of leftovers) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
  }
}
if (!existsSync(join(root, 'dist', 'index.js'))) console.log('note: dist/ is missing; run `npm run build` first');
console.log(`${examples.length - failed} of ${examples.length} examples passed`);
process.exit(failed > 0 ? 1 : 0);
