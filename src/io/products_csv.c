#include "products_csv.h"

#include <string.h>

#include "../core/arena.h"
#include "../crypto/secret.h"
#include "csv.h"
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

/* The columns, and the range of the numeric ones. An empty optional field
 * is "not given": booster_min_days -1, storage INT64_MIN. */
static const struct column {
	const char *name;
	bool number, optional;
	int64_t min, max;
} columns[NCOLS] = {
	[C_CODE] = { "code" },
	[C_MANUFACTURER] = { "manufacturer" },
	[C_PLATFORM] = { "platform" },
	[C_USED_IN_VN] = { "used_in_vn", true, false, 0, 1 },
	[C_SERIES] = { "series_doses", true, false, 1, 5 },
	[C_MIN_INTERVAL] = { "min_interval_days", true, false, 0, 365 },
	[C_REC_INTERVAL] = { "rec_interval_days", true, false, 0, 365 },
	[C_BOOSTER] = { "booster_min_days", true, true, 1, 365 },
	[C_MIN_AGE] = { "min_age_years", true, false, 0, 100 },
	[C_DOSES_PER_VIAL] = { "doses_per_vial", true, false, 1, 20 },
	[C_OPEN_HOURS] = { "open_vial_hours", true, false, 0, 48 },
	[C_STORAGE_MIN] = { "storage_min_c", true, true, -100, 30 },
	[C_STORAGE_MAX] = { "storage_max_c", true, true, -100, 30 },
};

static const char *const platforms[] = { "mrna", "viral_vector", "inactivated",
	                                 "protein_subunit", "other" };

struct reader {
	struct tc_csv r;
	size_t skipped; /* comment lines before the header */
	int pos[NCOLS]; /* the column's index in a row */
	size_t ncols;   /* fields in the header */
	struct tc_arena *a;
	struct tc_fault *f;
};

static tc_err fail_at(struct reader *rd, enum col c, const char *why, const char *value)
{
	return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
	                     FILE_NAME " line %zu column %d (%s): %s%s%.40s%s",
	                     rd->r.line + rd->skipped, rd->pos[c] + 1, columns[c].name,
	                     why, value ? " '" : "", value ? value : "",
	                     value ? "'" : "");
}

static const struct tc_csv_field *field(const struct reader *rd, enum col c)
{
	return &rd->r.fields[rd->pos[c]];
}

/* Comment and blank lines at the top (and a byte-order mark before them);
 * returns how many lines were skipped and moves *p past them. */
static size_t skip_comments(const char **p, const char *end)
{
	size_t lines = 0;

	if (end - *p >= 3 && memcmp(*p, "\xEF\xBB\xBF", 3) == 0)
		*p += 3;
	while (*p < end && (**p == '#' || **p == '\n' || **p == '\r')) {
		const char *nl = memchr(*p, '\n', (size_t)(end - *p));
		*p = nl ? nl + 1 : end;
		lines++;
	}
	return lines;
}

static tc_err read_header(struct reader *rd)
{
	int got = tc_csv_next(&rd->r);

	if (got != 1) /* the reader counts no line in an empty input */
		return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
		                     FILE_NAME " line %zu: %s",
		                     (rd->r.line ? rd->r.line : 1) + rd->skipped,
		                     got < 0 ? rd->r.error : "no header row");
	for (int c = 0; c < NCOLS; c++)
		rd->pos[c] = -1;
	rd->ncols = rd->r.nfields;
	for (size_t i = 0; i < rd->r.nfields; i++) {
		const struct tc_csv_field *h = &rd->r.fields[i];
		int c = 0;
		while (c < NCOLS && !(strlen(columns[c].name) == h->n &&
		                      memcmp(columns[c].name, h->s, h->n) == 0))
			c++;
		if (c == NCOLS || rd->pos[c] >= 0)
			return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
			                     FILE_NAME
			                     " line %zu column %zu: %s column '%.40s'",
			                     rd->r.line + rd->skipped, i + 1,
			                     c == NCOLS ? "unknown" : "repeated", h->s);
		rd->pos[c] = (int)i;
	}
	for (int c = 0; c < NCOLS; c++)
		if (rd->pos[c] < 0)
			return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
			                     FILE_NAME
			                     " line %zu: the header has no column %s",
			                     rd->r.line + rd->skipped, columns[c].name);
	return TC_ERR_OK;
}

/* The index of `s` among the set's codes, or -1. */
static long find_code(const struct tc_product *set, size_t n,
                      const struct tc_csv_field *s)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(set[i].code) == s->n && memcmp(set[i].code, s->s, s->n) == 0)
			return (long)i;
	return -1;
}

static tc_err read_number(struct reader *rd, enum col c, int64_t *out)
{
	const struct column *col = &columns[c];
	const struct tc_csv_field *v = field(rd, c);

	if (v->n == 0) {
		if (!col->optional)
			return fail_at(rd, c, "a value is required", NULL);
		*out = c == C_BOOSTER ? -1 : INT64_MIN;
		return TC_ERR_OK;
	}
	if (strlen(v->s) != v->n || !tc_parse_i64(v->s, col->min, col->max, out))
		return tc_fault_setf(rd->f, rd->a, TC_ERR_IO, "file",
		                     FILE_NAME " line %zu column %d (%s): '%.20s' is not "
		                               "a whole number from %lld to %lld",
		                     rd->r.line + rd->skipped, rd->pos[c] + 1, col->name,
		                     v->s, (long long)col->min, (long long)col->max);
	return TC_ERR_OK;
}

/* The rules between the values of one row. */
static tc_err check_row(struct reader *rd, const struct tc_product_info *p)
{
	if (p->series_doses == 1 && p->min_interval_days != 0)
		return fail_at(rd, C_MIN_INTERVAL, "must be 0 for a one-dose series",
		               NULL);
	if (p->series_doses > 1 && p->min_interval_days == 0)
		return fail_at(rd, C_MIN_INTERVAL, "must be at least 1 day between doses",
		               NULL);
	if (p->rec_interval_days < p->min_interval_days ||
	    (p->series_doses == 1 && p->rec_interval_days != 0))
		return fail_at(rd, C_REC_INTERVAL,
		               p->series_doses == 1
		                       ? "must be 0 for a one-dose series"
		                       : "must not be less than min_interval_days",
		               NULL);
	if (p->doses_per_vial == 1 && p->open_vial_hours != 0)
		return fail_at(rd, C_OPEN_HOURS, "must be 0 for single-dose vials", NULL);
	if (p->doses_per_vial > 1 && p->open_vial_hours == 0)
		return fail_at(rd, C_OPEN_HOURS, "must be 1 to 48 for multi-dose vials",
		               NULL);
	if (p->storage_min_c != INT64_MIN && p->storage_max_c != INT64_MIN &&
	    p->storage_min_c > p->storage_max_c)
		return fail_at(rd, C_STORAGE_MAX, "must not be below storage_min_c",
		               NULL);
	return TC_ERR_OK;
}

static tc_err read_row(struct reader *rd, const struct tc_product *products, size_t np,
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

	if (rd->r.nfields != rd->ncols)
		return tc_fault_setf(
		        rd->f, rd->a, TC_ERR_IO, "file",
		        FILE_NAME " line %zu column %zu: %zu fields, the header "
		                  "has %zu",
		        rd->r.line + rd->skipped,
		        (rd->r.nfields < rd->ncols ? rd->r.nfields : rd->ncols) + 1,
		        rd->r.nfields, rd->ncols);
	v = field(rd, C_CODE);
	ip = find_code(products, np, v);
	if (ip < 0)
		return fail_at(rd, C_CODE, "not a product of " TC_DCC_PRODUCTS_FILE ":",
		               v->s);
	if (lines[ip] != 0)
		return fail_at(rd, C_CODE, "a second row for", v->s);
	v = field(rd, C_MANUFACTURER);
	im = find_code(manf, nm, v);
	if (im < 0)
		return fail_at(rd, C_MANUFACTURER,
		               "not a manufacturer of " TC_DCC_MANUFACTURERS_FILE ":",
		               v->s);
	v = field(rd, C_PLATFORM);
	for (k = 0; k < TC_ARRAY_LEN(platforms); k++)
		if (strlen(platforms[k]) == v->n && memcmp(platforms[k], v->s, v->n) == 0)
			break;
	if (k == TC_ARRAY_LEN(platforms))
		return fail_at(rd, C_PLATFORM,
		               "not one of mrna, viral_vector, inactivated, "
		               "protein_subunit, other:",
		               v->s);
	if ((rc = read_number(rd, C_USED_IN_VN, &used)) != TC_ERR_OK)
		return rc;
	for (int c = 0; c < NCOLS; c++)
		if (numbers[c] &&
		    (rc = read_number(rd, (enum col)c, numbers[c])) != TC_ERR_OK)
			return rc;
	if ((rc = check_row(rd, &p)) != TC_ERR_OK)
		return rc;
	p.code = tc_arena_strdup(rd->a, products[ip].code);
	p.name = tc_arena_strdup(rd->a, products[ip].name);
	p.active = products[ip].active;
	p.manufacturer = tc_arena_strdup(rd->a, manf[im].code);
	p.manufacturer_name = tc_arena_strdup(rd->a, manf[im].name);
	p.platform = platforms[k];
	p.used_in_vn = used == 1;
	out[ip] = p;
	lines[ip] = rd->r.line + rd->skipped;
	return TC_ERR_OK;
}

tc_err tc_products_csv_parse(const char *csv, size_t len,
                             const struct tc_product *products, size_t nproducts,
                             const struct tc_product *manufacturers,
                             size_t nmanufacturers, struct tc_arena *a,
                             struct tc_product_info **out, size_t *n, struct tc_fault *f)
{
	const char *p = csv, *end = csv + len;
	struct reader rd = { .a = a, .f = f };
	struct tc_product_info *items = TC_NEWN(a, struct tc_product_info, nproducts + 1);
	size_t *lines = TC_NEWN(a, size_t, nproducts + 1); /* 0: no row yet */
	int got;
	tc_err rc = TC_ERR_OK;

	*out = NULL;
	*n = 0;
	rd.skipped = skip_comments(&p, end);
	tc_csv_init(&rd.r, p, (size_t)(end - p));
	if ((rc = read_header(&rd)) != TC_ERR_OK)
		goto out;
	while ((got = tc_csv_next(&rd.r)) == 1) {
		if (rd.r.nfields == 1 && rd.r.fields[0].n == 0)
			continue; /* blank line */
		rc = read_row(&rd, products, nproducts, manufacturers, nmanufacturers,
		              items, lines);
		if (rc != TC_ERR_OK)
			goto out;
	}
	if (got < 0) {
		rc = tc_fault_setf(f, a, TC_ERR_IO, "file", FILE_NAME " line %zu: %s",
		                   rd.r.line + rd.skipped, rd.r.error);
		goto out;
	}
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
	tc_csv_cleanup(&rd.r);
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
