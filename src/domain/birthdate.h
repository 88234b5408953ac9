/* Birth dates that may be known only as a year or a year and month (many
 * old records), as the EU DCC allows: "1990-05-17", "1990-05", "1990".
 * Pure rules; days are counted from 1970-01-01 (tc_days_from_civil). */
#ifndef TC_BIRTHDATE_H
#define TC_BIRTHDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/err.h"

enum tc_date_prec { TC_DATE_DAY, TC_DATE_MONTH, TC_DATE_YEAR };

struct tc_bdate {
	int year;
	int month; /* 0 when only the year is known */
	int day;   /* 0 when only the year (and month) is known */
	enum tc_date_prec prec;
};

#define TC_BDATE_TEXT_LEN 11

/* The API's forms only: "YYYY-MM-DD", "YYYY-MM", "YYYY", naming a real
 * date (no 31st of April, 29th of February only in leap years). */
bool tc_bdate_parse_iso(const char *s, struct tc_bdate *out);
/* What spreadsheets and cards hold as well: "dd/mm/yyyy", "d/m/yyyy",
 * "dd-mm-yyyy", "dd.mm.yyyy", "mm/yyyy", "ddmmyyyy" (eight digits, as on
 * a CCCD card's QR), and, when `excel_serial` is true, an Excel date
 * serial of the 1900 date system, a whole number (perhaps "32874.0"):
 * 1 is 1900-01-01 and 59 is 1900-02-28, 60 is the phantom 29 February
 * 1900 and is refused, and from 61 (1900-03-01) on a serial is the days
 * since 1899-12-30 (25569 is 1970-01-01). Surrounding spaces are
 * ignored; eight digits are always read as ddmmyyyy, four as a year. */
bool tc_bdate_parse_loose(const char *s, bool excel_serial, struct tc_bdate *out);
/* A real date, not after `today` and not before 1900-01-01. Fills `f`
 * (field `field`) otherwise. */
tc_err tc_bdate_check(const struct tc_bdate *d, int64_t today, const char *field,
                      struct tc_fault *f);
/* "1990-05-17", "1990-05" or "1990". */
void tc_bdate_format(const struct tc_bdate *d, char out[TC_BDATE_TEXT_LEN]);
/* The earliest and the latest day the date can stand for. */
int64_t tc_bdate_first_day(const struct tc_bdate *d);
int64_t tc_bdate_last_day(const struct tc_bdate *d);
/* Whole years of age on `day`, counted from the latest possible birth day
 * (so a partial date never makes anyone older than they may be). */
int tc_bdate_age_on(const struct tc_bdate *d, int64_t day);

/* Today's date in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), as a day
 * number, from an instant in microseconds. */
int64_t tc_vn_day(int64_t us);

#endif
