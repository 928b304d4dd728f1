// Seed part 2's `worker.py`: the module 02-target-module.ts imports its target from.
// A helper module, not an example on its own.
export function worker(): void {
  console.log('worker');
}
