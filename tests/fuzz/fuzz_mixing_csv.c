/* Fuzzes tc_mixing_csv_parse (src/io/mixing_csv.c), the reader of
 * data/vaccines/mixing.csv, against the product codes A and B. The input is
 * the CSV text, handed over in a heap block of exactly its length so
 * reading past its end is caught.
 *
 * On success every rule has a known kind, sides that are "*", a platform,
 * A or B ("=" only as the `then` of a booster rule), min_days -1 or 1 to
 * 730, and no two rules share kind, after and then; the rules then feed
 * the schedule, which must number a small fixed history without breaking
 * its own invariants. On failure the fault is an IO error whose message
 * names the file and stays short. */
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "domain/schedule.h"
#include "fuzz.h"
#include "io/mixing_csv.h"

static const char *const codes[] = { "A", "B" };

static const struct tc_sched_product products[] = {
	{ "A", "Product A", "mrna", 2, 21, 90, 12 },
	{ "B", "Product B", "viral_vector", 1, 0, -1, 18 },
};

static bool side_ok(const char *s, bool same_ok)
{
	return strcmp(s, "*") == 0 || (same_ok && strcmp(s, "=") == 0) ||
	       tc_sched_platform_known(s) || strcmp(s, "A") == 0 || strcmp(s, "B") == 0;
}

static void check(const struct tc_mix_rule *r, size_t n, struct tc_arena *a)
{
	static const struct tc_sched_dose hist[] = {
		{ 1, "B", 100, true, 0, 0 }, { 2, "A", 130, true, 0, 0 },
		{ 3, "A", 129, true, 0, 0 }, { 4, "A", 400, true, 0, 0 },
		{ 5, "A", 401, true, 0, 0 },
	};
	struct tc_sched_ctx cx = { products, 2, r, n, 0 };
	struct tc_sched_result out[5];
	int boosters = 0;

	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(r[i].kind == TC_MIX_PRIMARY || r[i].kind == TC_MIX_BOOSTER ||
		           r[i].kind == TC_MIX_BOOSTER2);
		FUZZ_CHECK(side_ok(r[i].after, false));
		FUZZ_CHECK(side_ok(r[i].then, r[i].kind != TC_MIX_PRIMARY));
		FUZZ_CHECK(r[i].min_days == -1 ||
		           (r[i].min_days >= 1 && r[i].min_days <= 730));
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(r[j].kind != r[i].kind ||
			           strcmp(r[j].after, r[i].after) != 0 ||
			           strcmp(r[j].then, r[i].then) != 0);
	}
	tc_sched_renumber(&cx, hist, 5, out, a);
	/* B is one dose: every later dose is a booster, numbered in day order */
	FUZZ_CHECK(out[0].kind == TC_SCHED_KIND_PRIMARY && out[0].number == 1 &&
	           out[0].completes);
	for (size_t k = 1; k < 5; k++) {
		FUZZ_CHECK(out[k].kind == TC_SCHED_KIND_BOOSTER);
		FUZZ_CHECK((out[k].verdict == TC_SCHED_OK) == (out[k].reason == NULL));
		FUZZ_CHECK(out[k].earliest_day != INT64_MIN);
		boosters += out[k].number;
	}
	FUZZ_CHECK(out[2].number == 1 && out[1].number == 2 && boosters == 1 + 2 + 3 + 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_memdup(data, size);
	struct tc_arena a;
	struct tc_fault f = { 0 };
	struct tc_mix_rule *out = NULL;
	size_t n = 0;
	tc_err rc;

	tc_arena_init(&a);
	rc = tc_mixing_csv_parse(copy, size, codes, 2, &a, &out, &n, &f);
	if (rc == TC_ERR_OK) {
		FUZZ_CHECK(out != NULL);
		check(out, n, &a);
	} else {
		FUZZ_CHECK(rc == TC_ERR_IO && f.code == rc);
		FUZZ_CHECK(f.message != NULL &&
		           strncmp(f.message, "mixing.csv", 10) == 0);
		FUZZ_CHECK(strlen(f.message) < 512);
		FUZZ_CHECK(out == NULL && n == 0);
	}
	tc_arena_cleanup(&a);
	free(copy);
	return 0;
}
