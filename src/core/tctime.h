/* Time: instants are int64 microseconds since the Unix epoch, UTC.
 * Stored as text "YYYY-MM-DDTHH:MM:SS.ffffffZ" in SQLite and as timestamptz
 * in PostgreSQL; tc_time_parse reads both spellings back. */
#ifndef TC_TCTIME_H
#define TC_TCTIME_H

#include <stdbool.h>
#include <stdint.h>

#define TC_TIME_TEXT_LEN 28 /* "2026-11-22T15:32:39.123456Z" + NUL */

int64_t tc_now_us(void);  /* wall clock */
int64_t tc_mono_us(void); /* monotonic, for durations */

/* Writes the canonical text of `us` into out[TC_TIME_TEXT_LEN]. */
void tc_time_format(int64_t us, char out[TC_TIME_TEXT_LEN]);
/* Accepts "YYYY-MM-DD[T ]HH:MM:SS[.f{1,6}](Z|+00|+00:00)" naming a real
 * date and time (no February 30th, no leap second). */
bool tc_time_parse(const char *s, int64_t *us);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t tc_days_from_civil(int64_t y, unsigned m, unsigned d);
void tc_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
