#pragma once
// The Lua scripts of the Redis log store (see redis_log_machine.hpp for the
// rule they enforce). Leases live in {ioc:P}:gateways as
// field = gateway id, value = "<applied position> <expiry, Redis ms>".
// Time comes from Redis (TIME), so gateways' clocks do not matter.

namespace ioc::gateway {

// KEYS: checkpoint, checkpoint_pos, gateways, checkpoint_chunks.
// ARGV: gateway id, lease ms.
// Returns {checkpoint or nil, its position, the chunks as [field, bytes, ...]},
// and takes a lease at that position in the same step, so no trim can pass
// it before the replay and no checkpoint can change the chunks under it.
inline constexpr const char* recover_script = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pos = redis.call('GET', KEYS[2]) or '0-0'
redis.call('HSET', KEYS[3], ARGV[1], pos .. ' ' .. (now + tonumber(ARGV[2])))
return {redis.call('GET', KEYS[1]), pos, redis.call('HGETALL', KEYS[4])}
)lua";

// KEYS: gateways, checkpoint_pos. ARGV: gateway id, applied position, lease ms.
// 1: renewed. 0: the lease is gone (a trim may have passed this gateway).
// 2: Redis lost the store (no lease and no checkpoint at all, e.g. restarted
//    without persistence): the lease is taken again so the gateway's next
//    checkpoint puts back the state it still holds.
inline constexpr const char* renew_script = R"lua(
local wiped = redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0
if not wiped and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. (now + tonumber(ARGV[3])))
if wiped then return 2 end
return 1
)lua";

// KEYS: checkpoint, checkpoint_pos, gateways, log, checkpoint_chunks.
// ARGV: manifest bytes, its position, gateway id, lease ms, "full" or "part",
//       "1" if the same position may be written again (state changed outside
//       the log: an import), the writer's chunk layout, then chunk number and
//       bytes pairs.
// -1: refused, the writer's lease is gone (its state may have holes).
// -2: refused, a "part" checkpoint but the stored chunks follow another layout
//     (or none): the writer sends a full one.
//  0: refused, not newer than the stored checkpoint.
//  1: stored ("full" replaces every chunk, "part" the ones given); the log
//     trimmed below the previous checkpoint and below every live lease;
//     expired leases deleted.
// A "part" checkpoint is sound because its writer's previous stored
// checkpoint is not newer than the stored one: a chunk it does not send did
// not change between the two, so the stored bytes hold at the new position.
inline constexpr const char* checkpoint_script = R"lua(
local function newer(a, b)
  local a1, a2 = string.match(a, '(%d+)-(%d+)')
  local b1, b2 = string.match(b, '(%d+)-(%d+)')
  a1, a2, b1, b2 = tonumber(a1), tonumber(a2), tonumber(b1), tonumber(b2)
  return a1 > b1 or (a1 == b1 and a2 > b2)
end
if redis.call('HEXISTS', KEYS[3], ARGV[3]) == 0 then return -1 end
local cur = redis.call('GET', KEYS[2])
if cur and not newer(ARGV[2], cur) and not (ARGV[6] == '1' and ARGV[2] == cur) then return 0 end
if ARGV[5] ~= 'full' and redis.call('HGET', KEYS[5], '~layout') ~= ARGV[7] then return -2 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[5] == 'full' then redis.call('UNLINK', KEYS[5]) end
redis.call('HSET', KEYS[5], '~layout', ARGV[7])
for i = 8, #ARGV, 2000 do
  redis.call('HSET', KEYS[5], unpack(ARGV, i, math.min(i + 1999, #ARGV)))
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[2] .. ' ' .. (now + tonumber(ARGV[4])))
if not cur then return 1 end
local floor = cur
local leases = redis.call('HGETALL', KEYS[3])
for i = 1, #leases, 2 do
  local pos, expiry = string.match(leases[i + 1], '(%S+) (%d+)')
  if not expiry or tonumber(expiry) < now then
    redis.call('HDEL', KEYS[3], leases[i])
  elseif newer(floor, pos) then
    floor = pos
  end
end
redis.call('XTRIM', KEYS[4], 'MINID', floor)
return 1
)lua";

}  // namespace ioc::gateway
