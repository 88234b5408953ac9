/* core: errors, arena, buffers, integers, time, UTF-8 and JSON specs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/hist.h"
#include "core/jspec.h"
#include "core/jw.h"
#include "core/tctime.h"
#include "core/util.h"

static void test_err_table(void **state)
{
	(void)state;
	assert_int_equal(tc_err_status(TC_ERR_OK), 200);
	assert_string_equal(tc_err_code(TC_ERR_BAD_JSON), "malformed_json");
	assert_int_equal(tc_err_status(TC_ERR_OUT_OF_JURISDICTION), 403);
	assert_int_equal(tc_err_status(TC_ERR_TOO_LARGE), 413);
	assert_int_equal(tc_err_status(TC_ERR_RATE_LIMITED), 429);
	assert_int_equal(tc_err_status((tc_err)9999), 500);
	/* every code is snake_case and unique */
	for (int i = 0; i < TC_ERR__COUNT; i++) {
		const char *c = tc_err_code((tc_err)i);
		for (const char *p = c; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
		for (int k = 0; k < i; k++)
			assert_string_not_equal(c, tc_err_code((tc_err)k));
		assert_true(tc_err_status((tc_err)i) >= 200);
	}
}

static void test_arena(void **state)
{
	struct tc_arena a;
	(void)state;
	tc_arena_init(&a);
	char *s = tc_arena_strdup(&a, "xin chào");
	assert_string_equal(s, "xin chào");
	for (int i = 0; i < 1000; i++) {
		void *p = tc_arena_alloc(&a, (size_t)i * 7 + 1);
		assert_true(((uintptr_t)p & 15) == 0);
		memset(p, 0xab, (size_t)i * 7 + 1);
	}
	char *big = tc_arena_alloc(&a, 1 << 20);
	memset(big, 1, 1 << 20);
	assert_string_equal(tc_arena_printf(&a, "%d-%s", 42, "x"), "42-x");
	tc_arena_reset(&a);
	assert_non_null(tc_arena_zalloc(&a, 10));
	tc_arena_cleanup(&a);
	tc_arena_cleanup(&a); /* idempotent */
}

static void test_buf_and_ints(void **state)
{
	struct tc_buf b;
	int64_t v;
	(void)state;
	tc_buf_init(&b);
	for (int i = 0; i < 1000; i++)
		tc_buf_printf(&b, "%d,", i);
	assert_true(b.len > 3000);
	assert_int_equal(b.data[b.len], '\0');
	tc_buf_cleanup(&b);
	tc_buf_cleanup(&b);
	assert_true(tc_parse_i64("42", 0, 100, &v) && v == 42);
	assert_false(tc_parse_i64("42x", 0, 100, &v));
	assert_false(tc_parse_i64("", 0, 100, &v));
	assert_false(tc_parse_i64(" 4", 0, 100, &v));
	assert_false(tc_parse_i64("101", 0, 100, &v));
	assert_false(tc_parse_i64("99999999999999999999999", 0, INT64_MAX, &v));
	char hex[9];
	tc_hex((const unsigned char *)"\x01\xab\xff\x00", 4, hex);
	assert_string_equal(hex, "01abff00");
}

static void test_time(void **state)
{
	char t[TC_TIME_TEXT_LEN];
	int64_t us;
	(void)state;
	tc_time_format(0, t);
	assert_string_equal(t, "1970-01-01T00:00:00.000000Z");
	tc_time_format(1795362759123456, t);
	assert_string_equal(t, "2026-11-22T15:52:39.123456Z");
	assert_true(tc_time_parse(t, &us) && us == 1795362759123456);
	/* PostgreSQL's ISO output */
	assert_true(tc_time_parse("2026-11-22 15:52:39.123456+00", &us) &&
	            us == 1795362759123456);
	assert_true(tc_time_parse("2026-11-22 15:52:39+00", &us) &&
	            us == 1795362759000000);
	assert_true(tc_time_parse("2026-11-22 15:52:39.1+00", &us) &&
	            us == 1795362759100000);
	assert_true(tc_time_parse("2000-02-29T00:00:00Z", &us));
	assert_false(tc_time_parse("2026-13-01T00:00:00Z", &us));
	assert_false(tc_time_parse("2026-11-22T15:52:39+07", &us));
	assert_false(tc_time_parse("2026-11-22", &us));
	assert_false(tc_time_parse("2026-11-22T15:52:39.Z", &us));
	/* only real dates and times */
	assert_false(tc_time_parse("2021-02-30T00:00:00Z", &us));
	assert_false(tc_time_parse("2023-02-29 12:00:00+00", &us));
	assert_true(tc_time_parse("2024-02-29 12:00:00+00", &us));
	assert_false(tc_time_parse("2021-04-31T08:00:00Z", &us));
	assert_false(tc_time_parse("2021-06-01T23:59:60Z", &us));
	assert_false(tc_time_parse("2021-06-01T23:59:59.1234567Z", &us));
	assert_false(tc_time_parse("2021-06-01T23:59:59", &us));
	/* negative instants and the calendar */
	tc_time_format(-1, t);
	assert_string_equal(t, "1969-12-31T23:59:59.999999Z");
	assert_int_equal(tc_days_from_civil(2024, 2, 29), 19782);
	int64_t y;
	unsigned m, d;
	tc_civil_from_days(19782, &y, &m, &d);
	assert_true(y == 2024 && m == 2 && d == 29);
}

/* The formatter keeps the last second it wrote: the same second with
 * other microseconds, the next second, and back again, against gmtime_r. */
static void test_time_seconds(void **state)
{
	char t[TC_TIME_TEXT_LEN], want[TC_TIME_TEXT_LEN + 8];
	uint64_t x = 88172645463325252ULL;
	(void)state;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* runs of instants a few microseconds or seconds apart, 1900..2100 */
		static int64_t base;
		if (i % 16 == 0)
			base = (int64_t)(x % 6311390400ULL) * 1000000 -
			       2208988800LL * 1000000;
		int64_t us = base + (int64_t)(x % (i % 3 ? 1000 : 3000000));
		time_t secs = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
		struct tm tm;
		gmtime_r(&secs, &tm);
		snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		         tm.tm_min, tm.tm_sec, (int)(us - (int64_t)secs * 1000000));
		tc_time_format(us, t);
		assert_string_equal(t, want);
	}
	/* a year past 9999 writes zeros and leaves the kept second alone */
	tc_time_format(1795362759123456, t);
	tc_time_format(400000000000000000, t);
	assert_string_equal(t, "0000-00-00T00:00:00.000000Z");
	tc_time_format(1795362759000001, t);
	assert_string_equal(t, "2026-11-22T15:52:39.000001Z");
}

/* Strings as JSON: copied whole when nothing needs an escape, escaped
 * otherwise; keys alike. */
static void test_jw_strings(void **state)
{
	struct tc_buf b;
	struct tc_jw w;
	(void)state;
	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_obj(&w);
	tc_jw_key(&w, "plain");
	tc_jw_str(&w, "Nguyễn Văn A");
	tc_jw_key(&w, "empty");
	tc_jw_str(&w, "");
	tc_jw_key(&w, "esc");
	tc_jw_str(&w, "a\"b\\c\nd\re\tf\x01g");
	tc_jw_key(&w, "end");
	tc_jw_str(&w, "x\"");
	tc_jw_key(&w, "k\"ey");
	tc_jw_null(&w);
	tc_jw_end(&w);
	assert_string_equal(b.data, "{\"plain\":\"Nguyễn Văn A\",\"empty\":\"\","
	                            "\"esc\":\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\","
	                            "\"end\":\"x\\\"\",\"k\\\"ey\":null}");
	assert_int_equal(strlen(b.data), b.len);
	tc_buf_cleanup(&b);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_int_equal(tc_utf8_check("Nguyễn Văn A", strlen("Nguyễn Văn A"), false), 12);
	assert_int_equal(tc_utf8_check("Đặng", strlen("Đặng"), false), 4);
	assert_int_equal(tc_utf8_check("a\nb", 3, false), -1);
	assert_int_equal(tc_utf8_check("a\nb", 3, true), 3);
	assert_int_equal(tc_utf8_check("\xc3\x28", 2, false), -1);      /* bad continuation */
	assert_int_equal(tc_utf8_check("\xc0\xaf", 2, false), -1);      /* overlong */
	assert_int_equal(tc_utf8_check("\xed\xa0\x80", 3, false), -1);  /* surrogate */
	assert_int_equal(tc_utf8_check("\xe2\x82", 2, false), -1);      /* truncated */
	assert_int_equal(tc_utf8_check("\xf0\x9f\x92\x89", 4, false), 1); /* syringe */
	assert_int_equal(tc_utf8_check("\xc2\x85", 2, false), -1);      /* C1 control */
}

struct body {
	const char *name;
	struct tc_jint n;
	struct tc_jbool on;
	const char *note;
};

static const struct tc_jfield spec[] = {
	TC_JSTR(struct body, name, TC_JF_REQUIRED, 2, 10),
	TC_JINT(struct body, n, 0, 0, 100),
	TC_JBOOL(struct body, on, 0),
	TC_JSTR(struct body, note, TC_JF_MULTILINE, 0, 50),
	TC_JEND,
};

static const struct {
	const char *json;
	tc_err rc;
	const char *field;
} jcases[] = {
	{"{\"name\":\"Hà\"}", TC_ERR_OK, NULL},
	{"{\"name\":\"Hà\",\"n\":5,\"on\":true,\"note\":\"a\\nb\"}", TC_ERR_OK, NULL},
	{"{\"name\":\"Hà\",\"n\":null}", TC_ERR_OK, NULL},
	{"", TC_ERR_BAD_JSON, NULL},
	{"{", TC_ERR_BAD_JSON, NULL},
	{"[1]", TC_ERR_NOT_OBJECT, NULL},
	{"\"x\"", TC_ERR_BAD_JSON, NULL},
	{"{}", TC_ERR_MISSING_FIELD, "name"},
	{"{\"name\":null}", TC_ERR_MISSING_FIELD, "name"},
	{"{\"name\":5}", TC_ERR_WRONG_TYPE, "name"},
	{"{\"name\":\"H\"}", TC_ERR_INVALID_FIELD, "name"},
	{"{\"name\":\"Nguyễn Văn A\"}", TC_ERR_INVALID_FIELD, "name"},
	{"{\"name\":\"Hà\",\"n\":101}", TC_ERR_INVALID_FIELD, "n"},
	{"{\"name\":\"Hà\",\"n\":1.5}", TC_ERR_WRONG_TYPE, "n"},
	{"{\"name\":\"Hà\",\"n\":\"1\"}", TC_ERR_WRONG_TYPE, "n"},
	{"{\"name\":\"Hà\",\"on\":1}", TC_ERR_WRONG_TYPE, "on"},
	{"{\"name\":\"Hà\",\"x\":1}", TC_ERR_UNKNOWN_FIELD, "x"},
	{"{\"name\":\"Hà\",\"name\":\"Hà\"}", TC_ERR_BAD_JSON, NULL},
	{"{\"name\":\"H\\u0000a\"}", TC_ERR_INVALID_FIELD, "name"},
	{"{\"name\":\"a\\nb\"}", TC_ERR_INVALID_FIELD, "name"},
	{"{\"name\":\"Hà\"} x", TC_ERR_BAD_JSON, NULL},
};

static void test_jspec(void **state)
{
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(jcases); i++) {
		struct tc_arena a;
		struct tc_fault f = {0};
		struct body b = {0};
		tc_arena_init(&a);
		tc_err rc = tc_jspec_parse(jcases[i].json, strlen(jcases[i].json), spec, &b,
		                           &a, &f);
		if (rc != jcases[i].rc)
			fail_msg("case %zu (%s): got %s", i, jcases[i].json, tc_err_code(rc));
		if (jcases[i].field)
			assert_string_equal(f.field, jcases[i].field);
		if (rc == TC_ERR_OK)
			assert_string_equal(b.name, "Hà");
		else
			assert_int_equal(f.code, rc);
		tc_arena_cleanup(&a);
	}
}

/* A bound belongs to its own bucket; negative times count as 0; the
 * rendering is cumulative, in seconds, with and without labels. */
static void test_hist(void **state)
{
	static struct tc_hist h;
	struct tc_buf out;

	(void)state;
	tc_hist_add(&h, 250);
	tc_hist_add(&h, 251);
	tc_hist_add(&h, -5);
	tc_hist_add(&h, 20000000);
	assert_int_equal(tc_hist_count(&h), 4);
	tc_buf_init(&out);
	tc_hist_render(&out, "x_seconds", "phase=\"queue\"", &h);
	const char *t = out.data;
	assert_non_null(
	        strstr(t, "x_seconds_bucket{phase=\"queue\",le=\"0.00025\"} 2\n"));
	assert_non_null(strstr(t, "x_seconds_bucket{phase=\"queue\",le=\"0.0005\"} 3\n"));
	assert_non_null(strstr(t, "x_seconds_bucket{phase=\"queue\",le=\"10\"} 3\n"));
	assert_non_null(strstr(t, "x_seconds_bucket{phase=\"queue\",le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(t, "x_seconds_sum{phase=\"queue\"} 20.000501\n"));
	assert_non_null(strstr(t, "x_seconds_count{phase=\"queue\"} 4\n"));
	tc_buf_reset(&out);
	tc_hist_render(&out, "y_seconds", "", &h);
	t = out.data;
	assert_non_null(strstr(t, "y_seconds_bucket{le=\"0.001\"} 3\n"));
	assert_non_null(strstr(t, "\ny_seconds_sum 20.000501\ny_seconds_count 4\n"));
	tc_buf_cleanup(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_table),    cmocka_unit_test(test_arena),
		cmocka_unit_test(test_buf_and_ints), cmocka_unit_test(test_time),
		cmocka_unit_test(test_time_seconds), cmocka_unit_test(test_jw_strings),
		cmocka_unit_test(test_utf8),         cmocka_unit_test(test_jspec),
		cmocka_unit_test(test_hist),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
