import { createHash } from 'node:crypto';

/** A Lua script and its SHA1, for EVALSHA. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

// ARGV[1] of every script is the key TTL (ms): a key a script creates gets it at once, not at the next
// heartbeat, so a queue whose every process dies in between still expires.
function script(name: string, body: string): LuaScript {
  const source = `${KEEP_TTL}${body}`;
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

const KEEP_TTL = `
local function expiring(key)
  if redis.call('PTTL', key) == -1 then redis.call('PEXPIRE', key, ARGV[1]) end
end
-- k items left alive (KEYS alive ev meta as given): wakes the waiters that asked, as ACK describes.
local function settle(alive_key, ev_key, meta_key, k)
  local alive = redis.call('DECRBY', alive_key, k)
  if alive < 0 then
    redis.call('SET', alive_key, 0)
    alive = 0
  end
  local want = redis.call('HMGET', meta_key, 'wantspace', 'wantjoin')
  if want[1] and alive <= tonumber(want[1]) then
    redis.call('HDEL', meta_key, 'wantspace')
    redis.call('XADD', ev_key, 'MAXLEN', '~', 1000, '*', 't', 'space')
    expiring(ev_key)
  end
  if want[2] and alive == 0 then
    redis.call('HDEL', meta_key, 'wantjoin')
    redis.call('XADD', ev_key, 'MAXLEN', '~', 1000, '*', 't', 'joined')
    expiring(ev_key)
  end
end
`;

// Every state change of a queue is one script, so that no reader sees half of it and two nodes
// racing on the same entry are ordered by Redis (design brief §4). Keys are passed, never built
// in Lua, so that Cluster and ACL key patterns see them.

/**
 * KEYS q alive ev meta pseq · ARGV ttl maxsize producer firstSeq count, then per entry: n v h d.
 * Adds entries in order while they fit under maxsize (alive + n <= maxsize), stops at the first that
 * does not. Entry k carries the producer's sequence number firstSeq + k; one at or below the last
 * recorded for that producer was added already (a resend after a lost reply) and is skipped.
 * Returns {added}, or, when fewer than all fit, {added, lastEventId}: the id of the last wake-up
 * event, read in the same atomic step, so that a `space` event written after it cannot be missed.
 */
export const PUT = script(
  'put',
  `
local maxsize = tonumber(ARGV[2])
local first = tonumber(ARGV[4])
local count = tonumber(ARGV[5])
local last = tonumber(redis.call('HGET', KEYS[5], ARGV[3]) or '-1')
local start = tonumber(redis.call('GET', KEYS[2]) or '0')
local alive = start
local added = 0
for e = 1, count do
  local i = 2 + 4 * e
  local seq = first + e - 1
  if seq > last then
    local n = tonumber(ARGV[i])
    if maxsize > 0 and alive + n > maxsize then break end
    if ARGV[i + 2] == '' then
      redis.call('XADD', KEYS[1], '*', 'n', ARGV[i], 'v', ARGV[i + 1], 'd', ARGV[i + 3])
    else
      redis.call('XADD', KEYS[1], '*', 'n', ARGV[i], 'v', ARGV[i + 1], 'h', ARGV[i + 2], 'd', ARGV[i + 3])
    end
    alive = alive + n
    last = seq
  end
  added = added + 1
end
if alive > start then
  redis.call('INCRBY', KEYS[2], alive - start)
  redis.call('HSET', KEYS[5], ARGV[3], last)
  expiring(KEYS[1])
  expiring(KEYS[2])
  expiring(KEYS[5])
end
if added == count then return {added} end
-- The rest waits for a 'space' event, which the ack script writes once the first entry that did not
-- fit would fit. (Waking at half of maxsize instead, to refill in bulk, measured no faster here with
-- maxsize 1000, and would hold a lone put back after a free slot.)
local need = tonumber(ARGV[2 + 4 * (added + 1)])
local mark = maxsize - need
local asked = tonumber(redis.call('HGET', KEYS[4], 'wantspace') or tostring(maxsize))
redis.call('HSET', KEYS[4], 'wantspace', math.min(mark, asked))
expiring(KEYS[4])
local ev = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
return {added, ev[1] and ev[1][1] or '0-0'}
`,
);

/**
 * KEYS q alive ev hw meta · ARGV ttl maxsize, then per entry: id to n.
 * Marks items [hw, to) of each entry done: an entry done to its end is acknowledged and deleted,
 * a partly done one keeps its mark in hw. Only indices above the mark count, and only while the
 * entry is still pending, so a second node that processed a reclaimed entry settles nothing twice. Settled
 * items leave `alive`; reaching the mark PUT asked for (room for its waiting entry), or zero, writes
 * the event a waiter asked for.
 */
export const ACK = script(
  'ack',
  `
local settled = 0
for i = 3, #ARGV, 3 do
  local id = ARGV[i]
  local to = tonumber(ARGV[i + 1])
  local n = tonumber(ARGV[i + 2])
  -- Still pending (not acknowledged by another consumer): XPENDING, not XRANGE, which would copy
  -- the whole payload into Lua only to test that the entry exists.
  if #redis.call('XPENDING', KEYS[1], 'g', id, id, 1) > 0 then
    local from = tonumber(redis.call('HGET', KEYS[4], id) or '0')
    if to > from then
      if to >= n then
        redis.call('XACK', KEYS[1], 'g', id)
        redis.call('XDEL', KEYS[1], id)
        redis.call('HDEL', KEYS[4], id)
      else
        redis.call('HSET', KEYS[4], id, to)
        expiring(KEYS[4])
      end
      settled = settled + (to - from)
    end
  end
end
if settled == 0 then return 0 end
settle(KEYS[2], KEYS[3], KEYS[5], settled)
return settled
`,
);

/**
 * KEYS alive ev meta · ARGV ttl · returns {0} when nothing is unfinished, else {alive, lastEventId} after asking
 * the ack script for a `joined` event: one atomic step, so the event cannot slip in between.
 */
export const JOIN = script(
  'join',
  `
local alive = tonumber(redis.call('GET', KEYS[1]) or '0')
if alive <= 0 then return {0} end
redis.call('HSET', KEYS[3], 'wantjoin', '1')
expiring(KEYS[3])
local ev = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
return {alive, ev[1] and ev[1][1] or '0-0'}
`,
);

/**
 * KEYS nodes, then every key of the queue · ARGV ttl name deadAfter.
 * Records this node's heartbeat at Redis's clock (node clocks may differ), refreshes every key's TTL
 * (a queue whose nodes all died expires by itself), and returns the nodes silent for deadAfter ms.
 */
export const BEAT = script(
  'beat',
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[2])
for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
return redis.call('ZRANGEBYSCORE', KEYS[1], 0, now - tonumber(ARGV[3]))
`,
);

/**
 * KEYS q hw · ARGV ttl, then per entry: id from n v h d.
 * Hands entries back at shutdown: each entry still pending whose done mark is still `from` is replaced by a new
 * entry holding its unfinished items (n v h d, encoded by the caller), which any consumer can read at
 * once, instead of waiting in this consumer's pending list for the heartbeat deadline. `alive` is
 * unchanged: the items are still unfinished. An entry whose mark moved (another node worked on it)
 * is left pending, for the reaper. Returns the number of entries handed back.
 */
export const REQUEUE = script(
  'requeue',
  `
local back = 0
for i = 2, #ARGV, 6 do
  local id = ARGV[i]
  local pending = redis.call('XPENDING', KEYS[1], 'g', id, id, 1)
  if #pending > 0 and tonumber(redis.call('HGET', KEYS[2], id) or '0') == tonumber(ARGV[i + 1]) then
    -- Its deliveries go with it, as RELEASE carries them: a handler that ends its process on an item
    -- (process.exit() makes this hand-back) must still bring that item to the dead-letter stream.
    local carried = 0
    local entry = redis.call('XRANGE', KEYS[1], id, id)
    if entry[1] then
      local fields = entry[1][2]
      for j = 1, #fields, 2 do
        if fields[j] == 'c' then carried = tonumber(fields[j + 1]) or 0 end
      end
    end
    local c = tostring(carried + tonumber(pending[1][4]))
    if ARGV[i + 4] == '' then
      redis.call('XADD', KEYS[1], '*', 'n', ARGV[i + 2], 'v', ARGV[i + 3], 'd', ARGV[i + 5], 'c', c)
    else
      redis.call('XADD', KEYS[1], '*', 'n', ARGV[i + 2], 'v', ARGV[i + 3], 'h', ARGV[i + 4], 'd', ARGV[i + 5], 'c', c)
    end
    redis.call('XACK', KEYS[1], 'g', id)
    redis.call('XDEL', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    back = back + 1
  end
end
return back
`,
);

/**
 * KEYS q hw nodes · ARGV ttl consumer count.
 * Hands back at once the entries consumer `consumer` holds, for a parent that saw that consumer's
 * process exit: each pending entry is added again as a new entry (its fields as they were, so its
 * signature holds) that any consumer reads at once, with its done mark (hw) moved to the new id and
 * the deliveries it had carried in field `c` (unsigned: a count, as XPENDING's is), so an item that
 * kills every consumer still reaches the dead-letter stream after maxDeliveries. `alive` is
 * unchanged. Removes the consumer once it holds nothing. Returns the entries handed back and the
 * pending entries seen (at most `count`: call again while that is `count`).
 */
export const RELEASE = script(
  'release',
  `
local back = 0
local pending = redis.call('XPENDING', KEYS[1], 'g', '-', '+', tonumber(ARGV[3]), ARGV[2])
for _, p in ipairs(pending) do
  local id = p[1]
  local entry = redis.call('XRANGE', KEYS[1], id, id)
  if entry[1] then
    local fields = entry[1][2]
    local out = {}
    local carried = 0
    for i = 1, #fields, 2 do
      if fields[i] == 'c' then carried = tonumber(fields[i + 1]) or 0
      else
        out[#out + 1] = fields[i]
        out[#out + 1] = fields[i + 1]
      end
    end
    out[#out + 1] = 'c'
    out[#out + 1] = tostring(carried + tonumber(p[4]))
    local new = redis.call('XADD', KEYS[1], '*', unpack(out))
    local mark = redis.call('HGET', KEYS[2], id)
    if mark then
      redis.call('HSET', KEYS[2], new, mark)
      expiring(KEYS[2])
    end
    back = back + 1
  end
  redis.call('XACK', KEYS[1], 'g', id)
  redis.call('XDEL', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
if #pending < tonumber(ARGV[3]) then
  redis.call('XGROUP', 'DELCONSUMER', KEYS[1], 'g', ARGV[2])
  redis.call('ZREM', KEYS[3], ARGV[2])
end
return {back, #pending}
`,
);

/**
 * KEYS q nodes · ARGV ttl consumer · removes `consumer` from the group and the heartbeat set only if
 * it holds no pending entry, in one step: XGROUP DELCONSUMER drops a consumer's pending entries, and
 * a consumer wrongly thought dead (a long pause) could read between a separate check and the delete.
 * Returns 1 if removed.
 */
export const FORGET = script(
  'forget',
  `
if #redis.call('XPENDING', KEYS[1], 'g', '-', '+', 1, ARGV[2]) > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], 'g', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
`,
);

/**
 * KEYS q alive ev hw meta dead · ARGV ttl maxsize id index n payload reason deliveries.
 * Moves item `index` of entry `id` to the dead-letter stream and settles it as done, only if the
 * entry is still pending and its done mark is at that item (another consumer did not get past it):
 * the item that was in hand each time consumers died. `payload` is the item alone, encoded as an entry.
 * Returns 1 if moved.
 */
export const DEAD = script(
  'dead',
  `
local id = ARGV[3]
local index = tonumber(ARGV[4])
local n = tonumber(ARGV[5])
if #redis.call('XPENDING', KEYS[1], 'g', id, id, 1) == 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[4], id) or '0') ~= index then return 0 end
redis.call('XADD', KEYS[6], '*', 'e', id, 'i', index, 'd', ARGV[6], 'r', ARGV[7], 'c', ARGV[8])
expiring(KEYS[6])
if index + 1 >= n then
  redis.call('XACK', KEYS[1], 'g', id)
  redis.call('XDEL', KEYS[1], id)
  redis.call('HDEL', KEYS[4], id)
else
  redis.call('HSET', KEYS[4], id, index + 1)
  expiring(KEYS[4])
end
settle(KEYS[2], KEYS[3], KEYS[5], 1)
return 1
`,
);
