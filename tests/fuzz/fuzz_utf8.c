/* Fuzzes tc_utf8_check (src/core/jspec.c) against a second, differently
 * written decoder: the table of well-formed byte sequences in the Unicode
 * Standard (chapter 3, table 3-7), followed by the control-character rule
 * of src/core/jspec.h (C0, DEL and C1 are refused; a multiline text may
 * hold tab, line feed and carriage return). Both must agree on every input,
 * in both modes, on validity and on the number of code points. */
#include <stdbool.h>
#include <stdint.h>

#include "core/jspec.h"
#include "fuzz.h"

/* Length of the well-formed sequence at p (1..4), or 0 if ill-formed. */
static size_t wellformed(const unsigned char *p, size_t left, uint32_t *cp)
{
	unsigned char b0 = p[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (b0 <= 0x7f) {
		*cp = b0;
		return 1;
	}
	if (b0 >= 0xc2 && b0 <= 0xdf)
		len = 2;
	else if (b0 >= 0xe0 && b0 <= 0xef)
		len = 3;
	else if (b0 >= 0xf0 && b0 <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte's range depends on the first (table 3-7). */
	if (b0 == 0xe0)
		lo = 0xa0;
	else if (b0 == 0xed)
		hi = 0x9f;
	else if (b0 == 0xf0)
		lo = 0x90;
	else if (b0 == 0xf4)
		hi = 0x8f;
	if (left < len)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	switch (len) {
	case 2:
		*cp = (uint32_t)(b0 & 0x1f) << 6 | (p[1] & 0x3f);
		break;
	case 3:
		*cp = (uint32_t)(b0 & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
		      (p[2] & 0x3f);
		break;
	default:
		*cp = (uint32_t)(b0 & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
		      (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
		break;
	}
	return len;
}

static bool is_control(uint32_t cp, bool multiline)
{
	if (multiline && (cp == '\t' || cp == '\n' || cp == '\r'))
		return false;
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

static long reference(const unsigned char *p, size_t n, bool multiline)
{
	long count = 0;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k = wellformed(p + i, n - i, &cp);
		if (k == 0 || is_control(cp, multiline))
			return -1;
		i += k;
		count++;
	}
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_memdup(data, size); /* exactly size bytes */

	for (int ml = 0; ml < 2; ml++) {
		long got = tc_utf8_check(s, size, ml);
		long want = reference(data, size, ml);
		if (got != want)
			fprintf(stderr, "multiline=%d: tc_utf8_check %ld, reference %ld\n",
			        ml, got, want);
		FUZZ_CHECK(got == want);
		FUZZ_CHECK(got <= (long)size);
	}
	/* Valid in single-line mode implies valid in multiline mode. */
	FUZZ_CHECK(tc_utf8_check(s, size, false) < 0 || tc_utf8_check(s, size, true) >= 0);
	/* Any prefix ending on a character boundary of valid text is valid. */
	if (size > 0 && tc_utf8_check(s, size, true) >= 0) {
		size_t cut = size / 2;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		FUZZ_CHECK(tc_utf8_check(s, cut, true) >= 0);
	}
	free(s);
	return 0;
}
