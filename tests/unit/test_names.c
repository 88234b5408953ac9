/* domain/names: cleaning, keys, the check and the family/given split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/util.h"
#include "domain/names.h"

/* "Nguyễn" and "Tôn Nữ" written decomposed (NFD) and composed (NFC). */
#define NGUYEN_NFD "Nguye\xcc\x82\xcc\x83n"
#define NGUYEN_NFC "Nguy\xe1\xbb\x85n"

static void test_clean(void **state)
{
	static const struct {
		const char *in, *out; /* out NULL: refused */
	} cases[] = {
		{ "Nguyễn Văn A", "Nguyễn Văn A" },
		{ NGUYEN_NFD " Văn A", NGUYEN_NFC " Văn A" },
		{ "  Nguyễn   Văn \t A  ", "Nguyễn Văn A" },
		{ "Tôn\xc2\xa0Nữ", "Tôn Nữ" }, /* no-break space */
		{ "a\xe3\x80\x80"
		  "b",
		  "a b" }, /* ideographic space */
		{ "line\r\nbreak", "line break" },
		{ "", "" },
		{ "   ", "" },
		{ "\xff", NULL },         /* not UTF-8 */
		{ "abc\xc3", NULL },      /* truncated */
		{ "\xc0\xaf", NULL },     /* overlong */
		{ "\xed\xa0\x80", NULL }, /* a surrogate */
		{ "a\x01"
		  "b",
		  NULL }, /* a control character */
		{ "a\x7f", NULL },
		{ "a\xc2\x80", NULL }, /* C1 control */
		{ NULL, NULL },
	};
	struct tc_arena a;
	(void)state;

	tc_arena_init(&a);
	for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
		const char *got = tc_text_clean(cases[i].in, &a);
		if (cases[i].out == NULL && got != NULL)
			fail_msg("clean case %zu: got \"%s\", want NULL", i, got);
		if (cases[i].out != NULL &&
		    (got == NULL || strcmp(got, cases[i].out) != 0))
			fail_msg("clean case %zu: got \"%s\", want \"%s\"", i,
			         got ? got : "NULL", cases[i].out);
	}
	tc_arena_cleanup(&a);
}

static void test_key(void **state)
{
	static const struct {
		const char *in, *key;
	} cases[] = {
		{ "Nguyễn Văn A", "nguyen van a" },
		{ "  Nguyễn  Văn A ", "nguyen van a" },
		{ "nguyen van a", "nguyen van a" },
		{ NGUYEN_NFD " V\x61\xcc\x86n A", "nguyen van a" },
		{ "Đặng", "dang" },
		{ "đặng thị", "dang thi" },
		{ "ĐẶNG", "dang" },
		{ "\xc3\x90"
		  "inh",
		  "dinh" }, /* Ð (eth) typed for Đ */
		{ "Tôn Nữ Thị Hà", "ton nu thi ha" },
		{ "Lê Thị Thu Thủy", "le thi thu thuy" },
		{ "Trương Ngọc Ánh", "truong ngoc anh" },
		{ "O'Brien-Smith", "o'brien-smith" },
		{ "a \xcc\x81 b", "a b" }, /* a lone mark between spaces */
		{ "", "" },
	};
	struct tc_arena a;
	(void)state;

	tc_arena_init(&a);
	for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
		const char *got = tc_name_key(cases[i].in, &a);
		if (got == NULL || strcmp(got, cases[i].key) != 0)
			fail_msg("key case %zu: got \"%s\", want \"%s\"", i,
			         got ? got : "NULL", cases[i].key);
		/* a key is its own key */
		assert_string_equal(tc_name_key(got, &a), got);
	}
	assert_string_equal(tc_name_key(NGUYEN_NFD, &a), tc_name_key(NGUYEN_NFC, &a));
	assert_null(tc_name_key("\xff", &a));
	assert_null(tc_name_key(NULL, &a));
	tc_arena_cleanup(&a);
}

static void test_check(void **state)
{
	static const struct {
		const char *in;
		tc_err rc;
		const char *says;
	} cases[] = {
		{ "Nguyễn Văn A", TC_ERR_OK, NULL },
		{ NGUYEN_NFD, TC_ERR_OK, NULL },
		{ "Nguyễn Thị Minh Khai", TC_ERR_OK, NULL },
		{ "O'Brien-Smith Jr.", TC_ERR_OK, NULL },
		{ "김민준", TC_ERR_OK, NULL },
		{ "Иванов Иван", TC_ERR_OK, NULL },
		{ "A", TC_ERR_OK, NULL },
		{ "Nguyễn Văn 2", TC_ERR_INVALID_FIELD, "digits" },
		{ "Nguyễn Văn A3", TC_ERR_INVALID_FIELD, "digits" },
		{ "Nguyễn Văn Ⅳ", TC_ERR_INVALID_FIELD, "digits" }, /* a Roman numeral */
		{ "", TC_ERR_INVALID_FIELD, "empty" },
		{ NULL, TC_ERR_MISSING_FIELD, NULL },
		{ "- .'", TC_ERR_INVALID_FIELD, "letter" },
		{ "Nguyễn@Văn", TC_ERR_INVALID_FIELD, "only letters" },
		{ "Nguyễn_Văn", TC_ERR_INVALID_FIELD, "only letters" },
		{ "Nguyễn, Văn", TC_ERR_INVALID_FIELD, "only letters" },
		{ "\xcc\x81"
		  "a",
		  TC_ERR_INVALID_FIELD, "follow a letter" },
		{ "a \xcc\x81", TC_ERR_INVALID_FIELD, "follow a letter" },
		{ "a\xff", TC_ERR_INVALID_FIELD, "UTF-8" },
	};
	char long_name[256];
	struct tc_fault f = { 0 };
	(void)state;

	for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
		tc_err rc = tc_name_check(cases[i].in, "full_name", &f);
		if (rc != cases[i].rc)
			fail_msg("check case %zu (%s): got %s", i,
			         cases[i].in ? cases[i].in : "NULL", tc_err_code(rc));
		if (rc == TC_ERR_OK)
			continue;
		assert_string_equal(f.field, "full_name");
		if (cases[i].says && strstr(f.message, cases[i].says) == NULL)
			fail_msg("check case %zu: \"%s\" lacks \"%s\"", i, f.message,
			         cases[i].says);
	}
	/* 200 characters, not bytes */
	memset(long_name, 'a', 200);
	long_name[200] = '\0';
	assert_int_equal(tc_name_check(long_name, "given_name", &f), TC_ERR_OK);
	long_name[200] = 'a';
	long_name[201] = '\0';
	assert_int_equal(tc_name_check(long_name, "given_name", &f),
	                 TC_ERR_INVALID_FIELD);
	assert_string_equal(f.field, "given_name");
	assert_non_null(strstr(f.message, "200"));
	for (int i = 0; i < 100; i++)
		memcpy(long_name + 2 * i, "\xc3\xa0", 2); /* à */
	long_name[200] = '\0';
	assert_int_equal(tc_name_check(long_name, "full_name", &f), TC_ERR_OK);
}

static void test_split(void **state)
{
	static const struct {
		const char *full, *family, *given;
	} cases[] = {
		{ "Nguyễn Văn A", "Nguyễn", "Văn A" },
		{ "Tôn Nữ Thị Hà", "Tôn Nữ", "Thị Hà" },
		{ "Tôn Thất Thuyết", "Tôn Thất", "Thuyết" },
		{ "Âu Dương Phong", "Âu Dương", "Phong" },
		{ "âu dương phong", "âu dương", "phong" },
		{ "Au Duong Phong", "Au Duong", "Phong" },
		{ "Công Tôn Trí", "Công Tôn", "Trí" },
		{ "Công Tằng Tôn Nữ Thị Ngọc", "Công Tằng Tôn Nữ", "Thị Ngọc" },
		{ "Gia Cát Lượng", "Gia Cát", "Lượng" },
		{ "Đông Phương Bất Bại", "Đông Phương", "Bất Bại" },
		{ "Tư Mã Ý", "Tư Mã", "Ý" },
		{ "Tôn Nữ", "Tôn", "Nữ" }, /* a compound needs a given name after it */
		{ "Tôn Văn Đức", "Tôn", "Văn Đức" },
		{ "Công Phượng", "Công", "Phượng" },
		{ "Madonna", "Madonna", "" },
		{ "", "", "" },
		{ NGUYEN_NFD " Văn A", NGUYEN_NFD, "Văn A" },
	};
	struct tc_arena a;
	(void)state;

	tc_arena_init(&a);
	for (size_t i = 0; i < TC_ARRAY_LEN(cases); i++) {
		const char *family = NULL, *given = NULL;
		tc_name_split(cases[i].full, &a, &family, &given);
		if (strcmp(family, cases[i].family) != 0 ||
		    strcmp(given, cases[i].given) != 0)
			fail_msg("split case %zu (%s): got \"%s\" + \"%s\"", i,
			         cases[i].full, family, given);
	}
	tc_arena_cleanup(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
