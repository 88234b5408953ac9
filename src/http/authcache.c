/* The staff session cache (authcache.h): a direct-mapped table, one
 * entry per slot (a newer session that maps to a taken slot replaces
 * it), locked in stripes so that the HTTP threads rarely meet. */
#include "authcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/util.h"

#define STRIPES 64

struct entry {
	char hash[TC_SHA256_HEX]; /* "" for a free slot */
	uint64_t epoch;
	int64_t read_us; /* monotonic time of the database read */
	int64_t last_seen;
	struct tc_actor actor; /* its strings point into text */
	char *text;
};

struct tc_authcache {
	size_t mask;
	int64_t ttl_us;
	pthread_mutex_t mu[STRIPES];
	struct entry *slots;
};

struct tc_authcache *tc_authcache_new(size_t slots, int64_t ttl_us)
{
	struct tc_authcache *ac = tc_xcalloc(1, sizeof(*ac));

	if (slots < STRIPES || (slots & (slots - 1)) != 0)
		tc_die("authcache: %zu slots is not a power of two >= %d", slots,
		       STRIPES);
	ac->mask = slots - 1;
	ac->ttl_us = ttl_us;
	ac->slots = tc_xcalloc(slots, sizeof(*ac->slots));
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&ac->mu[i], NULL);
	return ac;
}

void tc_authcache_free(struct tc_authcache *ac)
{
	if (ac == NULL)
		return;
	for (size_t i = 0; i <= ac->mask; i++)
		free(ac->slots[i].text);
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&ac->mu[i]);
	free(ac->slots);
	free(ac);
}

/* The hash is a SHA-256 in hex: any 8 of its digits are uniform. */
static size_t slot_of(const struct tc_authcache *ac, const char *hash)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		char ch = hash[i];
		v = v << 4 | (uint32_t)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
	}
	return v & ac->mask;
}

static pthread_mutex_t *lock_of(struct tc_authcache *ac, size_t slot)
{
	pthread_mutex_t *mu = &ac->mu[slot % STRIPES];
	pthread_mutex_lock(mu);
	return mu;
}

static const char *dup_opt(struct tc_arena *a, const char *s)
{
	return s ? tc_arena_strdup(a, s) : NULL;
}

bool tc_authcache_get(struct tc_authcache *ac, const char hash[TC_SHA256_HEX],
                      uint64_t epoch, int64_t now_us, struct tc_arena *a,
                      struct tc_actor *actor, int64_t *last_seen)
{
	size_t i = slot_of(ac, hash);
	struct entry *e = &ac->slots[i];
	pthread_mutex_t *mu = lock_of(ac, i);
	bool hit = e->hash[0] && e->epoch == epoch && now_us - e->read_us < ac->ttl_us &&
	           now_us >= e->read_us && memcmp(e->hash, hash, TC_SHA256_HEX) == 0;

	if (hit) {
		*actor = e->actor;
		actor->username = dup_opt(a, e->actor.username);
		actor->scope = dup_opt(a, e->actor.scope);
		actor->unit_code = dup_opt(a, e->actor.unit_code);
		*last_seen = e->last_seen;
	}
	pthread_mutex_unlock(mu);
	return hit;
}

/* Copies the actor's strings into one block the entry owns. */
static char *keep_strings(struct tc_actor *dst, const struct tc_actor *src)
{
	const char *s[3] = { src->username, src->scope, src->unit_code };
	size_t len[3], total = 0;
	char *text, *p;

	for (int k = 0; k < 3; k++) {
		len[k] = s[k] ? strlen(s[k]) + 1 : 0;
		total += len[k];
	}
	text = p = tc_xmalloc(total ? total : 1);
	const char **out[3] = { &dst->username, &dst->scope, &dst->unit_code };
	for (int k = 0; k < 3; k++) {
		*out[k] = s[k] ? memcpy(p, s[k], len[k]) : NULL;
		p += len[k];
	}
	return text;
}

void tc_authcache_put(struct tc_authcache *ac, const char hash[TC_SHA256_HEX],
                      uint64_t epoch, int64_t now_us, const struct tc_actor *actor,
                      int64_t last_seen)
{
	size_t i = slot_of(ac, hash);
	struct entry *e = &ac->slots[i];
	struct tc_actor copy = *actor;
	char *text = keep_strings(&copy, actor);
	char *old;
	pthread_mutex_t *mu = lock_of(ac, i);

	copy.authenticated = false; /* the caller's checks decide */
	copy.citizen_phone = NULL;

	old = e->text;
	memcpy(e->hash, hash, TC_SHA256_HEX);
	e->epoch = epoch;
	e->read_us = now_us;
	e->last_seen = last_seen;
	e->actor = copy;
	e->text = text;
	pthread_mutex_unlock(mu);
	free(old);
}

void tc_authcache_seen(struct tc_authcache *ac, const char hash[TC_SHA256_HEX],
                       int64_t last_seen)
{
	size_t i = slot_of(ac, hash);
	struct entry *e = &ac->slots[i];
	pthread_mutex_t *mu = lock_of(ac, i);

	if (memcmp(e->hash, hash, TC_SHA256_HEX) == 0 && e->last_seen < last_seen)
		e->last_seen = last_seen;
	pthread_mutex_unlock(mu);
}
