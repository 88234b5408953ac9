/* Staff sessions recently read from the database, by the hash of their
 * token, so that most requests are authenticated without a query.
 *
 * An entry stands while both hold:
 * - no transaction of this process has ended or changed a session or an
 *   account since it was read (tc_db_auth_epoch): a logout, an account
 *   edit or disable, a password change, a purge takes effect at once;
 * - it is younger than the cache's ttl: what another process changed (a
 *   command-line account edit, a second server on the same PostgreSQL)
 *   is seen within that time.
 * Expiry and idle time are still checked on every request, from the
 * entry. And every write a request makes checks its actor again inside
 * its own transaction (tc_actor_still_current), which sees any end that
 * committed before it (an import already running goes on to its end). */
#ifndef TC_AUTHCACHE_H
#define TC_AUTHCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../crypto/secret.h"
#include "../domain/access.h"

struct tc_arena;
struct tc_authcache;

/* `slots` entries (a power of two), each good for at most ttl_us. */
struct tc_authcache *tc_authcache_new(size_t slots, int64_t ttl_us);
void tc_authcache_free(struct tc_authcache *ac);

/* The entry for a token's hash, if it stands at `epoch` (read before the
 * caller would look the token up) and monotonic time now_us: fills *actor
 * (its strings copied into a) and *last_seen. False when there is none. */
bool tc_authcache_get(struct tc_authcache *ac, const char hash[TC_SHA256_HEX],
                      uint64_t epoch, int64_t now_us, struct tc_arena *a,
                      struct tc_actor *actor, int64_t *last_seen);

/* Keeps what a lookup found. `epoch` must be the one read before the
 * lookup, so that an entry read before a change that committed meanwhile
 * never stands after it. Strings are copied. */
void tc_authcache_put(struct tc_authcache *ac, const char hash[TC_SHA256_HEX],
                      uint64_t epoch, int64_t now_us, const struct tc_actor *actor,
                      int64_t last_seen);

/* The session's last-seen time is being written: the entry keeps it, so
 * that the next requests neither write it again nor see it as idle. */
void tc_authcache_seen(struct tc_authcache *ac, const char hash[TC_SHA256_HEX],
                       int64_t last_seen);

#endif
