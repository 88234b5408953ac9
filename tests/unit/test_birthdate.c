/* domain/birthdate: full and partial birth dates, the spreadsheet forms,
 * ages, and the day in Vietnam. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/tctime.h"
#include "core/util.h"
#include "domain/birthdate.h"

enum form { ISO, LOOSE, EXCEL }; /* EXCEL: loose with serials */

static const struct dcase {
	enum form form;
	const char *in;
	const char *out; /* as tc_bdate_format writes it, NULL: refused */
} dcases[] = {
	{ ISO, "1990-05-17", "1990-05-17" },
	{ ISO, "1990-05", "1990-05" },
	{ ISO, "1990", "1990" },
	{ ISO, "2000-02-29", "2000-02-29" },
	{ ISO, "2020-02-29", "2020-02-29" },
	{ ISO, "1990-02-29", NULL },
	{ ISO, "1900-02-29", NULL }, /* 1900 was not a leap year */
	{ ISO, "2100-02-29", NULL },
	{ ISO, "1990-02-28", "1990-02-28" },
	{ ISO, "1990-04-31", NULL },
	{ ISO, "1990-12-31", "1990-12-31" },
	{ ISO, "1990-13", NULL },
	{ ISO, "1990-13-01", NULL },
	{ ISO, "1990-00-10", NULL },
	{ ISO, "1990-00", NULL },
	{ ISO, "1990-01-00", NULL },
	{ ISO, "1990-01-32", NULL },
	{ ISO, "1990-5-17", NULL },
	{ ISO, "90-05-17", NULL },
	{ ISO, "1990-05-17T00:00", NULL },
	{ ISO, " 1990", NULL },
	{ ISO, "0000", NULL },
	{ ISO, "17/05/1990", NULL },
	{ ISO, "", NULL },
	{ ISO, NULL, NULL },
	{ LOOSE, "1990-05-17", "1990-05-17" },
	{ LOOSE, "17/05/1990", "1990-05-17" },
	{ LOOSE, "17-05-1990", "1990-05-17" },
	{ LOOSE, "17.05.1990", "1990-05-17" },
	{ LOOSE, "7/5/1990", "1990-05-07" },
	{ LOOSE, " 17/05/1990 ", "1990-05-17" },
	{ LOOSE, "05/1990", "1990-05" },
	{ LOOSE, "5-1990", "1990-05" },
	{ LOOSE, "17051990", "1990-05-17" },
	{ LOOSE, "29022000", "2000-02-29" },
	{ LOOSE, "29021990", NULL },
	{ LOOSE, "19900517", NULL }, /* eight digits are ddmmyyyy */
	{ LOOSE, "29/02/1990", NULL },
	{ LOOSE, "31/04/1990", NULL },
	{ LOOSE, "32/01/1990", NULL },
	{ LOOSE, "00/01/1990", NULL },
	{ LOOSE, "01/13/1990", NULL },
	{ LOOSE, "0/1990", NULL },
	{ LOOSE, "13/1990", NULL },
	{ LOOSE, "17/05-1990", NULL },
	{ LOOSE, "17/05/90", NULL },
	{ LOOSE, "1990/05/17", NULL },
	{ LOOSE, "017/05/1990", NULL },
	{ LOOSE, "32874", NULL }, /* serials only when asked for */
	{ LOOSE, "abc", NULL },
	{ LOOSE, "", NULL },
	{ EXCEL, "32874", "1990-01-01" },
	{ EXCEL, "25569", "1970-01-01" },
	{ EXCEL, "32874.0", "1990-01-01" },
	{ EXCEL, "32874.00", "1990-01-01" },
	{ EXCEL, "32874.", NULL },
	{ EXCEL, "32874.5", NULL },
	{ EXCEL, "44197", "2021-01-01" },
	{ EXCEL, "1", "1900-01-01" },
	{ EXCEL, "59", "1900-02-28" },
	{ EXCEL, "60", NULL }, /* Excel's 29 February 1900 */
	{ EXCEL, "61", "1900-03-01" },
	{ EXCEL, "0", NULL },
	{ EXCEL, "-1", NULL },
	{ EXCEL, "2958465", "9999-12-31" },
	{ EXCEL, "2958466", NULL },
	{ EXCEL, "12345678", NULL },
	{ EXCEL, "1990", "1990" }, /* four digits are a year */
	{ EXCEL, "17/05/1990", "1990-05-17" },
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(dcases); i++) {
		const struct dcase *c = &dcases[i];
		struct tc_bdate d;
		char text[TC_BDATE_TEXT_LEN];
		bool ok = c->form == ISO
		                  ? tc_bdate_parse_iso(c->in, &d)
		                  : tc_bdate_parse_loose(c->in, c->form == EXCEL, &d);
		if (ok != (c->out != NULL))
			fail_msg("case %zu (%s): %s", i, c->in ? c->in : "NULL",
			         ok ? "accepted" : "refused");
		if (!ok)
			continue;
		tc_bdate_format(&d, text);
		if (strcmp(text, c->out) != 0)
			fail_msg("case %zu (%s): got %s, want %s", i, c->in, text,
			         c->out);
		/* the format reads back as the same date */
		struct tc_bdate back;
		assert_true(tc_bdate_parse_iso(text, &back));
		assert_memory_equal(&back, &d, sizeof(d));
	}
}

static struct tc_bdate date(const char *iso)
{
	struct tc_bdate d;
	assert_true(tc_bdate_parse_iso(iso, &d));
	return d;
}

static int64_t day(int y, unsigned m, unsigned d)
{
	return tc_days_from_civil(y, m, d);
}

static void test_check(void **state)
{
	int64_t today = day(2021, 6, 15);
	struct tc_fault f = { 0 };
	struct tc_bdate d;
	(void)state;

	d = date("1990-05-17");
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f), TC_ERR_OK);
	d = date("2021-06-15");
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f), TC_ERR_OK);
	d = date("2021-06");
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f), TC_ERR_OK);
	d = date("2021");
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f), TC_ERR_OK);
	d = date("1900-01-01");
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f), TC_ERR_OK);

	d = date("2021-06-16");
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f),
	                 TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "birth_date");
	assert_non_null(strstr(f.message, "future"));
	d = date("2021-07");
	assert_int_equal(tc_bdate_check(&d, today, "dob", &f), TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "dob");
	d = date("2022");
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f),
	                 TC_ERR_INVALID_FIELD);
	d = date("1899-12-31");
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f),
	                 TC_ERR_INVALID_FIELD);
	assert_non_null(strstr(f.message, "1900"));
	d = date("1899");
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f),
	                 TC_ERR_INVALID_FIELD);

	/* a struct filled by hand is checked too */
	d = (struct tc_bdate){ 1990, 2, 30, TC_DATE_DAY };
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f),
	                 TC_ERR_INVALID_FIELD);
	d = (struct tc_bdate){ 1990, 5, 17, TC_DATE_MONTH };
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f),
	                 TC_ERR_INVALID_FIELD);
	d = (struct tc_bdate){ 1990, 13, 0, TC_DATE_MONTH };
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f),
	                 TC_ERR_INVALID_FIELD);
	d = (struct tc_bdate){ 1990, 5, 0, TC_DATE_YEAR };
	assert_int_equal(tc_bdate_check(&d, today, "birth_date", &f),
	                 TC_ERR_INVALID_FIELD);
}

static void test_days_and_age(void **state)
{
	struct tc_bdate d;
	(void)state;

	d = date("2000-02");
	assert_int_equal(tc_bdate_first_day(&d), day(2000, 2, 1));
	assert_int_equal(tc_bdate_last_day(&d), day(2000, 2, 29));
	d = date("1990");
	assert_int_equal(tc_bdate_first_day(&d), day(1990, 1, 1));
	assert_int_equal(tc_bdate_last_day(&d), day(1990, 12, 31));
	d = date("1990-05-17");
	assert_int_equal(tc_bdate_first_day(&d), day(1990, 5, 17));
	assert_int_equal(tc_bdate_last_day(&d), day(1990, 5, 17));

	assert_int_equal(tc_bdate_age_on(&d, day(2021, 5, 16)), 30);
	assert_int_equal(tc_bdate_age_on(&d, day(2021, 5, 17)), 31);
	assert_int_equal(tc_bdate_age_on(&d, day(1990, 5, 17)), 0);
	/* partial dates count from the latest day they may stand for */
	d = date("1990-05");
	assert_int_equal(tc_bdate_age_on(&d, day(2021, 5, 30)), 30);
	assert_int_equal(tc_bdate_age_on(&d, day(2021, 5, 31)), 31);
	d = date("1990");
	assert_int_equal(tc_bdate_age_on(&d, day(2021, 6, 1)), 30);
	assert_int_equal(tc_bdate_age_on(&d, day(2021, 12, 31)), 31);
	d = date("2003");
	assert_int_equal(tc_bdate_age_on(&d, day(2021, 6, 1)), 17);
	/* born on 29 February: a year older on 1 March in other years */
	d = date("2000-02-29");
	assert_int_equal(tc_bdate_age_on(&d, day(2021, 2, 28)), 20);
	assert_int_equal(tc_bdate_age_on(&d, day(2021, 3, 1)), 21);
	assert_int_equal(tc_bdate_age_on(&d, day(2024, 2, 29)), 24);
}

static void test_vn_day(void **state)
{
	const int64_t s = 1000000, h = 3600 * s;
	int64_t t;
	(void)state;

	assert_true(tc_time_parse("2021-06-01T16:59:59.999999Z", &t));
	assert_int_equal(tc_vn_day(t), day(2021, 6, 1)); /* 23:59:59 in Hà Nội */
	assert_int_equal(tc_vn_day(t + 1), day(2021, 6, 2));
	assert_true(tc_time_parse("2021-06-01T00:00:00Z", &t));
	assert_int_equal(tc_vn_day(t), day(2021, 6, 1));
	assert_int_equal(tc_vn_day(t - 7 * h), day(2021, 5, 31) + 1);
	assert_int_equal(tc_vn_day(t - 7 * h - 1), day(2021, 5, 31));
	/* before 1970: floor, not truncation */
	assert_int_equal(tc_vn_day(0), 0);
	assert_int_equal(tc_vn_day(-1), 0);
	assert_int_equal(tc_vn_day(-7 * h), 0);
	assert_int_equal(tc_vn_day(-7 * h - 1), -1);
	assert_int_equal(tc_vn_day(-7 * h - 24 * h), -1);
	assert_int_equal(tc_vn_day(-7 * h - 24 * h - 1), -2);
	assert_int_equal(tc_vn_day(17 * h - 1), 0);
	assert_int_equal(tc_vn_day(17 * h), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_days_and_age),
		cmocka_unit_test(test_vn_day),
	};
	return cmocka_run_group_tests_name("birthdate", tests, NULL, NULL);
}
