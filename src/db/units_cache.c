/* Administrative units in memory. They are reference data: loaded by
 * migrate, read on almost every request (jurisdiction checks, pickers),
 * and changed only by a later migrate with new files. A generation holds
 * every unit, an index by code, the children of each unit in code order,
 * and the JSON answer listing them. The stored fingerprint (ref_data) is
 * checked at most every ten seconds; a new one loads a new generation.
 * Old generations are kept until the database is closed, because answers
 * in flight may still point into them. */
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/jw.h"
#include "../core/log.h"
#include "../core/tctime.h"
#include "../core/util.h"
#include "dbi.h"
#include "../domain/idnum.h"
#include "records.h"

#define RECHECK_US (10 * 1000000)

struct tc_units {
	struct tc_arena arena;
	char *sha;
	struct tc_unit *units; /* sorted by parent, then code */
	size_t n;
	size_t *index;         /* open addressing: position + 1, 0 = empty */
	size_t cap;
	size_t *first_child;   /* per unit: position of its first child, or n */
	size_t *nchildren;
	const char **json;     /* per unit: the children answer, or NULL */
	size_t *json_len;
	struct tc_units *older; /* retired generations */
	struct tc_cccd_table cccd; /* province codes in CCCD numbers */
};

static struct tc_sql q_all = TC_SQL(
	"SELECT code, level, parent_code, name, name_with_type, type, slug, population,"
	" path, cccd_code FROM units ORDER BY COALESCE(parent_code, ''), code");
static struct tc_sql q_sha = TC_SQL("SELECT sha256 FROM ref_data WHERE name = 'vn-admin'");

static size_t hash(const char *s)
{
	return (size_t)tc_fnv1a(TC_FNV_BASIS, s);
}

static size_t find(const struct tc_units *g, const char *code)
{
	size_t i = hash(code) & (g->cap - 1);
	while (g->index[i]) {
		size_t pos = g->index[i] - 1;
		if (strcmp(g->units[pos].code, code) == 0)
			return pos;
		i = (i + 1) & (g->cap - 1);
	}
	return g->n;
}

static void fill(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_unit *u = item;
	u->code = tc_row_text(r, 0, a);
	u->level = tc_row_text(r, 1, a);
	u->parent_code = tc_row_text(r, 2, a);
	u->name = tc_row_text(r, 3, a);
	u->name_with_type = tc_row_text(r, 4, a);
	u->type = tc_row_text(r, 5, a);
	u->slug = tc_row_text(r, 6, a);
	u->population = tc_row_null(r, 7) ? -1 : tc_row_i64(r, 7);
	u->path = tc_row_text(r, 8, a);
	u->cccd_code = tc_row_text(r, 9, a);
}

static int take_sha(void *cls, const struct tc_dbrow *r)
{
	struct tc_row_into *into = cls;
	*(const char **)into->out = tc_row_text(r, 0, into->a);
	return 1;
}

static void free_generation(struct tc_units *g)
{
	while (g) {
		struct tc_units *older = g->older;
		free(g->index);
		free(g->first_child);
		free(g->nchildren);
		free(g->json);
		free(g->json_len);
		tc_arena_cleanup(&g->arena);
		free(g);
		g = older;
	}
}

static struct tc_units *load(struct tc_dbc *c, const char *sha)
{
	struct tc_units *g = tc_xcalloc(1, sizeof(*g));
	struct tc_rows_into into = {.a = &g->arena, .size = sizeof(struct tc_unit), .fill = fill};
	struct tc_buf b;
	struct tc_jw w;

	tc_arena_init(&g->arena);
	g->sha = tc_arena_strdup(&g->arena, sha ? sha : "");
	if (tc_exec(c, &q_all, NULL, 0, tc_rows_collect, &into) < 0) {
		free_generation(g);
		return NULL;
	}
	g->units = into.items;
	g->n = into.n;
	g->cap = 16;
	while (g->cap < g->n * 2)
		g->cap *= 2;
	g->index = tc_xcalloc(g->cap, sizeof(*g->index));
	g->first_child = tc_xcalloc(g->n + 1, sizeof(size_t));
	g->nchildren = tc_xcalloc(g->n + 1, sizeof(size_t));
	g->json = tc_xcalloc(g->n + 1, sizeof(*g->json));
	g->json_len = tc_xcalloc(g->n + 1, sizeof(size_t));
	for (size_t i = 0; i < g->n; i++) {
		const char *cc = g->units[i].cccd_code;
		int64_t v;
		if (cc && tc_parse_i64(cc, 1, 96, &v))
			g->cccd.province[v] = true;
	}
	for (size_t i = 0; i < g->n; i++) {
		size_t k = hash(g->units[i].code) & (g->cap - 1);
		while (g->index[k])
			k = (k + 1) & (g->cap - 1);
		g->index[k] = i + 1;
		g->first_child[i] = g->n;
	}
	/* children are contiguous: rows come sorted by parent */
	for (size_t i = 0; i < g->n; i++) {
		if (g->units[i].parent_code == NULL)
			continue;
		size_t p = find(g, g->units[i].parent_code);
		if (p == g->n)
			continue;
		if (g->nchildren[p]++ == 0)
			g->first_child[p] = i;
	}
	/* the answers of GET /api/v1/units?parent=CODE, written once */
	tc_buf_init(&b);
	for (size_t p = 0; p < g->n; p++) {
		tc_buf_reset(&b);
		tc_jw_init(&w, &b);
		tc_jw_obj(&w);
		tc_jw_key(&w, "parent");
		tc_jw_unit(&w, &g->units[p]);
		tc_jw_key(&w, "units");
		tc_jw_arr(&w);
		for (size_t k = 0; k < g->nchildren[p]; k++)
			tc_jw_unit(&w, &g->units[g->first_child[p] + k]);
		tc_jw_end(&w);
		tc_jw_end(&w);
		g->json[p] = tc_arena_strndup(&g->arena, b.data, b.len);
		g->json_len[p] = b.len;
	}
	tc_buf_cleanup(&b);
	return g;
}

const struct tc_units *tc_db_units(struct tc_dbc *c)
{
	struct tc_db *db = c->db;
	struct tc_units *g = atomic_load(&db->units);
	int64_t now = tc_mono_us();
	const char *sha = NULL;
	struct tc_arena a;

	if (g && now - atomic_load(&db->units_checked) < RECHECK_US)
		return g;
	/* One thread checks; the others go on with what they have. */
	if (g && pthread_mutex_trylock(&db->units_mu) != 0)
		return g;
	if (!g)
		pthread_mutex_lock(&db->units_mu);
	g = atomic_load(&db->units);
	tc_arena_init(&a);
	struct tc_row_into into = {.a = &a, .out = &sha};
	if (tc_exec(c, &q_sha, NULL, 0, take_sha, &into) < 0) {
		tc_arena_cleanup(&a);
		pthread_mutex_unlock(&db->units_mu);
		return g; /* keep serving the last good copy */
	}
	if (g == NULL || strcmp(g->sha, sha ? sha : "") != 0) {
		struct tc_units *fresh = load(c, sha);
		if (fresh) {
			fresh->older = g;
			atomic_store(&db->units, fresh);
			if (g)
				tc_info("administrative units reloaded (%zu units)", fresh->n);
			g = fresh;
		}
	}
	atomic_store(&db->units_checked, now);
	tc_arena_cleanup(&a);
	pthread_mutex_unlock(&db->units_mu);
	return g;
}

const struct tc_unit *tc_units_get(const struct tc_units *g, const char *code)
{
	size_t i;
	if (g == NULL || code == NULL)
		return NULL;
	i = find(g, code);
	return i < g->n ? &g->units[i] : NULL;
}

const char *tc_units_children_json(const struct tc_units *g, const char *code, size_t *len)
{
	size_t i = g ? find(g, code) : 0;
	if (g == NULL || i == g->n)
		return NULL;
	*len = g->json_len[i];
	return g->json[i];
}

size_t tc_units_nchildren(const struct tc_units *g, const char *code)
{
	size_t i = g && code ? find(g, code) : 0;
	return g && code && i < g->n ? g->nchildren[i] : 0;
}

const struct tc_cccd_table *tc_units_cccd(const struct tc_units *g)
{
	return g ? &g->cccd : NULL;
}

void tc_db_units_free(struct tc_db *db)
{
	free_generation(atomic_load(&db->units));
	atomic_store(&db->units, NULL);
}
