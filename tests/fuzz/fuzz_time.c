/* Fuzzes tc_time_parse and tc_time_format (src/core/tctime.c).
 *
 * The input, up to its first NUL, is a timestamp text. When it parses:
 *   - it has the accepted shape "YYYY-MM-DD[T ]HH:MM:SS[.f{1,6}](Z|+00|+00:00)";
 *   - the date is a real calendar date and time (no leap second);
 *   - formatting the instant gives canonical text that parses back to the
 *     same instant, and formatting that again gives the same text.
 * The first eight bytes are also read as an instant (microseconds): its
 * text is canonical (27 characters, or the all-zero text outside years
 * 0000-9999) and, inside those years, parses back to the same instant.
 *
 * Every real date in that shape parses, stays inside 0000-9999, and
 * formats back to the same date and time of day. */
#include <stdbool.h>
#include <stdint.h>

#include "core/tctime.h"
#include "fuzz.h"

static const char sentinel[] = "0000-00-00T00:00:00.000000Z";
static int strict;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	strict = 1;
	return 0;
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The shape tc_time_parse documents (written independently). */
static bool shaped(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	if (strlen(s) < 19)
		return false;
	for (i = 0; i < 19; i++) {
		if (pat[i] == 'd' && !digit(s[i]))
			return false;
		if (pat[i] == 'T' && s[i] != 'T' && s[i] != ' ')
			return false;
		if (pat[i] != 'd' && pat[i] != 'T' && s[i] != pat[i])
			return false;
	}
	if (s[i] == '.') {
		size_t start = ++i;
		while (digit(s[i]))
			i++;
		if (i == start || i - start > 6)
			return false;
	}
	return strcmp(s + i, "Z") == 0 || strcmp(s + i, "+00") == 0 ||
	       strcmp(s + i, "+00:00") == 0;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool real_date(const char *s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	int h = num(s + 11, 2), mi = num(s + 14, 2), se = num(s + 17, 2);

	if (m < 1 || m > 12 || d < 1 || h > 23 || mi > 59 || se > 59)
		return false;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

static void check_canonical(const char *t)
{
	FUZZ_CHECK(strlen(t) == TC_TIME_TEXT_LEN - 1);
	FUZZ_CHECK(shaped(t) && t[10] == 'T' && t[19] == '.' && t[26] == 'Z');
}

static void check_text(const char *s)
{
	int64_t us = 0, us2 = 0;
	char t[TC_TIME_TEXT_LEN], t2[TC_TIME_TEXT_LEN];

	if (!tc_time_parse(s, &us)) {
		if (strict && shaped(s) && real_date(s))
			FUZZ_CHECK(!"a real date in the documented shape was refused");
		return;
	}
	FUZZ_CHECK(shaped(s));
	tc_time_format(us, t);
	check_canonical(t);
	if (strict) {
		FUZZ_CHECK(real_date(s));
		FUZZ_CHECK(strcmp(t, sentinel) != 0);
		/* Same date and time of day, to the second. */
		FUZZ_CHECK(memcmp(t, s, 10) == 0 && memcmp(t + 11, s + 11, 8) == 0);
	}
	if (strcmp(t, sentinel) == 0)
		return; /* out of the formatter's years: nothing to read back */
	FUZZ_CHECK(tc_time_parse(t, &us2));
	FUZZ_CHECK(us2 == us);
	tc_time_format(us2, t2);
	FUZZ_CHECK(strcmp(t, t2) == 0);
}

static void check_instant(int64_t us)
{
	char t[TC_TIME_TEXT_LEN];
	int64_t back = 0;

	tc_time_format(us, t);
	check_canonical(t);
	if (strcmp(t, sentinel) == 0)
		return;
	FUZZ_CHECK(tc_time_parse(t, &back));
	FUZZ_CHECK(back == us);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);

	check_text(s);
	if (size >= 8) {
		int64_t us;
		memcpy(&us, data, sizeof(us));
		check_instant(us);
		/* and the instants near it, across second and day edges */
		if (us > INT64_MIN + 86400000000LL && us < INT64_MAX - 86400000000LL) {
			check_instant(us - 1);
			check_instant(us + 1);
			check_instant(us - us % 86400000000LL);
		}
	}
	free(s);
	return 0;
}
