#include "products_csv.h"

#include <string.h>

#include "../core/arena.h"
#include "../crypto/secret.h"
#include "datacsv.h"
#include "products_json.h"
#include "units_csv.h"

#define FILE_NAME "products.csv"

enum col {
	C_CODE,
	C_MANUFACTURER,
	C_PLATFORM,
	C_USED_IN_VN,
	C_SERIES,
	C_MIN_INTERVAL,
	C_REC_INTERVAL,
	C_BOOSTER,
	C_MIN_AGE,
	C_DOSES_PER_VIAL,
	C_OPEN_HOURS,
	C_STORAGE_MIN,
	C_STORAGE_MAX,
	NCOLS
};

static const char *const names[NCOLS] = {
	[C_CODE] = "code",
	[C_MANUFACTURER] = "manufacturer",
	[C_PLATFORM] = "platform",
	[C_USED_IN_VN] = "used_in_vn",
	[C_SERIES] = "series_doses",
	[C_MIN_INTERVAL] = "min_interval_days",
	[C_REC_INTERVAL] = "rec_interval_days",
	[C_BOOSTER] = "booster_min_days",
	[C_MIN_AGE] = "min_age_years",
	[C_DOSES_PER_VIAL] = "doses_per_vial",
	[C_OPEN_HOURS] = "open_vial_hours",
	[C_STORAGE_MIN] = "storage_min_c",
	[C_STORAGE_MAX] = "storage_max_c",
};

/* The range of the numeric columns. An empty optional field is "not
 * given": booster_min_days -1, storage INT64_MIN. */
static const struct range {
	bool optional;
	int64_t min, max;
} ranges[NCOLS] = {
	[C_USED_IN_VN] = { false, 0, 1 },      [C_SERIES] = { false, 1, 5 },
	[C_MIN_INTERVAL] = { false, 0, 365 },  [C_REC_INTERVAL] = { false, 0, 365 },
	[C_BOOSTER] = { true, 1, 365 },        [C_MIN_AGE] = { false, 0, 100 },
	[C_DOSES_PER_VIAL] = { false, 1, 20 }, [C_OPEN_HOURS] = { false, 0, 48 },
	[C_STORAGE_MIN] = { true, -100, 30 },  [C_STORAGE_MAX] = { true, -100, 30 },
};

static const char *const platforms[] = { "mrna", "viral_vector", "inactivated",
	                                 "protein_subunit", "other" };

/* The index of `s` among the set's codes, or -1. */
static long find_code(const struct tc_product *set, size_t n,
                      const struct tc_csv_field *s)
{
	for (size_t i = 0; i < n; i++)
		if (tc_datacsv_is(s, set[i].code))
			return (long)i;
	return -1;
}

static tc_err read_number(struct tc_datacsv *d, enum col c, int64_t *out)
{
	const struct range *r = &ranges[c];

	if (r->optional)
		*out = c == C_BOOSTER ? -1 : INT64_MIN;
	return tc_datacsv_number(d, c, !r->optional, r->min, r->max, out);
}

/* The rules between the values of one row. */
static tc_err check_row(struct tc_datacsv *d, const struct tc_product_info *p)
{
	if (p->series_doses == 1 && p->min_interval_days != 0)
		return tc_datacsv_fail(d, C_MIN_INTERVAL,
		                       "must be 0 for a one-dose series", NULL);
	if (p->series_doses > 1 && p->min_interval_days == 0)
		return tc_datacsv_fail(d, C_MIN_INTERVAL,
		                       "must be at least 1 day between doses", NULL);
	if (p->rec_interval_days < p->min_interval_days ||
	    (p->series_doses == 1 && p->rec_interval_days != 0))
		return tc_datacsv_fail(
		        d, C_REC_INTERVAL,
		        p->series_doses == 1 ? "must be 0 for a one-dose series"
		                             : "must not be less than min_interval_days",
		        NULL);
	if (p->doses_per_vial == 1 && p->open_vial_hours != 0)
		return tc_datacsv_fail(d, C_OPEN_HOURS, "must be 0 for single-dose vials",
		                       NULL);
	if (p->doses_per_vial > 1 && p->open_vial_hours == 0)
		return tc_datacsv_fail(d, C_OPEN_HOURS,
		                       "must be 1 to 48 for multi-dose vials", NULL);
	if (p->storage_min_c != INT64_MIN && p->storage_max_c != INT64_MIN &&
	    p->storage_min_c > p->storage_max_c)
		return tc_datacsv_fail(d, C_STORAGE_MAX,
		                       "must not be below storage_min_c", NULL);
	return TC_ERR_OK;
}

static tc_err read_row(struct tc_datacsv *d, const struct tc_product *products, size_t np,
                       const struct tc_product *manf, size_t nm,
                       struct tc_product_info *out, size_t *lines)
{
	const struct tc_csv_field *v;
	struct tc_product_info p = { 0 };
	int64_t *numbers[NCOLS] = {
		[C_SERIES] = &p.series_doses,
		[C_MIN_INTERVAL] = &p.min_interval_days,
		[C_REC_INTERVAL] = &p.rec_interval_days,
		[C_BOOSTER] = &p.booster_min_days,
		[C_MIN_AGE] = &p.min_age_years,
		[C_DOSES_PER_VIAL] = &p.doses_per_vial,
		[C_OPEN_HOURS] = &p.open_vial_hours,
		[C_STORAGE_MIN] = &p.storage_min_c,
		[C_STORAGE_MAX] = &p.storage_max_c,
	};
	int64_t used = 0;
	long ip, im;
	size_t k;
	tc_err rc;

	v = tc_datacsv_field(d, C_CODE);
	ip = find_code(products, np, v);
	if (ip < 0)
		return tc_datacsv_fail(
		        d, C_CODE, "not a product of " TC_DCC_PRODUCTS_FILE ":", v->s);
	if (lines[ip] != 0)
		return tc_datacsv_fail(d, C_CODE, "a second row for", v->s);
	v = tc_datacsv_field(d, C_MANUFACTURER);
	im = find_code(manf, nm, v);
	if (im < 0)
		return tc_datacsv_fail(
		        d, C_MANUFACTURER,
		        "not a manufacturer of " TC_DCC_MANUFACTURERS_FILE ":", v->s);
	v = tc_datacsv_field(d, C_PLATFORM);
	for (k = 0; k < TC_ARRAY_LEN(platforms); k++)
		if (tc_datacsv_is(v, platforms[k]))
			break;
	if (k == TC_ARRAY_LEN(platforms))
		return tc_datacsv_fail(d, C_PLATFORM,
		                       "not one of mrna, viral_vector, inactivated, "
		                       "protein_subunit, other:",
		                       v->s);
	if ((rc = read_number(d, C_USED_IN_VN, &used)) != TC_ERR_OK)
		return rc;
	for (int c = 0; c < NCOLS; c++)
		if (numbers[c] &&
		    (rc = read_number(d, (enum col)c, numbers[c])) != TC_ERR_OK)
			return rc;
	if ((rc = check_row(d, &p)) != TC_ERR_OK)
		return rc;
	p.code = tc_arena_strdup(d->a, products[ip].code);
	p.name = tc_arena_strdup(d->a, products[ip].name);
	p.active = products[ip].active;
	p.manufacturer = tc_arena_strdup(d->a, manf[im].code);
	p.manufacturer_name = tc_arena_strdup(d->a, manf[im].name);
	p.platform = platforms[k];
	p.used_in_vn = used == 1;
	out[ip] = p;
	lines[ip] = tc_datacsv_line(d);
	return TC_ERR_OK;
}

tc_err tc_products_csv_parse(const char *csv, size_t len,
                             const struct tc_product *products, size_t nproducts,
                             const struct tc_product *manufacturers,
                             size_t nmanufacturers, struct tc_arena *a,
                             struct tc_product_info **out, size_t *n, struct tc_fault *f)
{
	struct tc_datacsv d;
	struct tc_product_info *items = TC_NEWN(a, struct tc_product_info, nproducts + 1);
	size_t *lines = TC_NEWN(a, size_t, nproducts + 1); /* 0: no row yet */
	bool more;
	tc_err rc;

	*out = NULL;
	*n = 0;
	rc = tc_datacsv_open(&d, FILE_NAME, csv, len, names, NCOLS, a, f);
	while (rc == TC_ERR_OK && (rc = tc_datacsv_next(&d, &more)) == TC_ERR_OK && more)
		rc = read_row(&d, products, nproducts, manufacturers, nmanufacturers,
		              items, lines);
	if (rc != TC_ERR_OK)
		goto out;
	for (size_t i = 0; i < nproducts; i++)
		if (lines[i] == 0) {
			rc = tc_fault_setf(
			        f, a, TC_ERR_IO, "file",
			        FILE_NAME
			        ": no row for product '%s' of " TC_DCC_PRODUCTS_FILE
			        " (every product needs one)",
			        products[i].code);
			goto out;
		}
	*out = items;
	*n = nproducts;
out:
	tc_datacsv_cleanup(&d);
	return rc;
}

tc_err tc_products_csv_load(const char *data_dir, struct tc_arena *a,
                            struct tc_product_info **out, size_t *n, const char **sha256,
                            struct tc_fault *f)
{
	const char *dcc = tc_arena_printf(a, "%s/dcc-valuesets", data_dir);
	const char *sha_p, *sha_m;
	struct tc_product *products, *manf;
	size_t np, nm, len;
	char *csv, sha_c[TC_SHA256_HEX], *hex = tc_arena_alloc(a, TC_SHA256_HEX);
	struct tc_sha256 *h;
	tc_err rc;

	rc = tc_valueset_load(dcc, TC_DCC_PRODUCTS_FILE, a, &products, &np, &sha_p, f);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_valueset_load(dcc, TC_DCC_MANUFACTURERS_FILE, a, &manf, &nm, &sha_m, f);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_read_file(tc_arena_printf(a, "%s/vaccines/" FILE_NAME, data_dir),
	                  1u << 20, a, &csv, &len, f);
	if (rc != TC_ERR_OK)
		return rc;
	/* One fingerprint over the three: a change to any reloads them. */
	tc_sha256_hex(csv, len, sha_c);
	h = tc_sha256_begin();
	tc_sha256_update(h, sha_p, strlen(sha_p));
	tc_sha256_update(h, sha_m, strlen(sha_m));
	tc_sha256_update(h, sha_c, strlen(sha_c));
	tc_sha256_end(h, hex);
	*sha256 = hex;
	return tc_products_csv_parse(csv, len, products, np, manf, nm, a, out, n, f);
}
