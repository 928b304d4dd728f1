// The targets of the -split programs (seed-rx-split, seed-pool-split, seed-thread-split), in a module
// that imports neither RxJS nor the library: a child (or worker thread) imports its target's module,
// and when that is the program itself, each child loads RxJS too (~100 ms of CPU a process here,
// five children on two cores).
import { mark } from './trace.mjs';

export function* produce(from, to) {
  mark('producer-up');
  for (let i = from; i < to; i++) yield `item${i}`;
}

let first = true;
export function eat(item) {
  if (first) mark('first-consumed');
  first = false;
  return item.length;
}

const CHECK = process.env.RXMP_E2E_CHECK === '1';
/** eat() for the thread context: checked once per variant, -1 says the item was not eaten on a worker thread. */
export function eatChecked(item) {
  const length = eat(item);
  return CHECK && process.getBuiltinModule('node:worker_threads').isMainThread ? -1 : length;
}

/** Whether this worker ran eat(): a consume() that ignored `pool` ran it in children of its own. */
export function ateHere() {
  return !first;
}

export function consumerUp() {
  mark('consumer-up');
}
