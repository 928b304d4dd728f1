// A short hash of a function's source: lets a child check it imported the function the parent meant.
// It only has to tell apart the functions of one module, so a 53-bit non-cryptographic hash (cyrb53)
// does; node:crypto would cost every child ~2 ms of start-up to load.
export function fingerprint(fn: Function): string {
  const source = Function.prototype.toString.call(fn);
  let h1 = 0xdeadbeef ^ source.length;
  let h2 = 0x41c6ce57 ^ source.length;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (0x100000000 * (h2 & 0x1fffff) + (h1 >>> 0)).toString(36);
}
