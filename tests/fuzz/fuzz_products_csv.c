/* Fuzzes tc_products_csv_parse (src/io/products_csv.c), the reader of
 * data/vaccines/products.csv, against a small fixed value set: products A
 * and B, manufacturers M1 and M2. The input is the CSV text, handed over in
 * a heap block of exactly its length so reading past its end is caught.
 *
 * On success there is one record per product, in the value set's order,
 * with the set's name, activity and manufacturer name, a known platform,
 * and every value inside its range and consistent with the others (the
 * intervals and the series, the open-vial hours and the vial size, the
 * storage range). On failure the fault is an IO error whose message names
 * the file and quotes at most a short piece of the input. */
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "io/products_csv.h"
#include "fuzz.h"

static const struct tc_product products[] = {
	{"A", "Product A", true},
	{"B", "Product B", false},
};
static const struct tc_product manufacturers[] = {
	{"M1", "Maker One", true},
	{"M2", "Maker Two", true},
};

static bool known_platform(const char *s)
{
	static const char *const names[] = {"mrna", "viral_vector", "inactivated",
	                                    "protein_subunit", "other"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return true;
	return false;
}

static void check(const struct tc_product_info *p, size_t n)
{
	FUZZ_CHECK(n == 2);
	for (size_t i = 0; i < n; i++, p++) {
		size_t m;
		FUZZ_CHECK(strcmp(p->code, products[i].code) == 0);
		FUZZ_CHECK(strcmp(p->name, products[i].name) == 0);
		FUZZ_CHECK(p->active == products[i].active);
		for (m = 0; m < 2; m++)
			if (strcmp(p->manufacturer, manufacturers[m].code) == 0)
				break;
		FUZZ_CHECK(m < 2);
		FUZZ_CHECK(strcmp(p->manufacturer_name, manufacturers[m].name) == 0);
		FUZZ_CHECK(known_platform(p->platform));
		FUZZ_CHECK(p->series_doses >= 1 && p->series_doses <= 5);
		FUZZ_CHECK(p->min_interval_days >= 0 &&
		           p->min_interval_days <= p->rec_interval_days &&
		           p->rec_interval_days <= 365);
		FUZZ_CHECK((p->series_doses == 1) == (p->rec_interval_days == 0));
		FUZZ_CHECK((p->series_doses == 1) == (p->min_interval_days == 0));
		FUZZ_CHECK(p->booster_min_days == -1 ||
		           (p->booster_min_days >= 1 && p->booster_min_days <= 365));
		FUZZ_CHECK(p->min_age_years >= 0 && p->min_age_years <= 100);
		FUZZ_CHECK(p->doses_per_vial >= 1 && p->doses_per_vial <= 20);
		FUZZ_CHECK(p->open_vial_hours >= 0 && p->open_vial_hours <= 48);
		FUZZ_CHECK((p->doses_per_vial == 1) == (p->open_vial_hours == 0));
		FUZZ_CHECK(p->storage_min_c == INT64_MIN ||
		           (p->storage_min_c >= -100 && p->storage_min_c <= 30));
		FUZZ_CHECK(p->storage_max_c == INT64_MIN ||
		           (p->storage_max_c >= -100 && p->storage_max_c <= 30));
		FUZZ_CHECK(p->storage_min_c == INT64_MIN || p->storage_max_c == INT64_MIN ||
		           p->storage_min_c <= p->storage_max_c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_memdup(data, size);
	struct tc_arena a;
	struct tc_fault f = {0};
	struct tc_product_info *out = NULL;
	size_t n = 0;
	tc_err rc;

	tc_arena_init(&a);
	rc = tc_products_csv_parse(copy, size, products, 2, manufacturers, 2, &a, &out, &n,
	                           &f);
	if (rc == TC_ERR_OK) {
		FUZZ_CHECK(out != NULL);
		check(out, n);
	} else {
		FUZZ_CHECK(rc == TC_ERR_IO && f.code == rc);
		FUZZ_CHECK(f.message != NULL && strncmp(f.message, "products.csv", 12) == 0);
		FUZZ_CHECK(strlen(f.message) < 512);
		FUZZ_CHECK(out == NULL && n == 0);
	}
	tc_arena_cleanup(&a);
	free(copy);
	return 0;
}
