/**
 * The Lua scripts of shared admission: each decision of the wait list and
 * the slots is one script, so it is atomic across every gateway process and
 * costs one round trip.
 *
 * Keys (all under the gateway's one hash tag, so they run on Redis Cluster):
 * - `waiters` (ZSET waiter id → expiry ms) and `waiter-info` (HASH waiter
 *   id → the keys it is listed in, newline-separated): a waiter whose
 *   process stopped renewing leaves every list when its expiry passes.
 * - per instance: `slots` (ZSET lease id → expiry ms: the live leases are
 *   the slots taken), `line` (ZSET waiter id → order, FIFO), `room:n` and
 *   `room:s` (ZSET of the waiters charged to this instance's non-stream and
 *   stream waiting room).
 *
 * Time is Redis's own (`TIME`), so processes on machines whose clocks
 * disagree still agree on expiries and order.
 */

/** Shared by every script: the clock, and the pruning of waiters whose process stopped renewing them. */
const prelude = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function removeWaiter(waiters, info, id)
  local listed = redis.call('HGET', info, id)
  if listed then
    for key in string.gmatch(listed, '[^\\n]+') do redis.call('ZREM', key, id) end
    redis.call('HDEL', info, id)
  end
  redis.call('ZREM', waiters, id)
end
local function pruneWaiters(waiters, info)
  local expired = redis.call('ZRANGEBYSCORE', waiters, '-inf', now, 'LIMIT', 0, 100)
  for _, id in ipairs(expired) do removeWaiter(waiters, info, id) end
end
`;

/**
 * A newcomer (or a fallback, admitted before): a slot on the first open
 * candidate whose free slots outnumber its waiters, else a place in line on
 * every candidate with its room charged to the one with the most room left,
 * else full.
 *
 * KEYS: waiters, waiter-info, then per candidate: slots, line, room:n, room:s.
 * ARGV: id, kind ('n' | 's'), ttl ms, order (a fallback's original order, or ''),
 *   room ('0': needs room, '1': regardless of room, '-': may not wait at all),
 *   then per candidate: concurrency, room n, room s, open ('1' | '0').
 * Returns {outcome, a, b, c, then per candidate: active, waiting non-stream, waiting stream}:
 *   {'slot', candidate (from 1)} | {'queued', charged candidate, order, position} | {'full'}
 *   | {'timeout'} (no slot, and no time left to wait). A 'queued' that made room by moving another
 *   waiter to another of its instances ends with that waiter's id and its new room's key.
 *
 * The rooms' limits live in the hash `rooms` (room key → limit), written by each
 * admission that finds its candidates full, so a move knows the room it goes to.
 */
export const admitScript = `${prelude}
local waiters, info = KEYS[1], KEYS[2]
local id, kind, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local count = (#KEYS - 2) / 4
local function answer(outcome, a, b, c)
  local reply = {outcome, a, b, c}
  for k = 0, count - 1 do
    reply[#reply + 1] = redis.call('ZCARD', KEYS[3 + 4 * k])
    reply[#reply + 1] = redis.call('ZCARD', KEYS[5 + 4 * k])
    reply[#reply + 1] = redis.call('ZCARD', KEYS[6 + 4 * k])
  end
  return reply
end
pruneWaiters(waiters, info)
for c = 0, count - 1 do
  local slots, line = KEYS[3 + 4 * c], KEYS[4 + 4 * c]
  redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
  if ARGV[9 + 4 * c] == '1' then
    local active = redis.call('ZCARD', slots)
    if tonumber(ARGV[6 + 4 * c]) - active > redis.call('ZCARD', line) then
      redis.call('ZADD', slots, now + ttl, id)
      return answer('slot', c + 1, 0, 0)
    end
  end
end
if ARGV[5] == '-' then return answer('timeout', 0, 0, 0) end
local roomOffset = kind == 'n' and 0 or 1
local best, bestLeft = 0, nil
for c = 0, count - 1 do
  local left = tonumber(ARGV[7 + 4 * c + roomOffset]) - redis.call('ZCARD', KEYS[5 + 4 * c + roomOffset])
  if bestLeft == nil or left > bestLeft then
    best, bestLeft = c, left
  end
end
local moved = nil
if bestLeft <= 0 and ARGV[5] ~= '1' then
  -- Every candidate's room is taken, maybe by waiters another of their own instances has room for: one moves there.
  local rooms = string.sub(waiters, 1, #waiters - 7) .. 'rooms'
  local suffix = kind == 'n' and 'room:n' or 'room:s'
  for c = 0, count - 1 do redis.call('HSET', rooms, KEYS[5 + 4 * c + roomOffset], ARGV[7 + 4 * c + roomOffset]) end
  for c = 0, count - 1 do
    if moved then break end
    local room = KEYS[5 + 4 * c + roomOffset]
    for _, w in ipairs(redis.call('ZRANGE', room, 0, 999)) do
      local listed = redis.call('HGET', info, w)
      if listed then
        local first, target, targetLeft = true, nil, 0
        for key in string.gmatch(listed, '[^\\n]+') do
          if first then
            first = false
          else
            local other = string.sub(key, 1, #key - 4) .. suffix
            if other ~= room then
              local left = tonumber(redis.call('HGET', rooms, other) or '0') - redis.call('ZCARD', other)
              if left > targetLeft then target, targetLeft = other, left end
            end
          end
        end
        if target then
          redis.call('ZADD', target, redis.call('ZSCORE', room, w), w)
          redis.call('ZREM', room, w)
          redis.call('HSET', info, w, target .. string.sub(listed, #room + 1))
          moved = {w, target}
          best = c
          break
        end
      end
    end
  end
  if not moved then return answer('full', 0, 0, 0) end
end
local order = ARGV[4]
if order == '' then order = string.format('%.0f', tonumber(clock[1]) * 1000000 + tonumber(clock[2])) end
local room = KEYS[5 + 4 * best + roomOffset]
local listed = room
local position = nil
for c = 0, count - 1 do
  local line = KEYS[4 + 4 * c]
  redis.call('ZADD', line, order, id)
  listed = listed .. '\\n' .. line
  local rank = redis.call('ZRANK', line, id)
  if position == nil or rank < position then position = rank end
end
redis.call('ZADD', room, order, id)
redis.call('ZADD', waiters, now + ttl, id)
redis.call('HSET', info, id, listed)
local reply = answer('queued', best + 1, order, position + 1)
if moved then
  reply[#reply + 1] = moved[1]
  reply[#reply + 1] = moved[2]
end
return reply
`;

/**
 * A waiter asks again (a slot was freed, or its poll came round): it takes
 * a slot of an open candidate where fewer waiters are ahead of it than slots
 * are free, and leaves every list; otherwise it learns its position.
 *
 * KEYS: waiters, waiter-info, then per candidate: slots, line.
 * ARGV: id, ttl ms, then per candidate: concurrency, open ('1' | '0').
 * Returns {'slot', candidate (from 1), active} | {'wait', position} | {'gone'} (it expired: ask again as a fallback).
 */
export const retryScript = `${prelude}
local waiters, info = KEYS[1], KEYS[2]
local id, ttl = ARGV[1], tonumber(ARGV[2])
local count = (#KEYS - 2) / 2
pruneWaiters(waiters, info)
if not redis.call('ZSCORE', waiters, id) then return {'gone'} end
local position = nil
for c = 0, count - 1 do
  local slots, line = KEYS[3 + 2 * c], KEYS[4 + 2 * c]
  redis.call('ZREMRANGEBYSCORE', slots, '-inf', now)
  local rank = redis.call('ZRANK', line, id)
  if rank then
    if ARGV[4 + 2 * c] == '1' then
      local active = redis.call('ZCARD', slots)
      if rank < tonumber(ARGV[3 + 2 * c]) - active then
        redis.call('ZADD', slots, now + ttl, id)
        removeWaiter(waiters, info, id)
        return {'slot', c + 1, active + 1}
      end
    end
    if position == nil or rank < position then position = rank end
  end
end
return {'wait', (position or 0) + 1}
`;

/** A waiter leaves (its client left, its wait ran out). KEYS: waiters, waiter-info. ARGV: id. */
export const leaveScript = `${prelude}
removeWaiter(KEYS[1], KEYS[2], ARGV[1])
return 1
`;

/**
 * A slot is given back; when someone waits for the instance, every process
 * hears of it on the channel (a lost message only delays: waiters poll).
 *
 * KEYS: slots, line. ARGV: lease id, channel, instance id.
 */
export const releaseScript = `
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZCARD', KEYS[2]) > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return 1
`;

/**
 * This process's heartbeat: renews its leases and waiters (an entry that
 * expired meanwhile is not brought back), and reads every instance's global
 * figures and its waiters' positions.
 *
 * KEYS: waiters, waiter-info, then per instance: slots, line, room:n, room:s.
 * ARGV: ttl ms, lease count, then per lease: instance (from 1), lease id;
 *   then per waiter: instance (from 1) whose line gives its position, waiter id.
 * Returns per instance: active, waiting non-stream, waiting stream; then per waiter: its position (0: gone).
 */
export const heartbeatScript = `${prelude}
local waiters, info = KEYS[1], KEYS[2]
local ttl, leases = tonumber(ARGV[1]), tonumber(ARGV[2])
local count = (#KEYS - 2) / 4
local index = 3
for _ = 1, leases do
  redis.call('ZADD', KEYS[3 + 4 * (tonumber(ARGV[index]) - 1)], 'XX', now + ttl, ARGV[index + 1])
  index = index + 2
end
pruneWaiters(waiters, info)
local answer = {}
for c = 0, count - 1 do
  redis.call('ZREMRANGEBYSCORE', KEYS[3 + 4 * c], '-inf', now)
  answer[#answer + 1] = redis.call('ZCARD', KEYS[3 + 4 * c])
  answer[#answer + 1] = redis.call('ZCARD', KEYS[5 + 4 * c])
  answer[#answer + 1] = redis.call('ZCARD', KEYS[6 + 4 * c])
end
while index <= #ARGV do
  local id = ARGV[index + 1]
  redis.call('ZADD', waiters, 'XX', now + ttl, id)
  local rank = redis.call('ZRANK', KEYS[4 + 4 * (tonumber(ARGV[index]) - 1)], id)
  answer[#answer + 1] = rank and (rank + 1) or 0
  index = index + 2
end
return answer
`;
