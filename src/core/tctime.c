#include "tctime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t tc_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t tc_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Howard Hinnant's civil-calendar algorithms, written from their
 * description: eras of 400 years, March-based years. */
int64_t tc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void tc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Writes v in n digits, zero-padded, from o[0] to o[n - 1]. */
static void put_digits(char *o, int n, int v)
{
	for (int k = n - 1; k >= 0; k--) {
		o[k] = (char)('0' + v % 10);
		v /= 10;
	}
}

void tc_time_format(int64_t us, char out[TC_TIME_TEXT_LEN])
{
	/* The text up to the second of the last second this thread wrote:
	 * most timestamps bound or answered in a row fall in the same one. */
	static _Thread_local int64_t last_secs = INT64_MIN;
	static _Thread_local char last[20]; /* "2026-11-22T15:32:39." */
	int64_t secs = us / 1000000, frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs -= 1;
	}
	if (secs != last_secs) {
		int64_t days = secs / 86400, rem = secs % 86400;
		if (rem < 0) {
			rem += 86400;
			days -= 1;
		}
		int64_t y;
		unsigned m, d;
		tc_civil_from_days(days, &y, &m, &d);
		if (y < 0 || y > 9999) {
			memcpy(out, "0000-00-00T00:00:00.000000Z", TC_TIME_TEXT_LEN);
			return;
		}
		/* by hand: this runs for every timestamp bound or answered */
		put_digits(last, 4, (int)y);
		last[4] = '-';
		put_digits(last + 5, 2, (int)m);
		last[7] = '-';
		put_digits(last + 8, 2, (int)d);
		last[10] = 'T';
		put_digits(last + 11, 2, (int)(rem / 3600));
		last[13] = ':';
		put_digits(last + 14, 2, (int)(rem / 60 % 60));
		last[16] = ':';
		put_digits(last + 17, 2, (int)(rem % 60));
		last[19] = '.';
		last_secs = secs;
	}
	memcpy(out, last, sizeof last);
	put_digits(out + 20, 6, (int)frac);
	out[26] = 'Z';
	out[27] = '\0';
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool tc_time_parse(const char *s, int64_t *us)
{
	int y, mo, d, h, mi, se, frac = 0;
	const char *p;

	if (s == NULL || strlen(s) < 19)
		return false;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !digits(s + 17, 2, &se))
		return false;
	static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 ||
	    mi > 59 || se > 59)
		return false;
	p = s + 19;
	if (*p == '.') {
		int n = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (n == 6)
				return false;
			frac = frac * 10 + (*p - '0');
			n++;
			p++;
		}
		if (n == 0)
			return false;
		while (n++ < 6)
			frac *= 10;
	}
	if (!(strcmp(p, "Z") == 0 || strcmp(p, "+00") == 0 || strcmp(p, "+00:00") == 0))
		return false;
	int64_t days = tc_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*us = ((days * 86400) + h * 3600 + mi * 60 + se) * (int64_t)1000000 + frac;
	return true;
}
