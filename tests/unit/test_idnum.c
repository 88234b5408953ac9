/* domain/idnum: document numbers, gender, phone numbers. The province codes
 * come from data/vn-admin/provinces.csv, as in the server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/util.h"
#include "domain/idnum.h"
#include "io/csv.h"

static struct tc_cccd_table table;

/* Fills `table` from the cccd_code column of the provinces file. */
static int load_provinces(void **state)
{
	FILE *fp = fopen("data/vn-admin/provinces.csv", "rb");
	struct tc_csv r;
	char *text;
	long n;
	int col, rows = 0;
	(void)state;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0)
		return -1;
	rewind(fp);
	text = tc_xmalloc((size_t)n + 1);
	if (fread(text, 1, (size_t)n, fp) != (size_t)n)
		return -1;
	fclose(fp);
	tc_csv_init(&r, text, (size_t)n);
	if (tc_csv_next(&r) != 1 || (col = tc_csv_column(&r, "cccd_code")) < 0)
		return -1;
	while (tc_csv_next(&r) == 1) {
		int code = atoi(r.fields[col].s);
		if (code < 1 || code > 96)
			return -1;
		table.province[code] = true;
		rows++;
	}
	tc_csv_cleanup(&r);
	free(text);
	return rows == 63 ? 0 : -1;
}

#define M       TC_GENDER_MALE
#define F       TC_GENDER_FEMALE
#define U       TC_GENDER_UNKNOWN
#define OK      TC_ERR_OK
#define INVALID TC_ERR_INVALID_FIELD
#define MISSING TC_ERR_MISSING_FIELD
#define ABROAD  TC_IDFLAG_BORN_ABROAD
#define NODOC   TC_IDFLAG_NO_DOCUMENT

static const struct idcase {
	enum tc_idtype type;
	const char *number, *nationality;
	enum tc_gender gender;
	int birth_year;
	tc_err rc;
	const char *field; /* on failure */
	unsigned flags;    /* on success */
	const char *norm;  /* on success; NULL: the number as given */
	const char *says;  /* part of the message on failure, or NULL */
} idcases[] = {
	/* CCCD: century and gender digit, year digits */
	{ TC_IDT_CCCD, "001090123456", NULL, M, 1990, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CCCD, "079190123456", NULL, F, 1990, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CCCD, "001203012345", NULL, M, 2003, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CCCD, "048321001234", NULL, F, 2021, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CCCD, "087084000999", NULL, M, 1984, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CCCD, "001199000001", NULL, F, 1999, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CCCD, "001200000001", NULL, M, 2000, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CCCD, "001090123456", NULL, U, 0, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CCCD, "001090123456", NULL, F, 1990, INVALID, "gender", 0, NULL,
	  "the 4th digit of a CCCD number says male, but gender is female" },
	{ TC_IDT_CCCD, "079190123456", NULL, M, 0, INVALID, "gender", 0, NULL,
	  "says female, but gender is male" },
	{ TC_IDT_CCCD, "001303012345", NULL, M, 2003, INVALID, "gender", 0, NULL, NULL },
	{ TC_IDT_CCCD, "001290123456", NULL, M, 1990, INVALID, "birth_date", 0, NULL,
	  "2000-2099, but the birth year is 1990" },
	{ TC_IDT_CCCD, "001003123456", NULL, M, 2003, INVALID, "birth_date", 0, NULL,
	  "1900-1999" },
	{ TC_IDT_CCCD, "001084123456", NULL, M, 1990, INVALID, "birth_date", 0, NULL,
	  "digits 5-6 of the CCCD number (84) do not match the birth year 1990" },
	{ TC_IDT_CCCD, "001405123456", NULL, U, 0, INVALID, "id_number", 0, NULL,
	  "2100-2199" },
	{ TC_IDT_CCCD, "001990123456", NULL, U, 0, INVALID, "id_number", 0, NULL, NULL },
	/* CCCD: province or country code */
	{ TC_IDT_CCCD, "000090123456", NULL, M, 1990, INVALID, "id_number", 0, NULL,
	  "000 is not a province code" },
	{ TC_IDT_CCCD, "003090123456", NULL, M, 1990, INVALID, "id_number", 0, NULL,
	  "003 is not a province code" },
	{ TC_IDT_CCCD, "013090123456", NULL, U, 0, INVALID, "id_number", 0, NULL, NULL },
	{ TC_IDT_CCCD, "096090123456", NULL, M, 1990, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CCCD, "097090123456", NULL, M, 1990, OK, NULL, ABROAD, NULL, NULL },
	{ TC_IDT_CCCD, "999190123456", NULL, F, 1990, OK, NULL, ABROAD, NULL, NULL },
	/* CCCD: shape */
	{ TC_IDT_CCCD, "001 090 123 456", NULL, M, 1990, OK, NULL, 0, "001090123456",
	  NULL },
	{ TC_IDT_CCCD, "001.090.123.456", NULL, M, 1990, OK, NULL, 0, "001090123456",
	  NULL },
	{ TC_IDT_CCCD, " 001-090-123456\t", NULL, M, 1990, OK, NULL, 0, "001090123456",
	  NULL },
	{ TC_IDT_CCCD, "00109012345", NULL, U, 0, INVALID, "id_number", 0, NULL,
	  "12 digits, not 11" },
	{ TC_IDT_CCCD, "0010901234567", NULL, U, 0, INVALID, "id_number", 0, NULL, NULL },
	{ TC_IDT_CCCD, "00109012345O", NULL, U, 0, INVALID, "id_number", 0, NULL,
	  "only digits" },
	{ TC_IDT_CCCD, "", NULL, U, 0, MISSING, "id_number", 0, NULL, NULL },
	{ TC_IDT_CCCD, NULL, NULL, U, 0, MISSING, "id_number", 0, NULL, NULL },
	{ TC_IDT_CCCD, " - ", NULL, U, 0, MISSING, "id_number", 0, NULL, NULL },
	/* CMND: 9 digits, or 12 */
	{ TC_IDT_CMND, "123456789", NULL, M, 1990, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CMND, "023 456 789", NULL, U, 0, OK, NULL, 0, "023456789", NULL },
	{ TC_IDT_CMND, "123456789012", NULL, U, 0, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_CMND, "12345678", NULL, U, 0, INVALID, "id_number", 0, NULL,
	  "9 digits (or 12), not 8" },
	{ TC_IDT_CMND, "1234567890", NULL, U, 0, INVALID, "id_number", 0, NULL, NULL },
	{ TC_IDT_CMND, "12345678X", NULL, U, 0, INVALID, "id_number", 0, NULL, NULL },
	/* passport: letters and digits, a nationality other than VN */
	{ TC_IDT_PASSPORT, "M1234567", "KR", M, 1980, OK, NULL, 0, NULL, NULL },
	{ TC_IDT_PASSPORT, "c 0123-456", "US", U, 0, OK, NULL, 0, "C0123456", NULL },
	{ TC_IDT_PASSPORT, "B1234567", "VN", U, 0, INVALID, "nationality", 0, NULL,
	  NULL },
	{ TC_IDT_PASSPORT, "B1234567", NULL, U, 0, MISSING, "nationality", 0, NULL,
	  NULL },
	{ TC_IDT_PASSPORT, "B1234567", "", U, 0, MISSING, "nationality", 0, NULL, NULL },
	{ TC_IDT_PASSPORT, "B1234567", "kr", U, 0, INVALID, "nationality", 0, NULL,
	  NULL },
	{ TC_IDT_PASSPORT, "B1234567", "KOR", U, 0, INVALID, "nationality", 0, NULL,
	  NULL },
	{ TC_IDT_PASSPORT, "B1234", "KR", U, 0, INVALID, "id_number", 0, NULL, NULL },
	{ TC_IDT_PASSPORT, "B12345678901234567890", "KR", U, 0, INVALID, "id_number", 0,
	  NULL, NULL },
	{ TC_IDT_PASSPORT, "B123456/7", "KR", U, 0, INVALID, "id_number", 0, NULL, NULL },
	{ TC_IDT_PASSPORT, NULL, "KR", U, 0, MISSING, "id_number", 0, NULL, NULL },
	/* no document */
	{ TC_IDT_NONE, NULL, NULL, U, 2020, OK, NULL, NODOC, NULL, NULL },
	{ TC_IDT_NONE, "", NULL, U, 2020, OK, NULL, NODOC, NULL, NULL },
	{ TC_IDT_NONE, "001220123456", NULL, U, 2020, INVALID, "id_number", 0, NULL,
	  "a person without a document has no number" },
	{ (enum tc_idtype)9, "001090123456", NULL, U, 0, INVALID, "id_type", 0, NULL,
	  NULL },
};

static void test_idnum_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(idcases); i++) {
		const struct idcase *c = &idcases[i];
		struct tc_person_id p = { c->type, c->number, c->nationality, c->gender,
			                  c->birth_year };
		struct tc_arena a;
		struct tc_fault f = { 0 };
		const char *norm = "unset";
		unsigned flags = 99;
		tc_err rc;

		tc_arena_init(&a);
		rc = tc_idnum_check(&table, &p, &a, &norm, &flags, &f);
		if (rc != c->rc)
			fail_msg("case %zu (%s): got %s (%s)", i,
			         c->number ? c->number : "NULL", tc_err_code(rc),
			         f.message ? f.message : "");
		if (rc == TC_ERR_OK) {
			assert_int_equal(flags, c->flags);
			if (c->type == TC_IDT_NONE)
				assert_null(norm);
			else
				assert_string_equal(norm, c->norm ? c->norm : c->number);
		} else {
			assert_int_equal(f.code, rc);
			assert_non_null(f.message);
			if (strcmp(f.field, c->field) != 0)
				fail_msg("case %zu (%s): field %s, want %s", i, c->number,
				         f.field, c->field);
			if (c->says && strstr(f.message, c->says) == NULL)
				fail_msg("case %zu: message \"%s\" lacks \"%s\"", i,
				         f.message, c->says);
			assert_null(norm);
			assert_int_equal(flags, 0);
		}
		tc_arena_cleanup(&a);
	}
}

static void test_province_table(void **state)
{
	int n = 0;
	(void)state;
	for (int i = 0; i < 97; i++)
		n += table.province[i];
	assert_int_equal(n, 63);
	assert_true(table.province[1]);
	assert_false(table.province[3]);
	assert_true(table.province[96]);
	assert_false(table.province[0]);
}

static const struct phonecase {
	const char *in;
	tc_err rc;
	const char *out;
} phones[] = {
	{ "0912345678", OK, "+84912345678" },
	{ "+84 912 345 678", OK, "+84912345678" },
	{ "84912345678", OK, "+84912345678" },
	{ "+84912345678", OK, "+84912345678" },
	{ "091.234.5678", OK, "+84912345678" },
	{ "091-234-5678", OK, "+84912345678" },
	{ "0321234567", OK, "+84321234567" },
	{ "0391234567", OK, "+84391234567" },
	{ "0521234567", OK, "+84521234567" },
	{ "0701234567", OK, "+84701234567" },
	{ "0761234567", OK, "+84761234567" },
	{ "0811234567", OK, "+84811234567" },
	{ "0991234567", OK, "+84991234567" },
	{ "0212345678", INVALID, NULL },  /* a landline prefix */
	{ "02438253456", INVALID, NULL }, /* a Hà Nội landline */
	{ "0312345678", INVALID, NULL },  /* 031 is not mobile */
	{ "0512345678", INVALID, NULL },
	{ "0712345678", INVALID, NULL },
	{ "0801234567", INVALID, NULL },
	{ "0161234567", INVALID, NULL }, /* 016x: renumbered in 2018 */
	{ "01612345678", INVALID, NULL },
	{ "09123", INVALID, NULL },
	{ "091234567890", INVALID, NULL },
	{ "09123456ab", INVALID, NULL },
	{ "+1 212 555 0100", INVALID, NULL },
	{ "+", INVALID, NULL },
	{ "849123456789", INVALID, NULL },
	{ "", MISSING, NULL },
	{ " - ", MISSING, NULL },
	{ NULL, MISSING, NULL },
};

static void test_phone(void **state)
{
	(void)state;
	for (size_t i = 0; i < TC_ARRAY_LEN(phones); i++) {
		char out[TC_PHONE_LEN];
		struct tc_fault f = { 0 };
		tc_err rc = tc_phone_normalize(phones[i].in, out, &f);
		if (rc != phones[i].rc)
			fail_msg("phone %zu (%s): got %s", i, phones[i].in,
			         tc_err_code(rc));
		if (rc == TC_ERR_OK) {
			assert_string_equal(out, phones[i].out);
		} else {
			assert_string_equal(f.field, "phone");
			assert_non_null(f.message);
		}
	}
}

static void test_types_and_gender(void **state)
{
	enum tc_idtype t;
	enum tc_gender g;
	static const struct {
		const char *in;
		enum tc_gender g;
	} loose[] = {
		{ "Nam", M },
		{ "nam", M },
		{ "NAM", M },
		{ "Nữ", F },
		{ "nữ", F },
		{ "NỮ", F },
		{ "Nu", F },
		{ "nu", F },
		{ "male", M },
		{ "female", F },
		{ "M", M },
		{ "F", F },
		{ "m", M },
		{ "f", F },
		{ " Nam ", M },
		{ "Male", M },
		{ "Nu\xcc\x9b\xcc\x83", F }, /* NFD */
	};
	static const char *const not_gender[] = { "",  "x",  "nan",  "nữa", "0",
		                                  "1", "mf", "\xff", NULL };
	(void)state;

	assert_true(tc_idtype_parse("cccd", &t) && t == TC_IDT_CCCD);
	assert_true(tc_idtype_parse("cmnd", &t) && t == TC_IDT_CMND);
	assert_true(tc_idtype_parse("passport", &t) && t == TC_IDT_PASSPORT);
	assert_true(tc_idtype_parse("none", &t) && t == TC_IDT_NONE);
	assert_false(tc_idtype_parse("CCCD", &t));
	assert_false(tc_idtype_parse(NULL, &t));
	assert_string_equal(tc_idtype_name(TC_IDT_PASSPORT), "passport");
	assert_int_equal(tc_idtype_guess("001090123456"), TC_IDT_CCCD);
	assert_int_equal(tc_idtype_guess("001 090 123 456"), TC_IDT_CCCD);
	assert_int_equal(tc_idtype_guess("123456789"), TC_IDT_CMND);
	assert_int_equal(tc_idtype_guess("B1234567"), TC_IDT_PASSPORT);
	assert_int_equal(tc_idtype_guess("12345678"), TC_IDT_PASSPORT);
	assert_int_equal(tc_idtype_guess(""), TC_IDT_NONE);
	assert_int_equal(tc_idtype_guess(NULL), TC_IDT_NONE);

	assert_true(tc_gender_parse("male", &g) && g == M);
	assert_true(tc_gender_parse("female", &g) && g == F);
	assert_false(tc_gender_parse("Nam", &g));
	assert_false(tc_gender_parse(NULL, &g));
	assert_string_equal(tc_gender_name(M), "male");
	assert_string_equal(tc_gender_name(F), "female");
	assert_null(tc_gender_name(U));
	for (size_t i = 0; i < TC_ARRAY_LEN(loose); i++) {
		g = U;
		if (!tc_gender_parse_loose(loose[i].in, &g) || g != loose[i].g)
			fail_msg("gender \"%s\"", loose[i].in);
	}
	for (size_t i = 0; i < TC_ARRAY_LEN(not_gender); i++)
		if (tc_gender_parse_loose(not_gender[i], &g))
			fail_msg("gender \"%s\" was accepted", not_gender[i]);

	assert_true(tc_country_code_ok("KR"));
	assert_false(tc_country_code_ok("kr"));
	assert_false(tc_country_code_ok("K"));
	assert_false(tc_country_code_ok("KOR"));
	assert_false(tc_country_code_ok(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_province_table),
		cmocka_unit_test(test_idnum_check),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_types_and_gender),
	};
	return cmocka_run_group_tests_name("idnum", tests, load_provinces, NULL);
}
