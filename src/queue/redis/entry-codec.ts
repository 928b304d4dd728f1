import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeItems, encodeItemBodies } from '../wire/frame-codec.js';

/** One stream entry as written: item count, format, signature (empty without authkey), payload. */
export interface EncodedEntry {
  readonly n: number;
  readonly v: string;
  readonly h: Buffer | '';
  readonly d: Buffer;
}

/**
 * Cuts `items` into entries of at most `maxItems` items and about MAX_ENTRY_BYTES each, encoded as
 * the local queue encodes a batch (one v8 structured-clone array), and signs each with `authkey`.
 */
export function encodeEntries(items: readonly unknown[], maxItems: number, authkey: Buffer | undefined): EncodedEntry[] {
  const entries: EncodedEntry[] = [];
  for (let start = 0; start < items.length; start += maxItems) {
    for (const { count, body } of encodeBounded(items.slice(start, start + maxItems))) {
      entries.push({ n: count, v: FORMAT, h: authkey ? sign(authkey, FORMAT, count, body) : '', d: body });
    }
  }
  return entries;
}

/** `items` as exactly one entry, however large (a hand-back keeps an entry's items together). */
export function encodeEntry(items: readonly unknown[], authkey: Buffer | undefined): EncodedEntry {
  const [{ count, body }] = encodeItemBodies(items) as [{ count: number; body: Buffer }];
  return { n: count, v: FORMAT, h: authkey ? sign(authkey, FORMAT, count, body) : '', d: body };
}

// Large items make large entries: halve a batch until each part is near MAX_ENTRY_BYTES, so one
// entry never holds a consumer's window hostage (a single huge item stays one entry).
function encodeBounded(items: readonly unknown[]): { count: number; body: Buffer }[] {
  const encoded = encodeItemBodies(items);
  const [only] = encoded;
  if (encoded.length !== 1 || !only || only.body.length <= MAX_ENTRY_BYTES || items.length === 1) return encoded;
  const half = Math.ceil(items.length / 2);
  return [...encodeBounded(items.slice(0, half)), ...encodeBounded(items.slice(half))];
}

/** Why a read entry was refused, or its items. */
export type DecodedEntry<T> = { readonly ok: true; readonly items: T[] } | { readonly ok: false; readonly reason: 'unsigned' | 'wrong signature' | 'malformed' };

/**
 * The items of an entry read from the stream (its field/value list). With `authkey`, the signature
 * is checked before anything is deserialised: v8.deserialize of a stranger's bytes can allocate at
 * will, and this is the gate that keeps those bytes out.
 */
export function decodeEntry<T>(fields: readonly unknown[], authkey: Buffer | undefined): DecodedEntry<T> {
  let n: number | undefined;
  let v: string | undefined;
  let h: Buffer | undefined;
  let d: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = String(fields[i]);
    const value = fields[i + 1];
    if (!Buffer.isBuffer(value)) continue;
    if (name === 'n') n = Number(value.toString());
    else if (name === 'v') v = value.toString();
    else if (name === 'h') h = value;
    else if (name === 'd') d = value;
  }
  if (authkey) {
    if (!h) return { ok: false, reason: 'unsigned' };
    if (n === undefined || v === undefined || !d) return { ok: false, reason: 'wrong signature' };
    const expected = sign(authkey, v, n, d);
    if (h.length !== expected.length || !timingSafeEqual(h, expected)) return { ok: false, reason: 'wrong signature' };
  }
  if (v !== FORMAT || !d || n === undefined || !Number.isSafeInteger(n) || n < 1) return { ok: false, reason: 'malformed' };
  let items: T[];
  try {
    items = decodeItems<T>(d);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!Array.isArray(items) || items.length !== n) return { ok: false, reason: 'malformed' };
  return { ok: true, items };
}

/** The item count an entry claims (untrusted: for settling a refused entry), at least 1. */
export function claimedCount(fields: readonly unknown[]): number {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (String(fields[i]) === 'n') {
      const n = Number(String(fields[i + 1]));
      return Number.isSafeInteger(n) && n >= 1 ? n : 1;
    }
  }
  return 1;
}

/** The deliveries an entry had before a parent handed it back for its dead consumer (field `c`), or 0. */
export function carriedDeliveries(fields: readonly unknown[]): number {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (String(fields[i]) === 'c') {
      const c = Number(String(fields[i + 1]));
      return Number.isSafeInteger(c) && c > 0 ? c : 0;
    }
  }
  return 0;
}

// HMAC-SHA256 over the format, the count and the payload: a signature cannot be moved to other
// bytes, nor the count changed under it.
function sign(authkey: Buffer, format: string, count: number, body: Buffer): Buffer {
  return createHmac('sha256', authkey).update(`${format}:${count}:`).update(body).digest();
}

/** Format 1: `d` is v8.serialize(items[]). A reader refuses formats it does not know. */
const FORMAT = '1';
const MAX_ENTRY_BYTES = 256 * 1024;

/** `value` as one record for a Redis string (a pipeline's description), signed as an entry is. */
export function encodeRecord(value: unknown, authkey: Buffer | undefined): Buffer {
  const { v, h, d } = encodeEntry([value], authkey);
  const head = Buffer.from(JSON.stringify({ v, h: h === '' ? '' : h.toString('base64') }));
  const size = Buffer.alloc(4);
  size.writeUInt32BE(head.length);
  return Buffer.concat([size, head, d]);
}

/** The value of a record encodeRecord wrote, checked as an entry is (signature before deserialisation). */
export function decodeRecord<T>(record: Buffer, authkey: Buffer | undefined): DecodedEntry<T> {
  try {
    const size = record.readUInt32BE(0);
    const head = JSON.parse(record.subarray(4, 4 + size).toString()) as { v?: unknown; h?: unknown };
    if (typeof head.v !== 'string' || typeof head.h !== 'string') return { ok: false, reason: 'malformed' };
    const fields = ['n', Buffer.from('1'), 'v', Buffer.from(head.v), 'd', record.subarray(4 + size)];
    if (head.h !== '') fields.push('h', Buffer.from(head.h, 'base64'));
    return decodeEntry<T>(fields, authkey);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}
