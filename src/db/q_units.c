/* Administrative units and reference-data fingerprints. */
#include "../core/arena.h"
#include "dbi.h"

#define UNIT_COLS \
	"code, level, parent_code, name, name_with_type, type, slug, population, path," \
	" cccd_code"

static struct tc_sql q_get = TC_SQL("SELECT " UNIT_COLS " FROM units WHERE code = $1");
static struct tc_sql q_children =
	TC_SQL("SELECT " UNIT_COLS " FROM units WHERE parent_code = $1 ORDER BY code");
static struct tc_sql q_upsert = TC_SQL(
	"INSERT INTO units (" UNIT_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
	" ON CONFLICT (code) DO UPDATE SET level = excluded.level,"
	" parent_code = excluded.parent_code, name = excluded.name,"
	" name_with_type = excluded.name_with_type, type = excluded.type,"
	" slug = excluded.slug, population = excluded.population, path = excluded.path,"
	" cccd_code = excluded.cccd_code");
static struct tc_sql q_count = TC_SQL("SELECT COUNT(*) FROM units");
static struct tc_sql q_ref_get = TC_SQL("SELECT sha256 FROM ref_data WHERE name = $1");
static struct tc_sql q_ref_set = TC_SQL(
	"INSERT INTO ref_data (name, sha256, loaded_at) VALUES ($1, $2, $3)"
	" ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256,"
	" loaded_at = excluded.loaded_at");

static void fill_unit(void *item, const struct tc_dbrow *r, struct tc_arena *a)
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

enum tc_qs tc_q_unit_get(struct tc_dbc *c, const char *code, struct tc_arena *a,
                         struct tc_unit *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(code)};
	struct tc_row_into o = {a, out, fill_unit};
	return tc_exec(c, &q_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_units_children(struct tc_dbc *c, const char *parent,
                               struct tc_arena *a, struct tc_unit **out, size_t *n)
{
	struct tc_dbv p[] = {TC_P_TEXT(parent)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_unit),
	                            .fill = fill_unit};
	enum tc_qs qs = tc_exec(c, &q_children, p, 1, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_unit_upsert(struct tc_dbc *c, const struct tc_unit *u)
{
	struct tc_dbv p[] = {TC_P_TEXT(u->code),
	                     TC_P_TEXT(u->level),
	                     TC_P_TEXT(u->parent_code),
	                     TC_P_TEXT(u->name),
	                     TC_P_TEXT(u->name_with_type),
	                     TC_P_TEXT(u->type),
	                     TC_P_TEXT(u->slug),
	                     u->population >= 0 ? TC_P_I64(u->population) : TC_P_NULL,
	                     TC_P_TEXT(u->path),
	                     TC_P_TEXT(u->cccd_code)};
	return tc_exec(c, &q_upsert, p, 10, NULL, NULL);
}

enum tc_qs tc_q_units_count(struct tc_dbc *c, int64_t *n)
{
	return tc_exec(c, &q_count, NULL, 0, tc_rows_i64, n);
}

struct text_out {
	struct tc_arena *a;
	const char **out;
};

static int take_text(void *cls, const struct tc_dbrow *r)
{
	struct text_out *t = cls;
	*t->out = tc_row_text(r, 0, t->a);
	return 1;
}

enum tc_qs tc_q_refdata_get(struct tc_dbc *c, const char *name,
                            struct tc_arena *a, const char **sha256)
{
	struct tc_dbv p[] = {TC_P_TEXT(name)};
	struct text_out t = {a, sha256};
	*sha256 = NULL;
	return tc_exec(c, &q_ref_get, p, 1, take_text, &t);
}

enum tc_qs tc_q_refdata_set(struct tc_dbc *c, const char *name,
                            const char *sha256, int64_t now)
{
	struct tc_dbv p[] = {TC_P_TEXT(name), TC_P_TEXT(sha256), TC_P_TIME(now)};
	return tc_exec(c, &q_ref_set, p, 3, NULL, NULL);
}
