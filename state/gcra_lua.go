package state

import "github.com/redis/go-redis/v9"

// gcraScript is quota.Decide over several buckets at once, on the
// server's clock, all or none. KEYS are the buckets; ARGV holds, for each,
// its interval and its tolerance (interval × (burst − 1)), in
// microseconds. It answers {0, 0} when every bucket admits the call, and
// otherwise {i, wait}: the 1-based bucket that admits it last and the
// microseconds until it does. A bucket's value is its theoretical arrival
// time in microseconds, kept until it is reached.
var gcraScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local refused, wait = 0, 0
local tats = {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local tolerance = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i])) or now
  if tat < now then tat = now end
  local ahead = tat - now
  if ahead > tolerance and ahead - tolerance > wait then
    refused, wait = i, ahead - tolerance
  end
  tats[i] = tat + interval
end
if refused > 0 then
  return {refused, wait}
end
for i = 1, #KEYS do
  local ttl = math.ceil((tats[i] - now) / 1000) + 1
  redis.call('SET', KEYS[i], string.format('%.0f', tats[i]), 'PX', ttl)
end
return {0, 0}
`)
