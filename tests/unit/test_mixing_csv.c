/* io/mixing_csv: the mixing rules (data/vaccines/mixing.csv), and its
 * refusals naming the file, the line and the column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "io/mixing_csv.h"

static const char *const codes[] = { "EU/1/21/1529", "EU/1/20/1528", "BBIBP-CorV" };

#define HEAD "# comment\n\nkind,after,then,min_days,source\n"

static void test_parse(void **state)
{
	static const char csv[] = HEAD "primary,EU/1/21/1529,EU/1/20/1528,,3802\n"
	                               "\n"
	                               "booster,inactivated,EU/1/21/1529,,10225\n"
	                               "booster2,*,=,120,\"a, b\"\n";
	struct tc_arena a;
	struct tc_fault f = { 0 };
	struct tc_mix_rule *r;
	size_t n;
	(void)state;

	tc_arena_init(&a);
	if (tc_mixing_csv_parse(csv, strlen(csv), codes, 3, &a, &r, &n, &f) != TC_ERR_OK)
		fail_msg("%s", f.message);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].kind, TC_MIX_PRIMARY);
	assert_string_equal(r[0].after, "EU/1/21/1529");
	assert_string_equal(r[0].then, "EU/1/20/1528");
	assert_int_equal(r[0].min_days, -1);
	assert_int_equal(r[1].kind, TC_MIX_BOOSTER);
	assert_string_equal(r[1].after, "inactivated");
	assert_int_equal(r[2].kind, TC_MIX_BOOSTER2);
	assert_string_equal(r[2].then, "=");
	assert_int_equal(r[2].min_days, 120);
	tc_arena_cleanup(&a);
}

static const struct {
	const char *csv, *message;
} bad[] = {
	{ "", "mixing.csv line 1: no header row" },
	{ "kind,after,then,source\n",
	  "mixing.csv line 1: the header has no column min_days" },
	{ HEAD "primary,EU/1/21/1529,Comirnaty,,x\n",
	  "mixing.csv line 4 column 3 (then): not a product code, a platform or *: "
	  "'Comirnaty'" },
	{ HEAD "primary,EU/1/21/1529,=,,x\n",
	  "mixing.csv line 4 column 3 (then): not a product code, a platform or *: '='" },
	{ HEAD "booster,=,mrna,,x\n", "mixing.csv line 4 column 2 (after): not a product "
	                              "code, a platform or *: '='" },
	{ HEAD "booster,*,Comirnaty,,x\n",
	  "mixing.csv line 4 column 3 (then): not a product code, a platform, * or =: "
	  "'Comirnaty'" },
	{ HEAD "third,*,mrna,,x\n",
	  "mixing.csv line 4 column 1 (kind): not one of primary, booster, booster2: "
	  "'third'" },
	{ HEAD "booster,*,mrna,0,x\n",
	  "mixing.csv line 4 column 4 (min_days): not empty or a whole number from 1 to "
	  "730: '0'" },
	{ HEAD "booster,*,mrna,,\n",
	  "mixing.csv line 4 column 5 (source): a value is required" },
	{ HEAD "booster,*,mrna,,x\n", NULL },
	{ HEAD "booster,*,mrna,,x\nbooster,*,mrna,90,y\n",
	  "mixing.csv line 5: a second booster row for * then mrna" },
	{ HEAD "primary,BBIBP-CorV,BBIBP-CorV,,x\n",
	  "mixing.csv line 4 column 3 (then): a product continues its own series without "
	  "a rule: 'BBIBP-CorV'" },
	{ HEAD "booster,*,mrna,x\n",
	  "mixing.csv line 4 column 5: 4 fields, the header has 5" },
	{ HEAD "booster,*,\"mrna,,x\n", NULL /* any message: an open quote */ },
};

static void test_refusals(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tc_arena a;
		struct tc_fault f = { 0 };
		struct tc_mix_rule *r;
		size_t n;
		tc_err rc;

		tc_arena_init(&a);
		rc = tc_mixing_csv_parse(bad[i].csv, strlen(bad[i].csv), codes, 3, &a, &r,
		                         &n, &f);
		if (bad[i].message == NULL && strchr(bad[i].csv, '"') == NULL) {
			assert_int_equal(rc, TC_ERR_OK); /* the control row */
		} else {
			assert_int_equal(rc, TC_ERR_IO);
			assert_null(r);
			if (bad[i].message)
				assert_string_equal(f.message, bad[i].message);
			else
				assert_true(strncmp(f.message, "mixing.csv line 4", 17) ==
				            0);
		}
		tc_arena_cleanup(&a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
