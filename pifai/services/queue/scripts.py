"""The worker's Lua scripts: Redis runs each atomically."""

from __future__ import annotations

# Moves due retries from the sorted set to their streams atomically: never lost, never
# doubled, however many workers promote at once.
PROMOTE_SCRIPT = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, member in ipairs(due) do
  local kind, org, task = string.match(member, '^(.+)|([^|]+)|([^|]+)$')
  if kind then
    redis.call('XADD', ARGV[3] .. kind, '*', 'task', task, 'org', org)
  end
  redis.call('ZREM', KEYS[1], member)
end
return #due
"""

# Renews only entries this consumer still owns: a plain XCLAIM would steal back an
# entry another worker has already taken over. Returns the ids no longer ours.
RENEW_SCRIPT = """
local lost = {}
for i = 3, #ARGV do
  local info = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if info[1] and info[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
"""
