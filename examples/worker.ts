// The module seed part 2 imports its target from (Python's worker.py). Not an example on its own.
export function worker(): void {
  console.log('worker');
}
