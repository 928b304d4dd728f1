// The spare start-up workload's target: writes when it started running, on the monotonic clock all
// processes of the machine share (process.hrtime), so the parent can subtract its start() time.
import { writeFileSync } from 'node:fs';

export function markRunning(file: string): void {
  writeFileSync(file, String(process.hrtime.bigint()));
}
