import type { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Lexer from 'es-module-lexer';
import { TargetResolutionError } from '../errors/target-resolution-error.js';
import { fingerprint } from './fingerprint.js';
import { throwOnInlinedLibrary } from './inlined-library.js';

/** How a child finds a function: the module to import and the export to call. */
export interface ModuleExportRef {
  readonly module: string;
  readonly exportName: string;
  /** Hash of the function's source, so the child can tell it imported the same function. */
  readonly fingerprint?: string;
}

// Locates the module that defines `fn` and the name it is exported under, synchronously, through
// V8's inspector: `[[FunctionLocation]]` gives the defining script, the script's own (possibly
// transpiled) source gives its export list. Cached per function, so only the first start() pays.
export function locateExportedFunction(fn: Function, role: string): ModuleExportRef {
  const cached = LOCATED.get(fn);
  if (cached) return cached;
  // Before anything else: in an app's bundle, every function would look not exported.
  throwOnInlinedLibrary();
  const label = describe(fn, role);
  if (fn.name === '' || fn.name.startsWith('bound ')) {
    throw notImportable(label, `it is ${fn.name === '' ? 'anonymous' : 'a bound function'}`);
  }
  const facts = inspectFunction(fn);
  const { scriptId } = facts;
  if (!scriptId) throw notImportable(label, 'it is a built-in or native function');
  const script = findScript(scriptId);
  const url = script.url;
  if (!url || !/^(file|data|node):/.test(url)) {
    throw notImportable(label, `it was defined in ${url ? `\`${url}\`` : 'an evaluated string (eval, REPL, -e)'}`);
  }
  const exports = getModuleExports(url, () => ('source' in script ? script.source : readSource(url, scriptId, fn)));
  let exportName: string | undefined;
  if (exports) {
    if (facts.enclosingScope) {
      throw notImportable(label, `it is defined inside another function (it closes over a ${facts.enclosingScope} scope)`, url);
    }
    exportName = fn.name === 'default' ? 'default' : exports.get(fn.name);
  } else {
    exportName = findCommonJsExport(url, fn);
  }
  if (exportName === undefined) {
    const reason = 'its module does not export it (or it is a closure or a class method)';
    throw exports ? notImportable(label, reason, url) : notImportable(label, reason, url, commonJsFix(fn.name));
  }
  const ref: ModuleExportRef = { module: url, exportName, fingerprint: fingerprint(fn) };
  LOCATED.set(fn, ref);
  return ref;
}

function describe(fn: Function, role: string): string {
  return `The ${role} ${fn.name ? `\`${fn.name}\`` : '(anonymous function)'}`;
}

function notImportable(label: string, reason: string, module?: string, fix = ESM_FIX): TargetResolutionError {
  return new TargetResolutionError(
    `${label} cannot be imported by a child process: ${reason}. ` +
      'A child process imports its target by name, so the target must be a function (or Process subclass) ' +
      `that a module exports at top level, ${fix}; or pass \`{ module, export }\` explicitly.`,
    { module, exportName: undefined },
  );
}

// In a CommonJS module `export function` is a syntax error: name the assignment that exports it there.
function commonJsFix(name: string): string {
  return `e.g. \`module.exports.${name} = ${name}\` in a CommonJS module (or \`export function ${name}() {}\` in an ES module)`;
}

interface FunctionFacts {
  scriptId: string | undefined;
  /** The innermost non-module scope a closure captures, if any. */
  enclosingScope: string | undefined;
}

function inspectFunction(fn: Function): FunctionFacts {
  const session = getSession();
  const holder = globalThis as Record<symbol, unknown>;
  holder[PROBE_KEY] = fn;
  try {
    const { result } = post<EvaluateResult>(session, 'Runtime.evaluate', {
      expression: `globalThis[Symbol.for(${JSON.stringify(PROBE_NAME)})]`,
      objectGroup: OBJECT_GROUP,
    });
    const props = post<PropertiesResult>(session, 'Runtime.getProperties', {
      objectId: result.objectId,
      ownProperties: true,
    });
    const internal = props.internalProperties ?? [];
    const location = internal.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as
      | { scriptId: string }
      | undefined;
    const scopesId = internal.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
    let enclosingScope: string | undefined;
    if (scopesId) {
      const scopes = post<PropertiesResult>(session, 'Runtime.getProperties', { objectId: scopesId, ownProperties: true });
      const enclosing = scopes.result
        .filter((p) => /^\d+$/.test(p.name) && /^(Closure|Local|Block|Catch|With)/.test(p.value?.description ?? ''))
        .filter((p) => !isOwnClassScope(session, p.value, fn.name));
      enclosingScope = enclosing[0]?.value?.description;
    }
    return { scriptId: location?.scriptId, enclosingScope };
  } finally {
    delete holder[PROBE_KEY];
    post(session, 'Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
  }
}

// A class's methods see a Block scope holding just the class's own name (its inner binding, used by
// `this instanceof Worker` or `Worker.count`): that is the class itself, which a child imports too.
function isOwnClassScope(session: Session, scope: RemoteObject | undefined, name: string): boolean {
  if (!scope?.objectId || !scope.description?.startsWith('Block') || name === '') return false;
  const { result } = post<PropertiesResult>(session, 'Runtime.getProperties', { objectId: scope.objectId, ownProperties: true });
  return result.length > 0 && result.every((variable) => variable.name === name);
}

// The script's URL; and its source (`source` set, possibly to undefined) when finding the URL took the
// debugger, which reads the source in the same pass.
function findScript(scriptId: string): { url: string | undefined; source?: string | undefined } {
  if (!SCRIPT_URLS.has(scriptId)) addUrlsFromCoverage();
  if (SCRIPT_URLS.has(scriptId)) return { url: SCRIPT_URLS.get(scriptId) };
  const source = readWithDebugger(scriptId);
  return { url: SCRIPT_URLS.get(scriptId), source };
}

// Coverage lists, with their URLs, the scripts whose code has run, which includes every module
// whose top level was evaluated. It costs ~3 ms; the debugger's list (below) ~20 ms with RxJS loaded,
// as enabling it replays every loaded script and hashes each one's source.
function addUrlsFromCoverage(): void {
  const session = getSession();
  post(session, 'Profiler.enable', {});
  try {
    const { result } = post<{ result: { scriptId: string; url: string }[] }>(session, 'Profiler.getBestEffortCoverage', {});
    for (const script of result) if (script.url) SCRIPT_URLS.set(script.scriptId, script.url);
  } finally {
    post(session, 'Profiler.disable', {});
  }
}

// Enabling the debugger replays `scriptParsed` for every loaded script (filling SCRIPT_URLS); the
// script's source is read in the same pass, and the debugger is disabled again at once so the process
// does not keep paying for it.
function readWithDebugger(scriptId: string): string | undefined {
  const session = getSession();
  post(session, 'Debugger.enable', {});
  try {
    return post<{ scriptSource: string }>(session, 'Debugger.getScriptSource', { scriptId }).scriptSource;
  } catch {
    return undefined;
  } finally {
    post(session, 'Debugger.disable', {});
  }
}

// A JavaScript file is read from disk when it holds the function's source as V8 has it (no loader
// transformed it); anything else — TypeScript under a loader, a data: URL — through the debugger.
function readSource(url: string, scriptId: string, fn: Function): string | undefined {
  if (/^file:.*\.[cm]?js$/.test(url)) {
    try {
      const source = readFileSync(fileURLToPath(url), 'utf8');
      if (source.includes(Function.prototype.toString.call(fn))) return source;
    } catch {
      // Gone or unreadable since it was loaded: ask the debugger.
    }
  }
  return readWithDebugger(scriptId);
}

// Export list of an ES module keyed by local binding name, or undefined for CommonJS. The source is
// read only for a module not seen before.
function getModuleExports(url: string, readModuleSource: () => string | undefined): Map<string, string> | undefined {
  if (EXPORTS.has(url)) return EXPORTS.get(url) ?? undefined;
  const source = COMMONJS_FILE.test(url) ? undefined : readModuleSource();
  let exports: Map<string, string> | null = null;
  if (source !== undefined) {
    // Loaded on first use: children that never start processes should not pay for the lexer.
    const lexer = requireFromHere('es-module-lexer') as typeof Lexer;
    lexer.initSync();
    try {
      // Static import/export or import.meta, as Node itself tells an ES module from CommonJS. A dynamic
      // import() is not module syntax: CommonJS uses it to load ES modules (this library, before
      // require(esm)), and its functions would then be taken for closures over the module wrapper.
      const [, found, , hasModuleSyntax] = lexer.parse(source);
      if (hasModuleSyntax || found.length > 0 || ESM_FILE.test(url)) {
        exports = new Map();
        for (const e of found) if (e.ln !== undefined && !exports.has(e.ln)) exports.set(e.ln, e.n);
      }
    } catch {
      exports = null;
    }
  }
  EXPORTS.set(url, exports);
  return exports ?? undefined;
}

// A CommonJS module's top level is itself a closure, so scopes cannot tell a nested function from a
// top-level one; module.exports can, by identity. A module not (yet) in the require cache falls back
// to the function's name, which the child checks when it imports it.
function findCommonJsExport(url: string, fn: Function): string | undefined {
  if (!url.startsWith('file:')) return fn.name;
  const cached = requireFromHere.cache[fileURLToPath(url)];
  if (!cached) return fn.name;
  const exported = cached.exports as unknown;
  if (exported === fn) return 'default';
  if (typeof exported !== 'object' || exported === null) return undefined;
  return Object.keys(exported).find((key) => (exported as Record<string, unknown>)[key] === fn);
}

function getSession(): Session {
  if (!session) {
    const inspector = requireFromHere('node:inspector') as typeof import('node:inspector');
    session = new inspector.Session();
    session.connect();
    session.on('Debugger.scriptParsed', (event) => {
      SCRIPT_URLS.set(event.params.scriptId, event.params.url);
    });
  }
  return session;
}

// The inspector answers a same-thread session synchronously; this turns that into a return value.
function post<T = unknown>(s: Session, method: string, params: object): T {
  let outcome: { error: Error | null; result: T } | undefined;
  (s.post as (m: string, p: object, cb: (e: Error | null, r: T) => void) => void)(method, params, (error, result) => {
    outcome = { error, result };
  });
  if (!outcome) throw new Error(`inspector call ${method} did not answer synchronously`);
  if (outcome.error) throw outcome.error;
  return outcome.result;
}

interface RemoteObject {
  objectId?: string;
  description?: string;
  value?: unknown;
}
interface EvaluateResult {
  result: RemoteObject;
}
interface PropertiesResult {
  result: { name: string; value?: RemoteObject }[];
  internalProperties?: { name: string; value?: RemoteObject }[];
}

let session: Session | undefined;
const requireFromHere = createRequire(import.meta.url);
const LOCATED = new WeakMap<Function, ModuleExportRef>();
const SCRIPT_URLS = new Map<string, string>();
const EXPORTS = new Map<string, Map<string, string> | null>();
const PROBE_NAME = 'rx-multiprocessing.probe';
const PROBE_KEY = Symbol.for(PROBE_NAME);
const OBJECT_GROUP = 'rx-multiprocessing';
const ESM_FIX = 'e.g. `export function work() {}`';
const COMMONJS_FILE = /\.c[jt]s($|\?)/;
const ESM_FILE = /\.m[jt]s($|\?)/;
