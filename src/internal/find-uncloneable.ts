import { Server, Socket } from 'node:net';
import { types } from 'node:util';
import { serialize } from 'node:v8';
import { forEachChild, pathOf, type Reached } from './value-walk.js';

/** Where a value that structured clone refused goes wrong: `args[0].socket`, a `net.Socket`, and why. */
export interface Uncloneable {
  readonly path: string;
  /** `function handler`, `symbol`, `net.Socket`, `Promise`, … */
  readonly valueType: string;
  readonly reason: string;
}

/**
 * Finds what made structured clone refuse `root` (only called once it has): the first function or
 * symbol in it, reported at the outermost class instance on the way to it (the object the caller put
 * there: `args[0].socket: net.Socket`, not a field deep inside Node's socket), or else the innermost
 * object that does not clone by itself (a Promise, a WeakMap, a native handle). Undefined when
 * neither is found (the refusal had another cause, say a value too deep to clone).
 */
export function findUncloneable(root: unknown, rootPath: string): Uncloneable | undefined {
  const leaf = describeLeaf(root);
  if (leaf) return { path: rootPath, valueType: leaf, reason: `${plural(leaf)} do not clone` };
  if (typeof root !== 'object' || root === null) return undefined;
  const start: Reached = { value: root, parent: undefined, key: undefined, via: 'key' };
  return findLeaf(start, rootPath) ?? findHostObject(start, rootPath);
}

// Breadth first, so the shortest way to a function or symbol is the one named.
function findLeaf(start: Reached, rootPath: string): Uncloneable | undefined {
  const seen = new Set<object>([start.value]);
  let level: Reached[] = [start];
  while (level.length > 0) {
    const next: Reached[] = [];
    for (const reached of level) {
      let found: Reached | undefined;
      let leaf: string | undefined;
      forEachChild(reached, rootPath, (child, key, via) => {
        if (found) return;
        leaf = describeLeaf(child);
        if (leaf) found = { value: Object(child) as object, parent: reached, key, via };
        else if (typeof child === 'object' && child !== null && !seen.has(child)) {
          seen.add(child);
          next.push({ value: child, parent: reached, key, via });
        }
      });
      if (found && leaf) return blame(found, leaf, rootPath);
    }
    level = next;
  }
  return undefined;
}

// The outermost class instance holding the leaf is what the caller knows by name; the leaf itself otherwise.
function blame(leafAt: Reached, leaf: string, rootPath: string): Uncloneable {
  let owner: Reached | undefined;
  for (let at = leafAt.parent; at !== undefined; at = at.parent) if (isClassInstance(at.value)) owner = at;
  if (!owner) return { path: pathOf(leafAt, rootPath), valueType: leaf, reason: `${plural(leaf)} do not clone` };
  const inside = pathOf(leafAt, '').slice(pathOf(owner, '').length);
  return {
    path: pathOf(owner, rootPath),
    valueType: className(owner.value),
    reason: `it holds a ${leaf} (at ${inside}), and ${plural(leaf)} do not clone (a class instance crosses as a copy of its fields, without its methods)`,
  };
}

// No function or symbol: the innermost object that fails to serialise while its children do not.
function findHostObject(start: Reached, rootPath: string): Uncloneable | undefined {
  const seen = new Set<object>([start.value]);
  let at = start;
  for (;;) {
    let failing: Reached | undefined;
    forEachChild(at, rootPath, (child, key, via) => {
      if (failing || typeof child !== 'object' || child === null || seen.has(child)) return;
      seen.add(child);
      if (!serializes(child)) failing = { value: child, parent: at, key, via };
    });
    if (!failing) break;
    at = failing;
  }
  if (at === start && serializes(start.value)) return undefined;
  const type = className(at.value);
  return { path: pathOf(at, rootPath), valueType: type, reason: `a ${type} does not clone` };
}

function serializes(value: unknown): boolean {
  try {
    serialize(value);
    return true;
  } catch {
    return false;
  }
}

function describeLeaf(value: unknown): string | undefined {
  if (typeof value === 'symbol') return 'symbol';
  if (typeof value !== 'function') return undefined;
  const name = typeof value.name === 'string' && value.name !== '' ? ` ${value.name}` : '';
  return /^class\b/.test(Function.prototype.toString.call(value)) ? `class${name}` : `function${name}`;
}

function plural(leaf: string): string {
  return leaf.startsWith('class') ? 'classes' : leaf.startsWith('function') ? 'functions' : 'symbols';
}

function isClassInstance(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto !== null && !PLAIN_PROTOTYPES.has(proto) && !types.isProxy(value);
}

// Node's classes by the name their module exports them under, the rest by their constructor's name.
function className(value: object): string {
  if (value instanceof Socket) return value.constructor === Socket ? 'net.Socket' : `${value.constructor.name} (a net.Socket)`;
  if (value instanceof Server) return value.constructor === Server ? 'net.Server' : `${value.constructor.name} (a net.Server)`;
  if (types.isPromise(value)) return 'Promise';
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  if (typeof ctor === 'function' && ctor.name) return ctor.name;
  return Object.prototype.toString.call(value).slice(8, -1);
}

const PLAIN_PROTOTYPES = new Set<unknown>([Object.prototype, Array.prototype, Map.prototype, Set.prototype]);
