/* Fuzzes tc_units_parse (src/io/units_csv.c), the reader of the
 * administrative-unit CSV files in data/vn-admin/.
 *
 * The input holds the three files separated by form feeds ('\f', shown as
 * ^L by editors): provinces.csv ^L districts.csv ^L wards.csv. A missing
 * part is an empty file. Each part is handed over in its own heap block of
 * exactly its length, so reading past a file's end is caught.
 *
 * On success every record must be sound: the country first, then units
 * whose parent came earlier and sits one level up, codes of the level's
 * length in digits and never repeated, a path that is the parent's plus
 * the code and that tc_scope_level (src/domain/access.c) reads back at the
 * unit's level, names that are non-empty UTF-8 text, and the country's
 * population the sum of its provinces'. On failure the fault is an IO
 * error with a message. */
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/jspec.h"
#include "domain/access.h"
#include "io/units_csv.h"
#include "fuzz.h"

static const char *const levels[] = {"country", "province", "district", "commune"};
static const size_t code_len[] = {2, 2, 3, 5};

static int level_of(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(levels[i], name) == 0)
			return i;
	return -1;
}

static bool text_ok(const char *s, bool may_be_empty)
{
	long n = tc_utf8_check(s, strlen(s), false);
	return may_be_empty ? n >= 0 : n > 0;
}

static void check_units(const struct tc_unit *u, size_t n)
{
	int64_t provinces_pop = 0;

	FUZZ_CHECK(n >= 1);
	FUZZ_CHECK(strcmp(u[0].code, "VN") == 0 && strcmp(u[0].path, "VN") == 0);
	FUZZ_CHECK(strcmp(u[0].level, "country") == 0 && u[0].parent_code == NULL);
	for (size_t i = 1; i < n; i++) {
		int lv = level_of(u[i].level);
		size_t j;
		enum tc_level sl;

		FUZZ_CHECK(lv >= 1);
		FUZZ_CHECK(strlen(u[i].code) == code_len[lv]);
		for (const char *c = u[i].code; *c; c++)
			FUZZ_CHECK(*c >= '0' && *c <= '9');
		FUZZ_CHECK(u[i].parent_code != NULL);
		for (j = 0; j < i; j++)
			if (strcmp(u[j].code, u[i].parent_code) == 0)
				break;
		FUZZ_CHECK(j < i); /* the parent came first */
		FUZZ_CHECK(level_of(u[j].level) == lv - 1);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(u[k].code, u[i].code) != 0);
		size_t pl = strlen(u[j].path);
		FUZZ_CHECK(strncmp(u[i].path, u[j].path, pl) == 0 && u[i].path[pl] == '/' &&
		           strcmp(u[i].path + pl + 1, u[i].code) == 0);
		FUZZ_CHECK(tc_scope_level(u[i].path, &sl) && (int)sl == lv);
		FUZZ_CHECK(tc_scope_contains(u[j].path, u[i].path));
		FUZZ_CHECK(text_ok(u[i].name, false) && text_ok(u[i].name_with_type, false) &&
		           text_ok(u[i].type, false) && text_ok(u[i].slug, true));
		FUZZ_CHECK(u[i].population >= -1 && u[i].population <= 1000000000);
		if (lv == 1 && u[i].population > 0)
			provinces_pop += u[i].population;
	}
	FUZZ_CHECK(u[0].population == (provinces_pop > 0 ? provinces_pop : -1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[3] = {data, data + size, data + size};
	size_t len[3] = {size, 0, 0};
	char *copy[3];
	struct tc_arena a;
	struct tc_fault f = {0};
	struct tc_unit *units = NULL;
	size_t n = 0;
	tc_err rc;

	/* Split on the first two form feeds. */
	for (int k = 0; k < 2; k++) {
		const uint8_t *ff = memchr(part[k], '\f', len[k]);
		if (ff == NULL)
			break;
		part[k + 1] = ff + 1;
		len[k + 1] = (size_t)(part[k] + len[k] - (ff + 1));
		len[k] = (size_t)(ff - part[k]);
	}
	for (int k = 0; k < 3; k++)
		copy[k] = fuzz_memdup(part[k], len[k]);

	tc_arena_init(&a);
	rc = tc_units_parse(copy[0], len[0], copy[1], len[1], copy[2], len[2], &a,
	                    &units, &n, &f);
	if (rc == TC_ERR_OK) {
		FUZZ_CHECK(units != NULL);
		check_units(units, n);
	} else {
		FUZZ_CHECK(rc == TC_ERR_IO && f.code == rc);
		FUZZ_CHECK(f.message != NULL && strlen(f.message) > 0);
		/* The message quotes at most a short piece of the input. */
		FUZZ_CHECK(strlen(f.message) < 512);
	}
	tc_arena_cleanup(&a);
	for (int k = 0; k < 3; k++)
		free(copy[k]);
	return 0;
}
