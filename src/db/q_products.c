/* Vaccine medicinal products (the EU DCC value set, loaded by migrate). */
#include "dbi.h"

static struct tc_sql q_upsert =
        TC_SQL("INSERT INTO vaccine_products (code, name, active) VALUES ($1, $2, $3)"
               " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
               " active = excluded.active");
static struct tc_sql q_get =
        TC_SQL("SELECT code, name, active FROM vaccine_products WHERE code = $1");
static struct tc_sql q_list = TC_SQL("SELECT code, name, active FROM vaccine_products "
                                     "ORDER BY active DESC, name, code");

static void fill_product(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_product *p = item;

	p->code = tc_row_text(r, 0, a);
	p->name = tc_row_text(r, 1, a);
	p->active = tc_row_bool(r, 2);
}

enum tc_qs tc_q_product_upsert(struct tc_dbc *c, const struct tc_product *p)
{
	struct tc_dbv v[] = { TC_P_TEXT(p->code), TC_P_TEXT(p->name),
		              TC_P_BOOL(p->active) };
	return tc_exec(c, &q_upsert, v, 3, NULL, NULL);
}

enum tc_qs tc_q_product_get(struct tc_dbc *c, const char *code, struct tc_arena *a,
                            struct tc_product *out)
{
	struct tc_dbv v[] = { TC_P_TEXT(code) };
	struct tc_row_into o = { a, out, fill_product };
	return tc_exec(c, &q_get, v, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_products_list(struct tc_dbc *c, struct tc_arena *a,
                              struct tc_product **out, size_t *n)
{
	struct tc_rows_into into = { .a = a,
		                     .size = sizeof(struct tc_product),
		                     .fill = fill_product };
	enum tc_qs qs = tc_exec(c, &q_list, NULL, 0, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}
