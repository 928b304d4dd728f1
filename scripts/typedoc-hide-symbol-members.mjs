// typedoc plugin: hides the members keyed by the library's private symbols (src/internal/symbols.ts),
// which are how its own modules talk to a Process or a Queue, not API. Members keyed by well-known
// symbols (`[Symbol.asyncDispose]`, `[Symbol.asyncIterator]`) stay documented.
import { Converter, ReflectionKind } from 'typedoc';

const WELL_KNOWN = /^\[(Symbol\.)?(asyncDispose|dispose|asyncIterator|iterator)\]$/;
const MEMBER = ReflectionKind.Property | ReflectionKind.Method | ReflectionKind.Accessor;

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reflection of context.project.getReflectionsByKind(MEMBER)) {
      if (reflection.name.startsWith('[') && !WELL_KNOWN.test(reflection.name)) context.project.removeReflection(reflection);
    }
  });
}
