/* CHECK lists rewritten as comparisons (src/db/checklists.c): a table of
 * definitions and what they become, and, on a real SQLite table, the
 * rewritten constraint accepting and refusing exactly what the list did. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/arena.h"
#include "db/checklists.h"

static const struct {
	const char *in, *out; /* out NULL: left as it is */
} cases[] = {
	{ "CREATE TABLE t (s TEXT CHECK (s IN ('a', 'b', 'c')))",
	  "CREATE TABLE t (s TEXT CHECK ((s = 'a' OR s = 'b' OR s = 'c')))" },
	/* two items: SQLite compares them already */
	{ "CREATE TABLE t (s TEXT CHECK (s IN ('a', 'b')))", NULL },
	{ "CREATE TABLE t (n INTEGER CHECK (n in (1,2,-3)))",
	  "CREATE TABLE t (n INTEGER CHECK ((n = 1 OR n = 2 OR n = -3)))" },
	/* over lines, and a second list after the first */
	{ "CREATE TABLE t (\n  k TEXT CHECK (k IN ('x',\n   'y', 'z')),\n"
	  "  m TEXT CHECK (m IN ('p', 'q', 'r', 's'))\n)",
	  "CREATE TABLE t (\n  k TEXT CHECK ((k = 'x' OR k = 'y' OR k = 'z')),\n"
	  "  m TEXT CHECK ((m = 'p' OR m = 'q' OR m = 'r' OR m = 's'))\n)" },
	/* quotes: commas, parentheses and doubled quotes inside literals */
	{ "CREATE TABLE t (s TEXT CHECK (s IN ('a,b', 'c)', 'it''s')))",
	  "CREATE TABLE t (s TEXT CHECK ((s = 'a,b' OR s = 'c)' OR s = 'it''s')))" },
	{ "CREATE TABLE t (\"my col\" TEXT CHECK (\"my col\" IN ('a', 'b', 'c')))",
	  "CREATE TABLE t (\"my col\" TEXT CHECK ((\"my col\" = 'a' OR \"my col\" = 'b' "
	  "OR "
	  "\"my col\" = 'c')))" },
	/* NOT IN, expressions, a comment inside, text in quotes or comments */
	{ "CREATE TABLE t (s TEXT CHECK (s NOT IN ('a', 'b', 'c')))", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (lower(s) IN ('a', 'b', 'c')))", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (s IN ('a', upper('b'), 'c')))", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (s IN ('a', -- one\n 'b', 'c')))", NULL },
	{ "CREATE TABLE t (s TEXT DEFAULT 'x IN (''a'', ''b'', ''c'')')", NULL },
	{ "CREATE TABLE t (s TEXT) -- s IN ('a', 'b', 'c')", NULL },
	{ "CREATE TABLE t (s TEXT /* s IN ('a', 'b', 'c') */)", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (s IN (SELECT x FROM u)))", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (s IN ()))", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (s IN ('a', 'b', 'c'", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (s IN ('a', 'b', 'c)))", NULL },
	{ "CREATE TABLE t (s TEXT, pin TEXT CHECK (pin IS NOT NULL))", NULL },
	/* the name alone on the left, the list alone on the right */
	{ "CREATE TABLE t (a INT, b INT, CHECK (a + b IN (1, 2, 3)))", NULL },
	{ "CREATE TABLE t (a INT, b INT, CHECK (a = b IN (1, 2, 3)))", NULL },
	{ "CREATE TABLE t (b INT CHECK (-b IN (1, 2, 3)))", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (s COLLATE NOCASE IN ('a', 'b', 'c')))", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (t.s IN ('a', 'b', 'c')))", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (CASE WHEN s > '' THEN s END IN ('a', 'b', "
	  "'c')))",
	  NULL },
	{ "CREATE TABLE t (\"a\"\"b\" TEXT CHECK (\"a\"\"b\" IN ('a', 'b', 'c')))",
	  NULL },
	{ "CREATE TABLE t (s TEXT CHECK (s -- note\n IN ('a', 'b', 'c')))", NULL },
	{ "CREATE TABLE t (s TEXT CHECK (s IN ('a', 'b', 'c') + 1))", NULL },
	{ "CREATE TABLE t (s TEXT, n INT, CHECK (n > 0 AND s IN ('a', 'b', 'c') OR NOT s "
	  "IN "
	  "('d', 'e', 'f')))",
	  "CREATE TABLE t (s TEXT, n INT, CHECK (n > 0 AND (s = 'a' OR s = 'b' OR s = "
	  "'c') OR "
	  "NOT (s = 'd' OR s = 'e' OR s = 'f')))" },
	{ "CREATE TABLE t (s TEXT CHECK (CASE WHEN s IN ('a', 'b', 'c') THEN 1 ELSE 0 "
	  "END))",
	  "CREATE TABLE t (s TEXT CHECK (CASE WHEN (s = 'a' OR s = 'b' OR s = 'c') THEN "
	  "1 ELSE "
	  "0 END))" },
};

static void test_table(void **state)
{
	struct tc_arena a;

	(void)state;
	tc_arena_init(&a);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = tc_check_lists_rewrite(cases[i].in, &a);
		if (cases[i].out == NULL && got != NULL)
			fail_msg("case %zu: changed to %s", i, got);
		if (cases[i].out != NULL &&
		    (got == NULL || strcmp(got, cases[i].out) != 0))
			fail_msg("case %zu: %s\n  wanted %s", i,
			         got ? got : "(unchanged)", cases[i].out);
	}
	tc_arena_cleanup(&a);
}

static int step(sqlite3 *h, const char *sql)
{
	return sqlite3_exec(h, sql, NULL, NULL, NULL);
}

/* The same rows pass and fail before and after, for a list alone and for
 * lists among AND, OR and NOT. */
static void test_same_meaning(void **state)
{
	static const char *const defs[] = {
		"CREATE TABLE t1 (s TEXT, n INT CHECK (s IN ('a', 'b', 'c')))",
		"CREATE TABLE t1 (s TEXT, n INT, CHECK (n > 0 AND s IN ('a', 'b', 'c') "
		"OR NOT s IN "
		"('d', 'e', 'a')))",
	};
	static const char *const values[] = { "'a'",  "'b'", "'c'", "'d'", "'e'",
		                              "NULL", "'A'", "1",   "''" };
	static const char *const numbers[] = { "-1", "0", "1", "NULL" };
	struct tc_arena a;
	sqlite3 *h;

	(void)state;
	tc_arena_init(&a);
	for (size_t d = 0; d < sizeof defs / sizeof defs[0]; d++) {
		const char *after = tc_check_lists_rewrite(defs[d], &a);
		assert_non_null(after);
		assert_int_equal(sqlite3_open(":memory:", &h), SQLITE_OK);
		assert_int_equal(step(h, defs[d]), SQLITE_OK);
		char *t2 = tc_arena_strdup(&a, after);
		t2[14] = '2'; /* t1 -> t2 */
		assert_int_equal(step(h, t2), SQLITE_OK);
		for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
			for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++) {
				const char *row = tc_arena_printf(&a, "(%s, %s)",
				                                  values[i], numbers[k]);
				int r1 = step(
				        h, tc_arena_printf(&a, "INSERT INTO t1 VALUES %s",
				                           row));
				int r2 = step(
				        h, tc_arena_printf(&a, "INSERT INTO t2 VALUES %s",
				                           row));
				if (r1 != r2)
					fail_msg("%s %s: %d before, %d after", defs[d],
					         row, r1, r2);
			}
		sqlite3_close(h);
	}
	tc_arena_cleanup(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_same_meaning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
