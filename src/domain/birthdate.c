#include "birthdate.h"

#include <stdio.h>
#include <string.h>

#include "../core/tctime.h"

#define YEAR_MIN         1900
#define EXCEL_SERIAL_MAX 2958465 /* 9999-12-31 */

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static bool valid(const struct tc_bdate *d)
{
	if (d->year < 1 || d->year > 9999)
		return false;
	switch (d->prec) {
	case TC_DATE_YEAR: return d->month == 0 && d->day == 0;
	case TC_DATE_MONTH: return d->month >= 1 && d->month <= 12 && d->day == 0;
	case TC_DATE_DAY:
		return d->month >= 1 && d->month <= 12 && d->day >= 1 &&
		       d->day <= days_in_month(d->year, d->month);
	}
	return false;
}

/* Reads exactly n digits at s. */
static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Reads one or two digits at *s and moves past them. */
static bool small_number(const char **s, int *out)
{
	size_t n = 0;

	while (n < 3 && (*s)[n] >= '0' && (*s)[n] <= '9')
		n++;
	if (n == 0 || n > 2 || !digits(*s, n, out))
		return false;
	*s += n;
	return true;
}

static bool make(int y, int m, int d, struct tc_bdate *out)
{
	struct tc_bdate b = { y, m, d,
		              d   ? TC_DATE_DAY
		              : m ? TC_DATE_MONTH
		                  : TC_DATE_YEAR };

	if (!valid(&b))
		return false;
	*out = b;
	return true;
}

bool tc_bdate_parse_iso(const char *s, struct tc_bdate *out)
{
	size_t n = s ? strlen(s) : 0;
	int y, m = 0, d = 0;

	if (n != 4 && n != 7 && n != 10)
		return false;
	if (!digits(s, 4, &y))
		return false;
	if (n >= 7 && (s[4] != '-' || !digits(s + 5, 2, &m) || m == 0))
		return false;
	if (n == 10 && (s[7] != '-' || !digits(s + 8, 2, &d) || d == 0))
		return false;
	return make(y, m, d, out);
}

/* d/m/yyyy or m/yyyy, with '/', '-' or '.' (the same throughout). */
static bool parse_separated(const char *s, struct tc_bdate *out)
{
	int a, b = 0, y;
	char sep;

	if (!small_number(&s, &a))
		return false;
	sep = *s;
	if (sep != '/' && sep != '-' && sep != '.')
		return false;
	s++;
	if (strlen(s) != 4) {
		if (!small_number(&s, &b) || *s++ != sep)
			return false;
	}
	if (strlen(s) != 4 || !digits(s, 4, &y))
		return false;
	if (b == 0)
		return a != 0 && make(y, a, 0, out);
	return a != 0 && make(y, b, a, out);
}

/* A whole number, perhaps written "32874.0", of the Excel 1900 date
 * system. */
static bool parse_excel(const char *s, struct tc_bdate *out)
{
	long serial = 0;
	int64_t day, y;
	unsigned m, d;
	size_t n = 0;

	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n == 7)
			return false;
		serial = serial * 10 + (s[n] - '0');
	}
	if (n == 0)
		return false;
	if (s[n] == '.') {
		if (s[++n] != '0')
			return false;
		while (s[n] == '0')
			n++;
	}
	if (s[n] != '\0' || serial < 1 || serial == 60 || serial > EXCEL_SERIAL_MAX)
		return false;
	/* Excel counts a 29 February 1900 that never was (serial 60). */
	day = tc_days_from_civil(1899, 12, serial < 60 ? 31 : 30) + serial;
	tc_civil_from_days(day, &y, &m, &d);
	return make((int)y, (int)m, (int)d, out);
}

bool tc_bdate_parse_loose(const char *s, bool excel_serial, struct tc_bdate *out)
{
	char buf[32];
	size_t n;
	int d, m, y;

	if (s == NULL)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (tc_bdate_parse_iso(buf, out))
		return true;
	if (n == 8 && digits(buf, 2, &d) && digits(buf + 2, 2, &m) &&
	    digits(buf + 4, 4, &y))
		return d != 0 && m != 0 && make(y, m, d, out);
	if (parse_separated(buf, out))
		return true;
	return excel_serial && parse_excel(buf, out);
}

tc_err tc_bdate_check(const struct tc_bdate *d, int64_t today, const char *field,
                      struct tc_fault *f)
{
	if (!valid(d))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field, "not a real date");
	if (d->year < YEAR_MIN)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
		                    "a birth date before 1900 is not plausible");
	if (tc_bdate_first_day(d) > today)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
		                    "the birth date is in the future");
	return TC_ERR_OK;
}

void tc_bdate_format(const struct tc_bdate *d, char out[TC_BDATE_TEXT_LEN])
{
	/* Only a valid date is formatted right; anything else still fits. */
	unsigned y = (unsigned)d->year % 10000, m = (unsigned)d->month % 100,
	         dd = (unsigned)d->day % 100;

	switch (d->prec) {
	case TC_DATE_DAY:
		snprintf(out, TC_BDATE_TEXT_LEN, "%04u-%02u-%02u", y, m, dd);
		break;
	case TC_DATE_MONTH: snprintf(out, TC_BDATE_TEXT_LEN, "%04u-%02u", y, m); break;
	default: snprintf(out, TC_BDATE_TEXT_LEN, "%04u", y); break;
	}
}

int64_t tc_bdate_first_day(const struct tc_bdate *d)
{
	return tc_days_from_civil(d->year,
	                          d->prec == TC_DATE_YEAR ? 1 : (unsigned)d->month,
	                          d->prec == TC_DATE_DAY ? (unsigned)d->day : 1);
}

int64_t tc_bdate_last_day(const struct tc_bdate *d)
{
	int m = d->prec == TC_DATE_YEAR ? 12 : d->month;

	if (m < 1 || m > 12)
		return tc_bdate_first_day(d);
	return tc_days_from_civil(d->year, (unsigned)m,
	                          d->prec == TC_DATE_DAY
	                                  ? (unsigned)d->day
	                                  : (unsigned)days_in_month(d->year, m));
}

int tc_bdate_age_on(const struct tc_bdate *d, int64_t day)
{
	int64_t by, y;
	unsigned bm, bd, m, dd;

	tc_civil_from_days(tc_bdate_last_day(d), &by, &bm, &bd);
	tc_civil_from_days(day, &y, &m, &dd);
	return (int)(y - by) - (m < bm || (m == bm && dd < bd));
}

int64_t tc_vn_day(int64_t us)
{
	int64_t s = us / 1000000 - (us % 1000000 < 0);

	s += 7 * 3600;
	return s / 86400 - (s % 86400 < 0);
}
