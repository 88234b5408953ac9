/* Queries the supply-chain API needs that src/db/q_stock.c does not have
 * yet; to be folded into it. tc_q_product_info: a product with its
 * schedule and handling attributes (schema v5's columns). */
#include "dbi.h"
#include "stock.h"

static struct tc_sql q_product_info = TC_SQL(
        "SELECT code, name, active, manufacturer, manufacturer_name, platform, "
        "used_in_vn,"
        " series_doses, min_interval_days, rec_interval_days, booster_min_days,"
        " min_age_years, doses_per_vial, open_vial_hours, storage_min_c, storage_max_c"
        " FROM vaccine_products WHERE code = $1");

static int64_t i64_or(const struct tc_dbrow *r, int col, int64_t none)
{
	return tc_row_null(r, col) ? none : tc_row_i64(r, col);
}

static void fill_product_info(void *item, const struct tc_dbrow *r, struct tc_arena *a)
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
	p->booster_min_days = i64_or(r, 10, -1);
	p->min_age_years = tc_row_i64(r, 11);
	p->doses_per_vial = tc_row_i64(r, 12);
	p->open_vial_hours = tc_row_i64(r, 13);
	p->storage_min_c = i64_or(r, 14, INT64_MIN);
	p->storage_max_c = i64_or(r, 15, INT64_MIN);
}

enum tc_qs tc_q_product_info(struct tc_dbc *c, const char *code, struct tc_arena *a,
                             struct tc_product_info *out)
{
	struct tc_dbv v[] = { TC_P_TEXT(code) };
	struct tc_row_into o = { a, out, fill_product_info };
	return tc_exec(c, &q_product_info, v, 1, tc_rows_one, &o);
}
