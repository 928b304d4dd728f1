import type { Observable } from 'rxjs';
import type { ModuleExportRef } from '../internal/function-locator.js';
import type { Context } from './context.js';

/** What it takes to start one producer() child that puts straight into a consume()'s queue. */
export interface ProducerSpec {
  readonly ref: ModuleExportRef;
  readonly args: readonly unknown[];
  readonly name: string | undefined;
  readonly passQueue: boolean;
  readonly context: Context;
}

/**
 * Marks an Observable as nothing but producer() children, merged: a consume() (after queue() or
 * not) that finds the mark on its source knows no operator in between can see or change the items,
 * so they may go from producer to consumer children without being decoded in this process.
 */
export function markDirect<O extends Observable<unknown>>(observable: O, producers: readonly ProducerSpec[] | undefined): O {
  return producers ? Object.assign(observable, { [DIRECT_PRODUCERS]: producers }) : observable;
}

/** The producers a marked Observable is made of, or undefined for any other Observable. */
export function directProducersOf(observable: Observable<unknown>): readonly ProducerSpec[] | undefined {
  return (observable as { [DIRECT_PRODUCERS]?: readonly ProducerSpec[] })[DIRECT_PRODUCERS];
}

const DIRECT_PRODUCERS = Symbol.for('rx-multiprocessing.directProducers');
