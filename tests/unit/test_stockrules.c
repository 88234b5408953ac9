/* domain/stockrules: where stock may go on whose order, reasons; and the
 * day in Vietnam that expiries are read against (tc_vn_day). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/stockrules.h"
#include "domain/birthdate.h"

#define NAT_WH  "VN/F1"
#define HN_WH   "VN/01/F2"
#define BD_DC   "VN/01/001/F3"
#define PX_SITE "VN/01/001/00001/F4"
#define BD_SITE "VN/01/001/F5"
#define PX_SITE2 "VN/01/001/00001/F9"
#define HK_DC   "VN/01/002/F6"
#define HCM_WH  "VN/79/F7"

static const struct {
	const char *actor, *from, *to;
	bool ok, is_return;
} routes[] = {
	/* down the chain, inside the jurisdiction */
	{"VN", NAT_WH, HN_WH, true, false},
	{"VN", NAT_WH, HCM_WH, true, false},
	{"VN/01", HN_WH, BD_DC, true, false},
	{"VN/01", HN_WH, PX_SITE, true, false},
	{"VN/01/001", BD_DC, PX_SITE, true, false},
	{"VN/01/001", BD_DC, BD_SITE, true, false},
	/* sideways inside the jurisdiction */
	{"VN/01", BD_DC, HK_DC, true, false},
	/* outside the sender's jurisdiction: another district, province */
	{"VN/01/001", BD_DC, HK_DC, false, false},
	{"VN/01", HN_WH, HCM_WH, false, false},
	{"VN/01/001", BD_DC, NAT_WH, true, true}, /* back up: a return */
	/* the sender must be the caller's */
	{"VN/01/001", HN_WH, BD_DC, false, false},
	{"VN/01/002", BD_DC, PX_SITE, false, false},
	{PX_SITE, PX_SITE, BD_DC, true, true},   /* site returns to its district */
	{PX_SITE, PX_SITE, HN_WH, true, true},
	{PX_SITE, PX_SITE, HK_DC, false, false}, /* another district's centre */
	{PX_SITE, PX_SITE, PX_SITE2, true, true}, /* a site of the same commune */
	{BD_SITE, BD_SITE, PX_SITE, false, false}, /* down into a commune: not its own */
	{"VN/01", PX_SITE, BD_DC, true, true},    /* up, inside the jurisdiction */
	/* a path that only shares a prefix is not inside */
	{"VN/0", HN_WH, BD_DC, false, false},
	{"VN/01/00", BD_DC, PX_SITE, false, false},
};

static void test_routes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		bool ret = !routes[i].is_return;
		bool ok = tc_stock_route_ok(routes[i].actor, routes[i].from, routes[i].to, &ret);
		if (ok != routes[i].ok || (ok && ret != routes[i].is_return))
			fail_msg("case %zu: %s sends %s -> %s: got ok=%d return=%d", i,
			         routes[i].actor, routes[i].from, routes[i].to, ok, ret);
	}
}

static void test_today(void **state)
{
	(void)state;
	/* 2026-03-14T16:59:59Z is 23:59:59 in Hà Nội; a second later it is the
	 * 15th there */
	int64_t day14 = 20526; /* days from 1970-01-01 to 2026-03-14 */
	assert_int_equal(tc_vn_day(INT64_C(1773507599) * 1000000), day14);
	assert_int_equal(tc_vn_day(INT64_C(1773507600) * 1000000), day14 + 1);
	assert_int_equal(tc_vn_day(0), 0);
	assert_int_equal(tc_vn_day(-INT64_C(7) * 3600 * 1000000 - 1), -1);
}

static void test_reasons(void **state)
{
	(void)state;
	assert_true(tc_stock_source_ok("covax"));
	assert_true(tc_stock_source_ok("donation"));
	assert_false(tc_stock_source_ok("COVAX"));
	assert_false(tc_stock_source_ok(""));
	assert_false(tc_stock_source_ok(NULL));
	assert_true(tc_stock_writeoff_reason_ok("opened_vial_expired"));
	assert_true(tc_stock_writeoff_reason_ok("expired"));
	assert_true(tc_stock_writeoff_reason_ok("cold_chain"));
	assert_false(tc_stock_writeoff_reason_ok("lost"));
	assert_false(tc_stock_writeoff_reason_ok(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_today),
		cmocka_unit_test(test_reasons),
	};
	return cmocka_run_group_tests_name("stockrules", tests, NULL, NULL);
}
