import { types } from 'node:util';
import { showValue as show } from '../internal/show-value.js';

// Checks shared by the operators' options, so each names the parameter the same way.

/**
 * Throws TypeError unless `options` is an options object (or undefined, for the defaults). Returns
 * it, or for a Proxy a plain copy read once, so a trap that throws fails here, naming the options.
 */
export function validateOptionsObject<O>(options: O, call: string, example: string): O {
  if (options === undefined) return options;
  if (typeof options === 'object' && options !== null && !Array.isArray(options)) {
    if (!types.isProxy(options)) return options;
    try {
      return { ...options };
    } catch (cause) {
      throw new TypeError(`Reading the options of ${call} threw: ${cause instanceof Error ? cause.message : show(cause)}. Pass a plain object.`, { cause });
    }
  }
  throw new TypeError(`Expected the options of ${call} to be an object, got \`${show(options)}\` (${kindOf(options)}). For example: ${example}.`);
}

/** The target's arguments as an array: a string or other non-array would be spread as its characters or entries. */
export function validateArgs(args: unknown, name = 'args'): unknown[] {
  if (args === undefined) return [];
  if (!Array.isArray(args)) {
    throw new TypeError(`Expected \`${name}\` to be an array of the target's arguments, got \`${show(args)}\` (${kindOf(args)}). Wrap a single argument: { ${name}: [value] }.`);
  }
  return [...args];
}

/** A process name: a string, or undefined for the default. */
export function validateName(name: unknown): string | undefined {
  if (name === undefined || typeof name === 'string') return name;
  throw new TypeError(`Expected \`name\` to be a string, got \`${show(name)}\` (${kindOf(name)}).`);
}

export function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

export { show };
