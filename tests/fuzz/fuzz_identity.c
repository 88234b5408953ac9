/* Fuzzes the identity rules (src/domain/idnum.c, names.c, birthdate.c).
 *
 * The first byte picks the document type, the gender and whether Excel
 * serials are read; the rest is split at line feeds into fields: number,
 * nationality, birth year, phone, name, date. Invariants:
 *   - tc_idnum_check: a failure names one of its fields with a reason; a
 *     success gives a number that checks again to itself (CCCD and CMND
 *     digits only, a passport upper case), and flags that fit the type;
 *   - tc_phone_normalize: "+84" and nine digits, normalised to itself;
 *   - tc_text_clean: valid UTF-8, trimmed, single spaces, a fixed point;
 *   - tc_name_key: NULL exactly when cleaning fails, key(key(x)) == key(x)
 *     and key(clean(x)) == key(x);
 *   - tc_name_split: family + " " + given is the name (or family alone
 *     when given is empty);
 *   - tc_bdate_parse_iso/loose: a parsed date formats and parses back to
 *     itself, and its first day is not after its last. */
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/jspec.h"
#include "domain/birthdate.h"
#include "domain/idnum.h"
#include "domain/names.h"
#include "fuzz.h"
#include "io/csv.h"

enum { F_NUMBER, F_NATIONALITY, F_YEAR, F_PHONE, F_NAME, F_DATE, F__COUNT };

static struct tc_cccd_table table;

/* The province codes come from the cccd_code column of the data file, as
 * in the server; run from the top of the repository. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char path[] = "data/vn-admin/provinces.csv";
	FILE *fp = fopen(path, "rb");
	struct tc_buf text;
	struct tc_csv r;
	char chunk[4096];
	size_t n;
	int col, rows = 0;

	if (fp == NULL) {
		fprintf(stderr,
		        "fuzz_identity: cannot open %s (run from the repository)\n",
		        path);
		exit(1);
	}
	tc_buf_init(&text);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		tc_buf_append(&text, chunk, n);
	fclose(fp);
	tc_csv_init(&r, text.data, text.len);
	col = tc_csv_next(&r) == 1 ? tc_csv_column(&r, "cccd_code") : -1;
	while (col >= 0 && tc_csv_next(&r) == 1 && (size_t)col < r.nfields) {
		int code = atoi(r.fields[col].s);
		if (code >= 1 && code <= 96) {
			table.province[code] = true;
			rows++;
		}
	}
	tc_csv_cleanup(&r);
	tc_buf_cleanup(&text);
	if (rows != 63) {
		fprintf(stderr, "fuzz_identity: %s gave %d province codes\n", path, rows);
		exit(1);
	}
	return 0;
}

static void check_idnum(const struct tc_person_id *p, struct tc_arena *a)
{
	static const char *const fields[] = { "id_number", "id_type", "gender",
		                              "birth_date", "nationality" };
	struct tc_fault f = { 0 };
	const char *norm, *norm2;
	unsigned flags, flags2;
	tc_err rc = tc_idnum_check(&table, p, a, &norm, &flags, &f);
	bool known = false;

	if (rc != TC_ERR_OK) {
		FUZZ_CHECK(rc == TC_ERR_INVALID_FIELD || rc == TC_ERR_MISSING_FIELD);
		FUZZ_CHECK(f.code == rc && f.message && *f.message && f.field);
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			known |= strcmp(f.field, fields[i]) == 0;
		FUZZ_CHECK(known);
		FUZZ_CHECK(norm == NULL && flags == 0);
		return;
	}
	if (p->type == TC_IDT_NONE) {
		FUZZ_CHECK(norm == NULL && flags == TC_IDFLAG_NO_DOCUMENT);
		return;
	}
	FUZZ_CHECK(norm != NULL);
	for (const char *c = norm; *c; c++)
		FUZZ_CHECK((*c >= '0' && *c <= '9') ||
		           (p->type == TC_IDT_PASSPORT && *c >= 'A' && *c <= 'Z'));
	if (p->type == TC_IDT_CCCD)
		FUZZ_CHECK(strlen(norm) == 12);
	else
		FUZZ_CHECK(flags == 0);
	if (p->type == TC_IDT_CMND)
		FUZZ_CHECK(strlen(norm) == 9 || strlen(norm) == 12);
	/* the normalised number checks again to itself */
	struct tc_person_id again = *p;
	again.number = norm;
	FUZZ_CHECK(tc_idnum_check(&table, &again, a, &norm2, &flags2, &f) == TC_ERR_OK);
	FUZZ_CHECK(strcmp(norm, norm2) == 0 && flags == flags2);
}

static void check_phone(const char *s)
{
	char out[TC_PHONE_LEN], again[TC_PHONE_LEN];
	struct tc_fault f = { 0 };

	if (tc_phone_normalize(s, out, &f) != TC_ERR_OK) {
		FUZZ_CHECK(f.field && strcmp(f.field, "phone") == 0 && f.message);
		return;
	}
	FUZZ_CHECK(strlen(out) == 12 && memcmp(out, "+84", 3) == 0);
	for (int i = 3; i < 12; i++)
		FUZZ_CHECK(out[i] >= '0' && out[i] <= '9');
	FUZZ_CHECK(tc_phone_normalize(out, again, &f) == TC_ERR_OK);
	FUZZ_CHECK(strcmp(out, again) == 0);
}

static void check_name(const char *s, struct tc_arena *a)
{
	const char *clean = tc_text_clean(s, a), *key = tc_name_key(s, a);
	const char *family, *given;
	struct tc_fault f = { 0 };
	enum tc_gender g;

	(void)tc_gender_parse_loose(s, &g);
	FUZZ_CHECK((clean == NULL) == (key == NULL));
	if (clean == NULL)
		return;
	FUZZ_CHECK(tc_utf8_check(clean, strlen(clean), false) >= 0);
	FUZZ_CHECK(strstr(clean, "  ") == NULL);
	FUZZ_CHECK(*clean == '\0' ||
	           (clean[0] != ' ' && clean[strlen(clean) - 1] != ' '));
	FUZZ_CHECK(strcmp(tc_text_clean(clean, a), clean) == 0);

	FUZZ_CHECK(tc_utf8_check(key, strlen(key), false) >= 0);
	FUZZ_CHECK(strcmp(tc_name_key(key, a), key) == 0);
	FUZZ_CHECK(strcmp(tc_name_key(clean, a), key) == 0);

	tc_name_split(clean, a, &family, &given);
	if (*given == '\0') {
		FUZZ_CHECK(strcmp(family, clean) == 0);
	} else {
		size_t n = strlen(family);
		FUZZ_CHECK(strncmp(clean, family, n) == 0 && clean[n] == ' ' &&
		           strcmp(clean + n + 1, given) == 0);
	}
	if (tc_name_check(clean, "full_name", &f) != TC_ERR_OK)
		FUZZ_CHECK(f.message && strcmp(f.field, "full_name") == 0);
}

static void check_date(const struct tc_bdate *d)
{
	char text[TC_BDATE_TEXT_LEN];
	struct tc_bdate back;
	struct tc_fault f = { 0 };

	tc_bdate_format(d, text);
	FUZZ_CHECK(tc_bdate_parse_iso(text, &back));
	FUZZ_CHECK(memcmp(&back, d, sizeof(back)) == 0);
	FUZZ_CHECK(tc_bdate_first_day(d) <= tc_bdate_last_day(d));
	FUZZ_CHECK(tc_bdate_age_on(d, tc_bdate_last_day(d)) == 0);
	(void)tc_bdate_check(d, 18800, "birth_date", &f);
}

static void check_dates(const char *s)
{
	struct tc_bdate d;

	if (tc_bdate_parse_iso(s, &d)) {
		check_date(&d);
		/* what the API reads, spreadsheets read too */
		struct tc_bdate loose;
		FUZZ_CHECK(tc_bdate_parse_loose(s, false, &loose));
		FUZZ_CHECK(memcmp(&loose, &d, sizeof(d)) == 0);
	}
	if (tc_bdate_parse_loose(s, false, &d))
		check_date(&d);
	if (tc_bdate_parse_loose(s, true, &d))
		check_date(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *field[F__COUNT] = { NULL };
	char *copy, *p;
	struct tc_arena a;
	struct tc_person_id id;
	unsigned sel;

	if (size == 0)
		return 0;
	sel = data[0];
	copy = fuzz_strndup(data + 1, size - 1);
	p = copy;
	for (int i = 0; i < F__COUNT; i++) {
		field[i] = p;
		p = strchr(p, '\n');
		if (p == NULL) {
			for (int k = i + 1; k < F__COUNT; k++)
				field[k] = copy + strlen(copy);
			break;
		}
		*p++ = '\0';
	}

	tc_arena_init(&a);
	id.type = (enum tc_idtype)(sel & 3);
	id.number = (sel & 0x10) ? NULL : field[F_NUMBER];
	id.nationality = field[F_NATIONALITY];
	id.gender = (enum tc_gender)((sel >> 2) % 3);
	id.birth_year = (sel & 0x20) ? atoi(field[F_YEAR]) : 0;
	check_idnum(&id, &a);
	FUZZ_CHECK(tc_idtype_guess(field[F_NUMBER]) <= TC_IDT_PASSPORT);
	check_phone(field[F_PHONE]);
	check_name(field[F_NAME], &a);
	check_name(field[F_NUMBER], &a);
	check_dates(field[F_DATE]);
	tc_arena_cleanup(&a);
	free(copy);
	return 0;
}
