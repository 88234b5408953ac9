/* io/products_csv: the vaccine products' attributes (data/vaccines/products.csv)
 * checked against the EU DCC value sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/arena.h"
#include "io/products_csv.h"
#include "io/units_csv.h"

static const struct tc_product *find(const struct tc_product_info *p, size_t n,
                                     const char *code, const struct tc_product_info **out)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(p[i].code, code) == 0) {
			*out = &p[i];
			return NULL;
		}
	fail_msg("no product %s", code);
	return NULL;
}

static void test_shipped_files(void **state)
{
	struct tc_fault f = { 0 };
	struct tc_product_info *p;
	const struct tc_product_info *x;
	const char *sha;
	size_t n, in_vn = 0;
	struct tc_arena a;
	(void)state;
	tc_arena_init(&a);
	if (tc_products_csv_load("data", &a, &p, &n, &sha, &f) != TC_ERR_OK)
		fail_msg("%s", f.message);
	assert_int_equal(n, 39);
	assert_int_equal(strlen(sha), 64);
	/* the value set's order */
	assert_string_equal(p[0].code, "EU/1/20/1528");
	for (size_t i = 0; i < n; i++) {
		assert_non_null(p[i].name);
		assert_non_null(p[i].manufacturer_name);
		assert_true(p[i].min_interval_days <= p[i].rec_interval_days);
		assert_true((p[i].doses_per_vial == 1) == (p[i].open_vial_hours == 0));
		in_vn += p[i].used_in_vn;
	}
	assert_int_equal(in_vn, 11);

	find(p, n, "EU/1/21/1529", &x);
	assert_string_equal(x->name, "Vaxzevria");
	assert_string_equal(x->manufacturer, "ORG-100001699");
	assert_string_equal(x->manufacturer_name, "AstraZeneca AB");
	assert_string_equal(x->platform, "viral_vector");
	assert_true(x->used_in_vn && x->active);
	assert_int_equal(x->series_doses, 2);
	assert_int_equal(x->min_interval_days, 28);
	assert_int_equal(x->rec_interval_days, 56);
	assert_int_equal(x->booster_min_days, 90);
	assert_int_equal(x->doses_per_vial, 10);
	assert_int_equal(x->open_vial_hours, 6);
	assert_int_equal(x->storage_min_c, 2);
	assert_int_equal(x->storage_max_c, 8);

	find(p, n, "EU/1/20/1528", &x);
	assert_string_equal(x->manufacturer_name, "Biontech Manufacturing GmbH");
	assert_string_equal(x->platform, "mrna");
	assert_int_equal(x->min_age_years, 12);
	assert_int_equal(x->doses_per_vial, 6);
	assert_int_equal(x->storage_min_c, -90);
	assert_int_equal(x->storage_max_c, -60);

	find(p, n, "BBIBP-CorV", &x);
	assert_int_equal(x->doses_per_vial, 1);
	assert_int_equal(x->open_vial_hours, 0);
	find(p, n, "EU/1/20/1525", &x);
	assert_int_equal(x->series_doses, 1);
	assert_int_equal(x->min_interval_days, 0);
	find(p, n, "Abdala", &x);
	assert_int_equal(x->series_doses, 3);
	assert_int_equal(x->booster_min_days, -1); /* not a booster */
	find(p, n, "Sputnik-V", &x);
	assert_int_equal(x->storage_min_c, INT64_MIN); /* "-18 C or colder" */
	assert_int_equal(x->storage_max_c, -18);
	find(p, n, "NVX-CoV2373", &x);
	assert_false(x->active);
	tc_arena_cleanup(&a);
}

/* ---- the rules, on a small value set ------------------------------------- */

static const struct tc_product products[] = {
	{ "A", "Product A", true },
	{ "B", "Product B", false },
};
static const struct tc_product manufacturers[] = {
	{ "M1", "Maker One", true },
	{ "M2", "Maker Two", true },
};

#define HEADER                                                                           \
	"code,manufacturer,platform,used_in_vn,series_doses,min_interval_days,"          \
	"rec_interval_days,booster_min_days,min_age_years,doses_per_vial,"               \
	"open_vial_hours,storage_min_c,storage_max_c\n"
/* header on line 4, A on line 5, B on line 6 */
#define TOP   "# products\n# of a test\n\n" HEADER
#define ROW_A "A,M1,mrna,1,2,21,28,90,12,6,6,-90,-60\n"
#define ROW_B "B,M2,inactivated,0,1,0,0,,18,1,0,,\n"

static tc_err parse(const char *csv, struct tc_arena *a, struct tc_product_info **p,
                    size_t *n, struct tc_fault *f)
{
	return tc_products_csv_parse(csv, strlen(csv), products, 2, manufacturers, 2, a,
	                             p, n, f);
}

static void test_good(void **state)
{
	struct tc_fault f = { 0 };
	struct tc_product_info *p;
	size_t n;
	struct tc_arena a;
	(void)state;
	tc_arena_init(&a);
	/* rows in any order, the value set's order out */
	if (parse(TOP ROW_B ROW_A, &a, &p, &n, &f) != TC_ERR_OK)
		fail_msg("%s", f.message);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].code, "A");
	assert_string_equal(p[0].name, "Product A");
	assert_string_equal(p[0].manufacturer_name, "Maker One");
	assert_int_equal(p[0].storage_min_c, -90);
	assert_true(p[0].used_in_vn && p[0].active);
	assert_string_equal(p[1].code, "B");
	assert_false(p[1].active || p[1].used_in_vn);
	assert_int_equal(p[1].booster_min_days, -1);
	assert_int_equal(p[1].storage_min_c, INT64_MIN);
	assert_int_equal(p[1].storage_max_c, INT64_MIN);
	/* columns in another order, CRLF, a byte-order mark, no comments */
	const char *other = "\xEF\xBB\xBF"
	                    "manufacturer,code,platform,used_in_vn,series_doses,"
	                    "min_interval_days,rec_interval_days,booster_min_days,"
	                    "min_age_years,doses_per_vial,open_vial_hours,storage_min_c,"
	                    "storage_max_c\r\nM2,A,other,0,3,14,14,28,2,10,2,2,8\r\n"
	                    "M1,B,mrna,1,1,0,0,,0,1,0,-20,-20\r\n";
	if (parse(other, &a, &p, &n, &f) != TC_ERR_OK)
		fail_msg("%s", f.message);
	assert_string_equal(p[0].manufacturer, "M2");
	assert_int_equal(p[0].series_doses, 3);
	assert_int_equal(p[1].storage_max_c, -20);
	tc_arena_cleanup(&a);
}

static void test_refused(void **state)
{
	static const struct {
		const char *csv, *says;
	} bad[] = {
		/* unknown code */
		{ TOP ROW_A "X,M2,inactivated,0,1,0,0,,18,1,0,,\n",
		  "line 6 column 1 (code)" },
		/* unknown manufacturer */
		{ TOP ROW_A "B,M3,inactivated,0,1,0,0,,18,1,0,,\n",
		  "line 6 column 2 (manufacturer)" },
		/* a product of the value set without a row */
		{ TOP ROW_A, "no row for product 'B'" },
		{ TOP, "no row for product 'A'" },
		/* a second row */
		{ TOP ROW_A ROW_B ROW_A, "line 7 column 1 (code): a second row" },
		/* min > rec interval */
		{ TOP "A,M1,mrna,1,2,28,21,90,12,6,6,-90,-60\n" ROW_B,
		  "line 5 column 7 (rec_interval_days)" },
		/* bad numbers */
		{ TOP "A,M1,mrna,1,two,21,28,90,12,6,6,-90,-60\n" ROW_B,
		  "line 5 column 5 (series_doses): 'two' is not a whole number" },
		{ TOP "A,M1,mrna,1,2,21,28,90,12.5,6,6,-90,-60\n" ROW_B,
		  "line 5 column 9 (min_age_years)" },
		{ TOP "A,M1,mrna,1,2,21,28,90,,6,6,-90,-60\n" ROW_B,
		  "line 5 column 9 (min_age_years): a value is required" },
		{ TOP "A,M1,mrna,1,2,21,28,90,12, 6,6,-90,-60\n" ROW_B,
		  "line 5 column 10 (doses_per_vial)" },
		{ TOP "A,M1,mrna,1,6,21,28,90,12,6,6,-90,-60\n" ROW_B,
		  "line 5 column 5 (series_doses): '6' is not a whole number from 1 to "
		  "5" },
		{ TOP "A,M1,mrna,1,2,21,400,90,12,6,6,-90,-60\n" ROW_B,
		  "line 5 column 7 (rec_interval_days)" },
		{ TOP "A,M1,mrna,1,2,21,28,90,12,21,6,-90,-60\n" ROW_B,
		  "line 5 column 10 (doses_per_vial)" },
		{ TOP "A,M1,mrna,1,2,21,28,90,12,6,49,-90,-60\n" ROW_B,
		  "line 5 column 11 (open_vial_hours)" },
		{ TOP "A,M1,mrna,yes,2,21,28,90,12,6,6,-90,-60\n" ROW_B,
		  "line 5 column 4 (used_in_vn)" },
		{ TOP "A,M1,mrna,1,2,21,28,0,12,6,6,-90,-60\n" ROW_B,
		  "line 5 column 8 (booster_min_days)" },
		/* open-vial hours with single-dose vials, and none with multi-dose */
		{ TOP ROW_A "B,M2,inactivated,0,1,0,0,,18,1,4,,\n",
		  "line 6 column 11 (open_vial_hours): must be 0 for single-dose vials" },
		{ TOP "A,M1,mrna,1,2,21,28,90,12,6,0,-90,-60\n" ROW_B,
		  "line 5 column 11 (open_vial_hours)" },
		/* intervals and the series */
		{ TOP ROW_A "B,M2,inactivated,0,1,7,7,,18,1,0,,\n",
		  "line 6 column 6 (min_interval_days)" },
		{ TOP "A,M1,mrna,1,2,0,28,90,12,6,6,-90,-60\n" ROW_B,
		  "line 5 column 6 (min_interval_days)" },
		/* storage */
		{ TOP "A,M1,mrna,1,2,21,28,90,12,6,6,-60,-90\n" ROW_B,
		  "line 5 column 13 (storage_max_c)" },
		{ TOP "A,M1,mrna,1,2,21,28,90,12,6,6,-90,40\n" ROW_B,
		  "line 5 column 13 (storage_max_c)" },
		/* platform */
		{ TOP "A,M1,rna,1,2,21,28,90,12,6,6,-90,-60\n" ROW_B,
		  "line 5 column 3 (platform)" },
		/* the shape of the file */
		{ "", "line 1: no header row" },
		{ "# only a comment\n", "line 2: no header row" },
		{ "# x\ncode,name\n", "line 2 column 2: unknown column 'name'" },
		{ "# x\ncode,code\n", "line 2 column 2: repeated column 'code'" },
		{ "code,manufacturer\n", "line 1: the header has no column platform" },
		{ TOP "A,M1,mrna,1,2,21,28,90,12,6,6,-90\n" ROW_B,
		  "line 5 column 13: 12 fields" },
		{ TOP "A,M1,mrna,1,2,21,28,90,12,6,6,-90,-60,1\n" ROW_B,
		  "line 5 column 14: 14 fields" },
		{ TOP ROW_A "\"B,M2\n", "line 6: " },
	};
	struct tc_arena a;
	(void)state;
	tc_arena_init(&a);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tc_fault f = { 0 };
		struct tc_product_info *p;
		size_t n;
		if (parse(bad[i].csv, &a, &p, &n, &f) != TC_ERR_IO)
			fail_msg("case %zu accepted", i);
		assert_string_equal(f.field, "file");
		if (strstr(f.message, bad[i].says) == NULL)
			fail_msg("case %zu: '%s' does not say '%s'", i, f.message,
			         bad[i].says);
		if (strncmp(f.message, "products.csv", 12) != 0)
			fail_msg("case %zu: '%s' does not name the file", i, f.message);
	}
	tc_arena_cleanup(&a);
}

/* ---- the fingerprint covers the three files ------------------------------ */

static void copy(const char *from, const char *to, const char *extra)
{
	struct tc_arena a;
	struct tc_fault f = { 0 };
	char *data;
	size_t len;
	FILE *fp;
	tc_arena_init(&a);
	assert_int_equal(tc_read_file(from, 1u << 22, &a, &data, &len, &f), TC_ERR_OK);
	fp = fopen(to, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	if (extra)
		fputs(extra, fp);
	assert_int_equal(fclose(fp), 0);
	tc_arena_cleanup(&a);
}

static const char *fingerprint(const char *dir, struct tc_arena *a)
{
	struct tc_fault f = { 0 };
	struct tc_product_info *p;
	const char *sha;
	size_t n;
	if (tc_products_csv_load(dir, a, &p, &n, &sha, &f) != TC_ERR_OK)
		fail_msg("%s", f.message);
	return sha;
}

static void test_fingerprint(void **state)
{
	static const char *const files[] = {
		"dcc-valuesets/vaccine-medicinal-product.json",
		"dcc-valuesets/vaccine-mah-manf.json", "vaccines/products.csv"
	};
	char dir[] = "/tmp/tc-products-XXXXXX";
	char path[256], sub[256];
	struct tc_arena a;
	const char *first;
	(void)state;
	tc_arena_init(&a);
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/dcc-valuesets", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/vaccines", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	for (size_t i = 0; i < 3; i++) {
		snprintf(sub, sizeof(sub), "data/%s", files[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		copy(sub, path, NULL);
	}
	first = fingerprint(dir, &a);
	assert_string_equal(first, fingerprint("data", &a));
	for (size_t i = 0; i < 3; i++) {
		/* a trailing newline changes no value but the bytes */
		snprintf(sub, sizeof(sub), "data/%s", files[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		copy(sub, path, "\n");
		assert_string_not_equal(fingerprint(dir, &a), first);
		copy(sub, path, NULL);
		assert_string_equal(fingerprint(dir, &a), first);
	}
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	snprintf(sub, sizeof(sub), "%s/dcc-valuesets", dir);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/vaccines", dir);
	rmdir(sub);
	rmdir(dir);
	tc_arena_cleanup(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_files),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_fingerprint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
