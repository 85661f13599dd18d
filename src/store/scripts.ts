/**
 * Lua scripts that make a commit atomic: the record, its audit events and its chat events are
 * written together, guarded by the record's version, or not at all.
 */
import { LuaScript } from '../redis/lua-script';

/** Appends audit events (to the rollback's and the global stream) and outbox events, from ARGV[base+1…]. */
const APPEND_EVENTS = `
local function appendEvents(auditKey, globalKey, outboxKey, pendingKey, id, base, auditCount, outboxCount, maxLen)
  for i = 1, auditCount do
    local e = ARGV[base + i]
    redis.call("XADD", auditKey, "*", "e", e)
    redis.call("XADD", globalKey, "MAXLEN", "~", maxLen, "*", "e", e)
  end
  for i = 1, outboxCount do
    redis.call("XADD", outboxKey, "*", "e", ARGV[base + auditCount + i])
  end
  if outboxCount > 0 then redis.call("SADD", pendingKey, id) end
end
`;

/**
 * KEYS: record, active, idempotency, index, serviceIndex, audit, globalAudit, outbox, outboxPending
 * ARGV: id, recordJson, requestedAt, idempotencyTtlSeconds, useIdempotency ("1"/"0"), auditCount,
 *       outboxCount, globalAuditMaxLen, then audit JSONs, then outbox JSONs
 * Returns {"created"} | {"duplicate", existingId} | {"active", activeId}
 */
export const CREATE_SCRIPT = new LuaScript(`${APPEND_EVENTS}
local id = ARGV[1]
if ARGV[5] == "1" then
  local existing = redis.call("GET", KEYS[3])
  if existing then return {"duplicate", existing} end
end
local active = redis.call("GET", KEYS[2])
if active then return {"active", active} end
redis.call("SET", KEYS[2], id)
if ARGV[5] == "1" then redis.call("SET", KEYS[3], id, "EX", tonumber(ARGV[4])) end
redis.call("HSET", KEYS[1], "v", 1, "json", ARGV[2])
redis.call("ZADD", KEYS[4], tonumber(ARGV[3]), id)
redis.call("ZADD", KEYS[5], tonumber(ARGV[3]), id)
appendEvents(KEYS[6], KEYS[7], KEYS[8], KEYS[9], id, 8, tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8])
return {"created"}
`);

/**
 * KEYS: record, active, audit, globalAudit, outbox, outboxPending
 * ARGV: id, expectedVersion, recordJson, releaseActive ("1"/"0"), auditCount, outboxCount,
 *       globalAuditMaxLen, then audit JSONs, then outbox JSONs
 * Returns the new version, or -1 when the version did not match, -2 when the record is missing.
 */
export const COMMIT_SCRIPT = new LuaScript(`${APPEND_EVENTS}
local current = redis.call("HGET", KEYS[1], "v")
if not current then return -2 end
if tonumber(current) ~= tonumber(ARGV[2]) then return -1 end
local nextVersion = tonumber(current) + 1
redis.call("HSET", KEYS[1], "v", nextVersion, "json", ARGV[3])
if ARGV[4] == "1" and redis.call("GET", KEYS[2]) == ARGV[1] then redis.call("DEL", KEYS[2]) end
appendEvents(KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[1], 7, tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7])
return nextVersion
`);

/** KEYS: lock. ARGV: token. Deletes the lock only if we still hold it. */
export const RELEASE_LOCK_SCRIPT = new LuaScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0
`);
