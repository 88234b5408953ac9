/* domain/cardqr: the QR text of a chip CCCD card. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/util.h"
#include "domain/cardqr.h"

#define CARD                                                                                        \
	"001090123456|123456789|Nguyễn Văn An|17051990|Nam|Số 1 Phố Huế, Hai Bà Trưng, " \
	"Hà Nội|01062021"

static tc_err parse(const char *text, struct tc_arena *a, struct tc_cardqr *c,
                    struct tc_fault *f)
{
	return tc_cardqr_parse(text, strlen(text), a, c, f);
}

static void assert_date(const struct tc_bdate *d, int y, int m, int day)
{
	assert_int_equal(d->prec, TC_DATE_DAY);
	assert_int_equal(d->year, y);
	assert_int_equal(d->month, m);
	assert_int_equal(d->day, day);
}

static void test_card(void **state)
{
	struct tc_arena a;
	struct tc_fault f = { 0 };
	struct tc_cardqr c;
	(void)state;

	tc_arena_init(&a);
	assert_int_equal(parse(CARD, &a, &c, &f), TC_ERR_OK);
	assert_string_equal(c.cccd, "001090123456");
	assert_string_equal(c.cmnd, "123456789");
	assert_string_equal(c.full_name, "Nguyễn Văn An");
	assert_date(&c.birth, 1990, 5, 17);
	assert_int_equal(c.gender, TC_GENDER_MALE);
	assert_string_equal(c.address, "Số 1 Phố Huế, Hai Bà Trưng, Hà Nội");
	assert_true(c.has_issued);
	assert_date(&c.issued, 2021, 6, 1);

	/* a woman, no old CMND, the name decomposed and spaced out */
	assert_int_equal(parse("079190123456||  Tra\xcc\x82\xcc\x80n  Thi\xcc\xa3 "
	                       "Ha\xcc\x80 |01021990|Nữ|TP Hồ Chí Minh|15042021",
	                       &a, &c, &f),
	                 TC_ERR_OK);
	assert_null(c.cmnd);
	assert_string_equal(c.full_name, "Trần Thị Hà");
	assert_int_equal(c.gender, TC_GENDER_FEMALE);
	assert_date(&c.birth, 1990, 2, 1);

	/* CRLF, trailing spaces, a final '|' */
	assert_int_equal(parse(CARD "|\r\n", &a, &c, &f), TC_ERR_OK);
	assert_true(c.has_issued);
	assert_int_equal(parse(CARD "  \n", &a, &c, &f), TC_ERR_OK);
	assert_true(c.has_issued);
	/* extra fields after the seventh */
	assert_int_equal(parse(CARD "|x|y||", &a, &c, &f), TC_ERR_OK);
	assert_date(&c.issued, 2021, 6, 1);
	/* an old 12-digit CMND is kept, a malformed one dropped */
	assert_int_equal(parse("001090123456|001090123457|A|17051990", &a, &c, &f),
	                 TC_ERR_OK);
	assert_string_equal(c.cmnd, "001090123457");
	assert_int_equal(parse("001090123456|12345|A|17051990", &a, &c, &f), TC_ERR_OK);
	assert_null(c.cmnd);
	tc_arena_cleanup(&a);
}

static void test_partial(void **state)
{
	struct tc_arena a;
	struct tc_fault f = { 0 };
	struct tc_cardqr c;
	(void)state;

	tc_arena_init(&a);
	/* four fields are enough: the rest unknown */
	assert_int_equal(parse("001090123456||Nguyễn Văn An|17051990", &a, &c, &f),
	                 TC_ERR_OK);
	assert_int_equal(c.gender, TC_GENDER_UNKNOWN);
	assert_null(c.address);
	assert_false(c.has_issued);
	assert_int_equal(parse("001090123456||Nguyễn Văn An|17051990|", &a, &c, &f),
	                 TC_ERR_OK);
	/* unreadable gender, empty address, bad issue date: left out, not refused */
	assert_int_equal(parse("001090123456||An|17051990|X| |32132021", &a, &c, &f),
	                 TC_ERR_OK);
	assert_int_equal(c.gender, TC_GENDER_UNKNOWN);
	assert_null(c.address);
	assert_false(c.has_issued);
	assert_int_equal(c.issued.year, 0);
	assert_int_equal(parse("001090123456||An|17051990|nam|\xff|062021", &a, &c, &f),
	                 TC_ERR_OK);
	assert_int_equal(c.gender, TC_GENDER_MALE);
	assert_null(c.address);
	assert_false(c.has_issued);
	tc_arena_cleanup(&a);
}

static void test_refused(void **state)
{
	static const struct {
		const char *text, *says;
	} cases[] = {
		{ "", "4 fields" },
		{ "001090123456", "4 fields" },
		{ "001090123456||Nguyễn Văn An", "has 3" },
		{ "001090123456||Nguyễn Văn An|", "has 3" }, /* the final '|' ends it */
		{ "|123456789|Nguyễn Văn An|17051990", "no CCCD number" },
		{ "  |123456789|Nguyễn Văn An|17051990", "no CCCD number" },
		{ "00109012345|123456789|Nguyễn Văn An|17051990", "12 digits" },
		{ "0010901234567||Nguyễn Văn An|17051990", "12 digits" },
		{ "00109012345X||Nguyễn Văn An|17051990", "12 digits" },
		{ "001090123456||   |17051990", "no name" },
		{ "001090123456||\xff|17051990", "not valid text" },
		{ "001090123456||A\x01|17051990", "not valid text" },
		{ "001090123456||Nguyễn Văn An|30021990", "birth date" },
		{ "001090123456||Nguyễn Văn An|1990", "birth date" },
		{ "001090123456||Nguyễn Văn An|051990", "birth date" },
		{ "001090123456||Nguyễn Văn An||Nam", "birth date" },
	};
	struct tc_arena a;
	(void)state;

	tc_arena_init(&a);
	for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
		struct tc_fault f = { 0 };
		struct tc_cardqr c;
		tc_err rc = parse(cases[i].text, &a, &c, &f);
		if (rc != TC_ERR_INVALID_FIELD)
			fail_msg("case %zu (%s): got %s", i, cases[i].text,
			         tc_err_code(rc));
		assert_string_equal(f.field, "qr");
		if (strstr(f.message, cases[i].says) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, f.message,
			         cases[i].says);
	}
	/* a NUL inside the text, and text that is not NUL-terminated */
	{
		static const char nul[] = "001090123456||A\0B|17051990";
		static const char exact[] = { '0', '0', '1', '0', '9', '0', '1', '2',
			                      '3', '4', '5', '6', '|', '|', 'A', '|',
			                      '1', '7', '0', '5', '1', '9', '9', '0' };
		struct tc_fault f = { 0 };
		struct tc_cardqr c;
		assert_int_equal(tc_cardqr_parse(nul, sizeof(nul) - 1, &a, &c, &f),
		                 TC_ERR_INVALID_FIELD);
		assert_int_equal(tc_cardqr_parse(exact, sizeof(exact), &a, &c, &f),
		                 TC_ERR_OK);
		assert_string_equal(c.full_name, "A");
		assert_date(&c.birth, 1990, 5, 17);
	}
	tc_arena_cleanup(&a);
}

static void test_looks_like(void **state)
{
	(void)state;
	assert_true(tc_cardqr_looks_like(CARD, strlen(CARD)));
	assert_true(tc_cardqr_looks_like("001090123456|", 13));
	assert_false(tc_cardqr_looks_like("001090123456|", 12));
	assert_false(tc_cardqr_looks_like("001090123456", 12));
	assert_false(tc_cardqr_looks_like("00109012345|x", 13));
	assert_false(tc_cardqr_looks_like("0010901234567|", 14));
	assert_false(tc_cardqr_looks_like("00109012345a|", 13));
	assert_false(tc_cardqr_looks_like("TC1:abcdefghijkl|", 17));
	assert_false(tc_cardqr_looks_like("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_card),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_looks_like),
	};
	return cmocka_run_group_tests_name("cardqr", tests, NULL, NULL);
}
