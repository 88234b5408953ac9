/* io/products_json: the EU DCC value sets (vaccine products, manufacturers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "io/products_json.h"

static void test_shipped_file(void **state)
{
	struct tc_fault f = { 0 };
	struct tc_product *p;
	const char *sha;
	size_t n;
	struct tc_arena a;
	(void)state;
	tc_arena_init(&a);
	assert_int_equal(tc_valueset_load("data/dcc-valuesets", TC_DCC_PRODUCTS_FILE, &a, &p,
	                                  &n, &sha, &f),
	                 TC_ERR_OK);
	assert_true(n >= 30);
	assert_int_equal(strlen(sha), 64);
	assert_string_equal(p[0].code, "EU/1/20/1528");
	assert_string_equal(p[0].name, "Comirnaty");
	assert_true(p[0].active);
	bool deprecated = false;
	for (size_t i = 0; i < n; i++)
		deprecated = deprecated ||
		             (strcmp(p[i].code, "NVX-CoV2373") == 0 && !p[i].active);
	assert_true(deprecated);
	tc_arena_cleanup(&a);
}

static void test_manufacturers_file(void **state)
{
	struct tc_fault f = { 0 };
	struct tc_product *m;
	const char *sha;
	size_t n;
	struct tc_arena a;
	(void)state;
	tc_arena_init(&a);
	assert_int_equal(tc_valueset_load("data/dcc-valuesets", TC_DCC_MANUFACTURERS_FILE, &a,
	                                  &m, &n, &sha, &f),
	                 TC_ERR_OK);
	assert_int_equal(n, 31);
	assert_string_equal(m[1].code, "ORG-100030215");
	assert_string_equal(m[1].name, "Biontech Manufacturing GmbH");
	/* the file is named in an error */
	assert_int_equal(tc_valueset_parse(TC_DCC_MANUFACTURERS_FILE, "{}", 2, &a, &m, &n, &f),
	                 TC_ERR_IO);
	assert_non_null(strstr(f.message, TC_DCC_MANUFACTURERS_FILE));
	tc_arena_cleanup(&a);
}

static void test_bad_files(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"valueSetValues\":{}}",
		"{\"valueSetValues\":[]}",
		"{\"valueSetValues\":{\"X\":{\"display\":\"X\"}}}",
		"{\"valueSetValues\":{\"X\":{\"display\":1,\"active\":true}}}",
		"{\"valueSetValues\":{\"X\":{\"display\":\"\",\"active\":true}}}",
		"{\"valueSetValues\":{\"\":{\"display\":\"X\",\"active\":true}}}",
		"{\"valueSetValues\":{\"X\":{\"display\":\"a\\nb\",\"active\":true}}}",
	};
	struct tc_product *p;
	size_t n;
	struct tc_arena a;
	(void)state;
	tc_arena_init(&a);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tc_fault f = { 0 };
		if (tc_products_parse(bad[i], strlen(bad[i]), &a, &p, &n, &f) !=
		    TC_ERR_IO)
			fail_msg("case %zu accepted: %s", i, bad[i]);
		assert_string_equal(f.field, "file");
	}
	struct tc_fault f = { 0 };
	const char *ok =
	        "{\"valueSetValues\":{\"A\":{\"display\":\"Á\",\"active\":false}}}";
	assert_int_equal(tc_products_parse(ok, strlen(ok), &a, &p, &n, &f), TC_ERR_OK);
	assert_int_equal(n, 1);
	assert_false(p[0].active);
	tc_arena_cleanup(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_file),
		cmocka_unit_test(test_manufacturers_file),
		cmocka_unit_test(test_bad_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
