import { createHash } from 'node:crypto';

// A short hash of a function's source: lets a child check it imported the function the parent meant.
export function fingerprint(fn: Function): string {
  return createHash('sha1').update(Function.prototype.toString.call(fn)).digest('base64url');
}
