/* domain/appointment: days and times of sessions, and the ASCII texts of
 * appointment messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/tctime.h"
#include "domain/appointment.h"

static void test_days(void **state)
{
	char out[11];
	int64_t d;
	(void)state;
	assert_true(tc_day_parse("2026-03-15", &d));
	assert_int_equal(d, tc_days_from_civil(2026, 3, 15));
	tc_day_format(d, out);
	assert_string_equal(out, "2026-03-15");
	assert_true(tc_day_parse("2028-02-29", &d));
	assert_false(tc_day_parse("2027-02-29", &d));
	assert_false(tc_day_parse("2026-3-15", &d));
	assert_false(tc_day_parse("2026-03", &d));
	assert_false(tc_day_parse("15/03/2026", &d));
	assert_false(tc_day_parse("", &d));
	assert_false(tc_day_parse(NULL, &d));
}

static void test_times(void **state)
{
	(void)state;
	assert_true(tc_hhmm_valid("00:00"));
	assert_true(tc_hhmm_valid("07:30"));
	assert_true(tc_hhmm_valid("23:59"));
	assert_false(tc_hhmm_valid("24:00"));
	assert_false(tc_hhmm_valid("12:60"));
	assert_false(tc_hhmm_valid("7:30"));
	assert_false(tc_hhmm_valid("07:30:00"));
	assert_false(tc_hhmm_valid("07h30"));
	assert_false(tc_hhmm_valid("ab:cd"));
	assert_false(tc_hhmm_valid(NULL));
}

static void test_texts(void **state)
{
	struct tc_arena a;
	(void)state;
	tc_arena_init(&a);
	assert_string_equal(tc_ascii_fold("Đặng Thị Hằng", &a), "Dang Thi Hang");
	assert_string_equal(tc_ascii_fold("Trạm Y tế phường Phúc Xá", &a),
	                    "Tram Y te phuong Phuc Xa");
	assert_string_equal(tc_ascii_fold("Nhà văn hóa 東", &a), "Nha van hoa ?");
	assert_null(tc_ascii_fold("\xff", &a));
	const char *sms = tc_appointment_sms("Nguyễn Văn An", "2026-03-15", "07:30",
	                                     "11:00", "Trạm Y tế phường Phúc Xá", &a);
	assert_string_equal(
	        sms, "Lich tiem vac xin COVID-19 cua Nguyen Van An: ngay 15/03/2026, "
	             "tu 07:30 den 11:00, tai Tram Y te phuong Phuc Xa. Vui long "
	             "mang CCCD va ma QR ca nhan.");
	for (const char *p = sms; *p; p++)
		assert_true((unsigned char)*p < 0x80);
	sms = tc_appointment_cancelled_sms("Lê Thị Đào", "2026-03-15", "07:30",
	                                   "Điểm tiêm", &a);
	assert_non_null(strstr(sms, "Le Thi Dao"));
	assert_non_null(strstr(sms, "da bi huy"));
	tc_arena_cleanup(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
