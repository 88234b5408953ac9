/* The texts of messages about appointments, as pure rules. Plain ASCII:
 * every handset shows it, and an SMS in GSM 7-bit holds 160 characters
 * where one in UCS-2 holds 70. */
#ifndef TC_APPOINTMENT_H
#define TC_APPOINTMENT_H

#include <stdbool.h>
#include <stdint.h>

struct tc_arena;

/* A day as the API writes it, "YYYY-MM-DD" naming a real date, as a day
 * number (days since 1970-01-01). */
bool tc_day_parse(const char *s, int64_t *day);
/* The day's text in out[11]. */
void tc_day_format(int64_t day, char out[11]);
/* A time of day as sessions take it: "HH:MM", 00:00 to 23:59. */
bool tc_hhmm_valid(const char *s);

/* Vietnamese (or any Latin) text without its marks: decomposed, combining
 * marks removed, đ/Đ as d/D; any other non-ASCII character becomes '?'.
 * From `a`; NULL for NULL or text that is not UTF-8. */
const char *tc_ascii_fold(const char *s, struct tc_arena *a);

/* "Lich tiem vac xin COVID-19 cua Nguyen Van An: ngay 15/03/2026, tu 07:30
 * den 11:00, tai Tram Y te phuong Phuc Xa. ..." `day` is "YYYY-MM-DD". */
const char *tc_appointment_sms(const char *full_name, const char *day, const char *starts,
                               const char *ends, const char *site, struct tc_arena *a);
/* The same appointment, called off: the person goes back to the queue. */
const char *tc_appointment_cancelled_sms(const char *full_name, const char *day,
                                         const char *starts, const char *site,
                                         struct tc_arena *a);

#endif
