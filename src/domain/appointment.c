#include "appointment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../core/arena.h"
#include "../core/tctime.h"
#include "../core/util.h"
#include "birthdate.h"

bool tc_day_parse(const char *s, int64_t *day)
{
	struct tc_bdate d;

	if (s == NULL || strlen(s) != 10 || !tc_bdate_parse_iso(s, &d) ||
	    d.prec != TC_DATE_DAY)
		return false;
	*day = tc_days_from_civil(d.year, (unsigned)d.month, (unsigned)d.day);
	return true;
}

void tc_day_format(int64_t day, char out[11])
{
	int64_t y;
	unsigned m, d;

	tc_civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(y % 10000) % 10000u, m % 100u,
	         d % 100u);
}

bool tc_hhmm_valid(const char *s)
{
	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	return (s[0] - '0') * 10 + (s[1] - '0') < 24 && s[3] < '6';
}

const char *tc_ascii_fold(const char *s, struct tc_arena *a)
{
	utf8proc_uint8_t *dec = NULL;
	utf8proc_ssize_t n, step;
	utf8proc_int32_t c;
	char *out;
	size_t len = 0;

	if (s == NULL)
		return NULL;
	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &dec,
	                 UTF8PROC_NULLTERM | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK);
	if (n == UTF8PROC_ERROR_NOMEM)
		tc_die("out of memory (utf8proc)");
	if (n < 0)
		return NULL;
	out = tc_arena_alloc(a, (size_t)n + 1);
	for (utf8proc_ssize_t i = 0; i < n; i += step) {
		step = utf8proc_iterate(dec + i, n - i, &c);
		if (step <= 0)
			break;
		if (c == 0x111)
			c = 'd';
		else if (c == 0x110)
			c = 'D';
		out[len++] = c < 0x80 ? (char)c : '?';
	}
	out[len] = '\0';
	free(dec);
	return out;
}

static const char *fold(const char *s, struct tc_arena *a)
{
	const char *f = tc_ascii_fold(s, a);
	return f ? f : "";
}

/* "2026-03-15" -> "15/03/2026", as people write dates here. */
static const char *vn_date(const char *day, struct tc_arena *a)
{
	if (day == NULL || strlen(day) != 10)
		return day ? day : "";
	return tc_arena_printf(a, "%.2s/%.2s/%.4s", day + 8, day + 5, day);
}

const char *tc_appointment_sms(const char *full_name, const char *day, const char *starts,
                               const char *ends, const char *site, struct tc_arena *a)
{
	return tc_arena_printf(
	        a,
	        "Lich tiem vac xin COVID-19 cua %s: ngay %s, tu %s den %s, "
	        "tai %s. Vui long mang CCCD va ma QR ca nhan.",
	        fold(full_name, a), vn_date(day, a), starts, ends, fold(site, a));
}

const char *tc_appointment_cancelled_sms(const char *full_name, const char *day,
                                         const char *starts, const char *site,
                                         struct tc_arena *a)
{
	return tc_arena_printf(
	        a,
	        "Buoi tiem COVID-19 cua %s ngay %s luc %s tai %s da bi huy. "
	        "Ban se nhan lich hen moi qua tin nhan.",
	        fold(full_name, a), vn_date(day, a), starts, fold(site, a));
}
