/* Vaccine medicinal products (the EU DCC value set with the attributes of
 * data/vaccines/products.csv, loaded by migrate). */
#include "../core/util.h"
#include "dbi.h"
#include "stock.h"

#define INFO_COLS                                                                        \
	"code, name, active, manufacturer, manufacturer_name, platform, used_in_vn,"     \
	" series_doses, min_interval_days, rec_interval_days, booster_min_days,"         \
	" min_age_years, doses_per_vial, open_vial_hours, storage_min_c, storage_max_c"

static struct tc_sql q_info_upsert = TC_SQL(
	"INSERT INTO vaccine_products (" INFO_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7,"
	" $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (code) DO UPDATE SET"
	" name = excluded.name, active = excluded.active,"
	" manufacturer = excluded.manufacturer,"
	" manufacturer_name = excluded.manufacturer_name, platform = excluded.platform,"
	" used_in_vn = excluded.used_in_vn, series_doses = excluded.series_doses,"
	" min_interval_days = excluded.min_interval_days,"
	" rec_interval_days = excluded.rec_interval_days,"
	" booster_min_days = excluded.booster_min_days,"
	" min_age_years = excluded.min_age_years, doses_per_vial = excluded.doses_per_vial,"
	" open_vial_hours = excluded.open_vial_hours,"
	" storage_min_c = excluded.storage_min_c, storage_max_c = excluded.storage_max_c");
static struct tc_sql q_get =
	TC_SQL("SELECT code, name, active FROM vaccine_products WHERE code = $1");
static struct tc_sql q_info =
	TC_SQL("SELECT " INFO_COLS " FROM vaccine_products WHERE code = $1");
static struct tc_sql q_infos = TC_SQL("SELECT " INFO_COLS " FROM vaccine_products"
                                      " ORDER BY active DESC, used_in_vn DESC, name, code");

static void fill_product(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_product *p = item;

	p->code = tc_row_text(r, 0, a);
	p->name = tc_row_text(r, 1, a);
	p->active = tc_row_bool(r, 2);
}

static void fill_info(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_product_info *p = item;

	p->code = tc_row_text(r, 0, a);
	p->name = tc_row_text(r, 1, a);
	p->active = tc_row_bool(r, 2);
	p->manufacturer = tc_row_text(r, 3, a);
	p->manufacturer_name = tc_row_text(r, 4, a);
	p->platform = tc_row_text(r, 5, a);
	p->used_in_vn = tc_row_bool(r, 6);
	p->series_doses = tc_row_i64(r, 7);
	p->min_interval_days = tc_row_i64(r, 8);
	p->rec_interval_days = tc_row_i64(r, 9);
	p->booster_min_days = tc_row_null(r, 10) ? -1 : tc_row_i64(r, 10);
	p->min_age_years = tc_row_i64(r, 11);
	p->doses_per_vial = tc_row_i64(r, 12);
	p->open_vial_hours = tc_row_i64(r, 13);
	p->storage_min_c = tc_row_null(r, 14) ? INT64_MIN : tc_row_i64(r, 14);
	p->storage_max_c = tc_row_null(r, 15) ? INT64_MIN : tc_row_i64(r, 15);
}

enum tc_qs tc_q_product_info_upsert(struct tc_dbc *c, const struct tc_product_info *p)
{
	struct tc_dbv v[] = {
		TC_P_TEXT(p->code),
		TC_P_TEXT(p->name),
		TC_P_BOOL(p->active),
		TC_P_TEXT(p->manufacturer),
		TC_P_TEXT(p->manufacturer_name),
		TC_P_TEXT(p->platform),
		TC_P_BOOL(p->used_in_vn),
		TC_P_I64(p->series_doses),
		TC_P_I64(p->min_interval_days),
		TC_P_I64(p->rec_interval_days),
		p->booster_min_days < 0 ? TC_P_NULL : TC_P_I64(p->booster_min_days),
		TC_P_I64(p->min_age_years),
		TC_P_I64(p->doses_per_vial),
		TC_P_I64(p->open_vial_hours),
		p->storage_min_c == INT64_MIN ? TC_P_NULL : TC_P_I64(p->storage_min_c),
		p->storage_max_c == INT64_MIN ? TC_P_NULL : TC_P_I64(p->storage_max_c),
	};
	return tc_exec(c, &q_info_upsert, v, (int)TC_ARRAY_LEN(v), NULL, NULL);
}

enum tc_qs tc_q_product_get(struct tc_dbc *c, const char *code, struct tc_arena *a,
                            struct tc_product *out)
{
	struct tc_dbv v[] = { TC_P_TEXT(code) };
	struct tc_row_into o = { a, out, fill_product };
	return tc_exec(c, &q_get, v, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_product_info(struct tc_dbc *c, const char *code, struct tc_arena *a,
                             struct tc_product_info *out)
{
	struct tc_dbv v[] = { TC_P_TEXT(code) };
	struct tc_row_into o = { a, out, fill_info };
	return tc_exec(c, &q_info, v, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_product_infos(struct tc_dbc *c, struct tc_arena *a,
                              struct tc_product_info **out, size_t *n)
{
	struct tc_rows_into into = { .a = a,
		                     .size = sizeof(struct tc_product_info),
		                     .fill = fill_info };
	enum tc_qs qs = tc_exec(c, &q_infos, NULL, 0, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}
