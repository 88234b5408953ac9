/* Fuzzes tc_cardqr_parse (src/domain/cardqr.c) on arbitrary bytes, given
 * exactly their length (no terminator, so a read past the end is caught).
 * When the text parses:
 *   - the CCCD number is 12 digits, the old CMND absent or 9 or 12 digits;
 *   - the name is non-empty, valid UTF-8 without control characters, and
 *     cleaning it again changes nothing; so is the address when present;
 *   - the birth date (and the issue date when present) is a full, real
 *     date that formats and parses back to itself;
 *   - when the text looks like a card's QR, the number is its first 12
 *     bytes.
 * When it does not, the fault is INVALID_FIELD on "qr" with a reason. */
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/jspec.h"
#include "domain/cardqr.h"
#include "domain/names.h"
#include "fuzz.h"

static bool digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void check_text(const char *s, struct tc_arena *a)
{
	const char *again;

	FUZZ_CHECK(*s != '\0');
	FUZZ_CHECK(tc_utf8_check(s, strlen(s), false) >= 0);
	FUZZ_CHECK(s[0] != ' ' && s[strlen(s) - 1] != ' ' && strstr(s, "  ") == NULL);
	again = tc_text_clean(s, a);
	FUZZ_CHECK(again != NULL && strcmp(again, s) == 0);
}

static void check_date(const struct tc_bdate *d)
{
	char text[TC_BDATE_TEXT_LEN];
	struct tc_bdate back;

	FUZZ_CHECK(d->prec == TC_DATE_DAY);
	tc_bdate_format(d, text);
	FUZZ_CHECK(tc_bdate_parse_iso(text, &back));
	FUZZ_CHECK(memcmp(&back, d, sizeof(back)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_memdup(data, size);
	struct tc_arena a;
	struct tc_fault f = { 0 };
	struct tc_cardqr c;
	tc_err rc;

	tc_arena_init(&a);
	rc = tc_cardqr_parse(text, size, &a, &c, &f);
	if (rc == TC_ERR_OK) {
		FUZZ_CHECK(c.cccd && digits(c.cccd, 12));
		FUZZ_CHECK(c.cmnd == NULL || digits(c.cmnd, 9) || digits(c.cmnd, 12));
		FUZZ_CHECK(c.full_name != NULL);
		check_text(c.full_name, &a);
		if (c.address)
			check_text(c.address, &a);
		check_date(&c.birth);
		if (c.has_issued)
			check_date(&c.issued);
		FUZZ_CHECK(c.gender == TC_GENDER_UNKNOWN || c.gender == TC_GENDER_MALE ||
		           c.gender == TC_GENDER_FEMALE);
		if (tc_cardqr_looks_like(text, size))
			FUZZ_CHECK(memcmp(text, c.cccd, 12) == 0);
	} else {
		FUZZ_CHECK(rc == TC_ERR_INVALID_FIELD && f.code == rc);
		FUZZ_CHECK(f.field && strcmp(f.field, "qr") == 0);
		FUZZ_CHECK(f.message && *f.message);
	}
	/* looks_like needs 12 digits and a '|' */
	if (tc_cardqr_looks_like(text, size))
		FUZZ_CHECK(size > 12 && text[12] == '|');
	tc_arena_cleanup(&a);
	free(text);
	return 0;
}
