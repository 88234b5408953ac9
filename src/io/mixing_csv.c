#include "mixing_csv.h"

#include <string.h>

#include "../core/arena.h"
#include "datacsv.h"
#include "units_csv.h"

#define FILE_NAME TC_MIXING_CSV_FILE
#define MAX_DAYS  730

enum col { C_KIND, C_AFTER, C_THEN, C_MIN_DAYS, C_SOURCE, NCOLS };

static const char *const column_names[NCOLS] = {
	[C_KIND] = "kind",         [C_AFTER] = "after",   [C_THEN] = "then",
	[C_MIN_DAYS] = "min_days", [C_SOURCE] = "source",
};

static const char *const kinds[] = {
	[TC_MIX_PRIMARY] = "primary",
	[TC_MIX_BOOSTER] = "booster",
	[TC_MIX_BOOSTER2] = "booster2",
};

/* A side of a rule: "*", a platform, a code of the list, or (then in a
 * booster row) "=". The value is copied to the arena. */
static tc_err read_side(struct tc_datacsv *d, enum col c, bool same_ok,
                        const char *const *codes, size_t ncodes, const char **out)
{
	const struct tc_csv_field *v = tc_datacsv_field(d, c);
	bool ok = strlen(v->s) == v->n &&
	          (tc_datacsv_is(v, "*") || (same_ok && tc_datacsv_is(v, "=")) ||
	           tc_sched_platform_known(v->s));

	for (size_t i = 0; !ok && i < ncodes; i++)
		ok = tc_datacsv_is(v, codes[i]);
	if (!ok)
		return tc_datacsv_fail(d, c,
		                       c == C_THEN && same_ok
		                               ? "not a product code, a platform, * or =:"
		                               : "not a product code, a platform or *:",
		                       v->s);
	*out = tc_arena_strndup(d->a, v->s, v->n);
	return TC_ERR_OK;
}

static tc_err read_row(struct tc_datacsv *d, const char *const *codes, size_t ncodes,
                       const struct tc_mix_rule *prev, size_t nprev,
                       struct tc_mix_rule *out)
{
	const struct tc_csv_field *v;
	struct tc_mix_rule m = { .min_days = -1 };
	size_t k;
	tc_err rc;

	v = tc_datacsv_field(d, C_KIND);
	for (k = 0; k < TC_ARRAY_LEN(kinds); k++)
		if (tc_datacsv_is(v, kinds[k]))
			break;
	if (k == TC_ARRAY_LEN(kinds))
		return tc_datacsv_fail(d, C_KIND,
		                       "not one of primary, booster, booster2:", v->s);
	m.kind = (enum tc_mix_kind)k;
	if ((rc = read_side(d, C_AFTER, false, codes, ncodes, &m.after)) != TC_ERR_OK)
		return rc;
	if ((rc = read_side(d, C_THEN, m.kind != TC_MIX_PRIMARY, codes, ncodes,
	                    &m.then)) != TC_ERR_OK)
		return rc;
	if (m.kind == TC_MIX_PRIMARY && strcmp(m.after, m.then) == 0 &&
	    strcmp(m.after, "*") != 0)
		return tc_datacsv_fail(
		        d, C_THEN,
		        "a product continues its own series without a rule:", m.then);
	v = tc_datacsv_field(d, C_MIN_DAYS);
	if (v->n != 0 &&
	    (strlen(v->s) != v->n || !tc_parse_i64(v->s, 1, MAX_DAYS, &m.min_days)))
		return tc_datacsv_fail(
		        d, C_MIN_DAYS,
		        "not empty or a whole number from 1 to 730:", v->s);
	v = tc_datacsv_field(d, C_SOURCE);
	if (v->n == 0)
		return tc_datacsv_fail(d, C_SOURCE, "a value is required", NULL);
	for (size_t i = 0; i < nprev; i++)
		if (prev[i].kind == m.kind && strcmp(prev[i].after, m.after) == 0 &&
		    strcmp(prev[i].then, m.then) == 0)
			return tc_fault_setf(
			        d->f, d->a, TC_ERR_IO, "file",
			        FILE_NAME
			        " line %zu: a second %s row for %.40s then %.40s",
			        tc_datacsv_line(d), kinds[m.kind], m.after, m.then);
	*out = m;
	return TC_ERR_OK;
}

tc_err tc_mixing_csv_parse(const char *csv, size_t len, const char *const *codes,
                           size_t ncodes, struct tc_arena *a, struct tc_mix_rule **out,
                           size_t *n, struct tc_fault *f)
{
	struct tc_datacsv d;
	struct tc_mix_rule *rules = NULL;
	size_t nrules = 0, cap = 0;
	bool more;
	tc_err rc;

	*out = NULL;
	*n = 0;
	rc = tc_datacsv_open(&d, FILE_NAME, csv, len, column_names, NCOLS, a, f);
	while (rc == TC_ERR_OK && (rc = tc_datacsv_next(&d, &more)) == TC_ERR_OK &&
	       more) {
		if (nrules == cap) {
			struct tc_mix_rule *grown;
			cap = cap ? 2 * cap : 32;
			grown = TC_NEWN(a, struct tc_mix_rule, cap);
			if (nrules)
				memcpy(grown, rules, nrules * sizeof(*rules));
			rules = grown;
		}
		rc = read_row(&d, codes, ncodes, rules, nrules, &rules[nrules]);
		if (rc == TC_ERR_OK)
			nrules++;
	}
	if (rc != TC_ERR_OK)
		goto out;
	*out = rules ? rules : TC_NEWN(a, struct tc_mix_rule, 1);
	*n = nrules;
out:
	tc_datacsv_cleanup(&d);
	return rc;
}

tc_err tc_mixing_csv_load(const char *data_dir, const char *const *codes, size_t ncodes,
                          struct tc_arena *a, struct tc_mix_rule **out, size_t *n,
                          struct tc_fault *f)
{
	char *csv;
	size_t len;
	tc_err rc;

	*out = NULL;
	*n = 0;
	rc = tc_read_file(tc_arena_printf(a, "%s/vaccines/" FILE_NAME, data_dir),
	                  1u << 20, a, &csv, &len, f);
	if (rc != TC_ERR_OK)
		return rc;
	return tc_mixing_csv_parse(csv, len, codes, ncodes, a, out, n, f);
}
