import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { ROOT } from '../helpers.js';

describe('a child whose target leaves a handle open', () => {
  it('should stay alive as Python does, and say at debug level which handles keep it alive', async () => {
    const driver = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/drivers/open-handle.ts'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    driver.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const logged = new Promise<string>((resolve, reject) => {
      driver.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const line = stderr.split('\n').find((l) => l.startsWith('[DEBUG/Lingering-1] the target returned'));
        if (line) resolve(line);
      });
      driver.on('exit', () => reject(new Error(`the driver exited before the message; stderr:\n${stderr}`)));
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no open-handle message within 20 s; stderr:\n${stderr}`)), 20_000);
    });
    let line: string;
    try {
      line = await Promise.race([logged, late]);
    } catch (error) {
      driver.kill('SIGKILL'); // the child follows: its channel closes
      throw error;
    } finally {
      clearTimeout(timer);
    }
    expect(line).to.match(/stays alive until its event loop is empty; still active: .*\bTimeout\b/);
    driver.stdin.write('stop\n');
    const code = await new Promise<number | null>((resolve) => driver.on('exit', (c) => resolve(c)));
    expect(stdout).to.equal('alive=true\nexitCode=-15\n');
    expect(code).to.equal(0);
    expect(stderr.match(/the target returned/g)).to.have.length(1);
  });
});
