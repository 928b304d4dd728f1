// The start-up workload's target, in a module of its own: a child imports its target's module, and
// this one imports nothing. Next to startup.ts, which imports the library's public entry and the
// bench's helpers, it cost each child ~3-4 ms more to start (67-69 against 64-65 ms), time the raw
// fork of an empty script does not spend either.
export function trivial(): void {}
