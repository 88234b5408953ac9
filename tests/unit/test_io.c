/* io: the CSV reader and the administrative-unit loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "io/csv.h"
#include "io/units_csv.h"

static int rows_of(const char *text, size_t *nrows, const char **err)
{
	struct tc_csv r;
	int got;
	tc_csv_init(&r, text, strlen(text));
	*nrows = 0;
	while ((got = tc_csv_next(&r)) == 1)
		(*nrows)++;
	*err = r.error;
	tc_csv_cleanup(&r);
	return got;
}

static void test_csv(void **state)
{
	struct tc_csv r;
	const char *text = "\xEF\xBB\xBF" "a,b,c\r\n1,\"x, \"\"y\"\"\",\n\"multi\nline\",2,3\nlast";
	size_t n;
	const char *err;
	(void)state;

	tc_csv_init(&r, text, strlen(text));
	assert_int_equal(tc_csv_next(&r), 1);
	assert_int_equal(r.nfields, 3);
	assert_string_equal(r.fields[0].s, "a");
	assert_int_equal(tc_csv_column(&r, "c"), 2);
	assert_int_equal(tc_csv_column(&r, "z"), -1);
	assert_int_equal(tc_csv_next(&r), 1);
	assert_int_equal(r.nfields, 3);
	assert_string_equal(r.fields[1].s, "x, \"y\"");
	assert_int_equal(r.fields[2].n, 0);
	assert_int_equal(r.line, 2);
	assert_int_equal(tc_csv_next(&r), 1);
	assert_string_equal(r.fields[0].s, "multi\nline");
	assert_int_equal(r.line, 3);
	assert_int_equal(tc_csv_next(&r), 1);
	assert_int_equal(r.line, 5);
	assert_string_equal(r.fields[0].s, "last");
	assert_int_equal(tc_csv_next(&r), 0);
	tc_csv_cleanup(&r);

	assert_int_equal(rows_of("a,\"b\n", &n, &err), -1);
	assert_non_null(strstr(err, "never closed"));
	assert_int_equal(rows_of("a,\"b\"c\n", &n, &err), -1);
	assert_int_equal(rows_of("a,b\"c\n", &n, &err), -1);
	assert_int_equal(rows_of("", &n, &err), 0);
	assert_int_equal(rows_of("x\n", &n, &err), 0);
	assert_int_equal(n, 1);
}

static const char provinces[] =
	"code,name,type,name_with_type,slug,cccd_code,gso_avg_population_2020\n"
	"01,Hà Nội,thanh-pho,Thành phố Hà Nội,ha-noi,001,8246600\n"
	"79,Hồ Chí Minh,thanh-pho,Thành phố Hồ Chí Minh,ho-chi-minh,079,9227600\n";
static const char districts[] = "code,name,type,name_with_type,slug,parent_code\n"
                                "001,Ba Đình,quan,Quận Ba Đình,ba-dinh,01\n"
                                "760,Quận 1,quan,Quận 1,quan-1,79\n";
static const char wards[] =
	"code,name,type,name_with_type,slug,parent_code,district_code,province_code\n"
	"00001,Phúc Xá,phuong,Phường Phúc Xá,phuc-xa,001,001,01\n";

static tc_err parse(const char *p, const char *d, const char *w, size_t *n,
                    struct tc_unit **u, struct tc_fault *f, struct tc_arena *a)
{
	return tc_units_parse(p, strlen(p), d, strlen(d), w, strlen(w), a, u, n, f);
}

static void test_units_parse(void **state)
{
	struct tc_arena a;
	struct tc_fault f = {0};
	struct tc_unit *u;
	size_t n;
	(void)state;

	tc_arena_init(&a);
	assert_int_equal(parse(provinces, districts, wards, &n, &u, &f, &a), TC_ERR_OK);
	assert_int_equal(n, 6);
	/* old Mac line ends (a lone CR) read the same */
	char *cr = strdup(provinces);
	for (char *c = cr; *c; c++)
		if (*c == '\n')
			*c = '\r';
	assert_int_equal(parse(cr, districts, wards, &n, &u, &f, &a), TC_ERR_OK);
	assert_int_equal(n, 6);
	free(cr);
	assert_string_equal(u[0].code, "VN");
	assert_int_equal(u[0].population, 8246600 + 9227600);
	assert_string_equal(u[5].path, "VN/01/001/00001");
	assert_string_equal(u[5].level, "commune");
	assert_string_equal(u[4].parent_code, "79");
	assert_int_equal(u[3].population, -1);

	/* each kind of bad file is refused with its line */
	assert_int_equal(parse(provinces, "code,name,type,name_with_type,slug,parent_code\n"
	                                  "001,Ba Đình,quan,Quận Ba Đình,ba-dinh,99\n",
	                       wards, &n, &u, &f, &a),
	                 TC_ERR_IO);
	assert_non_null(strstr(f.message, "districts.csv line 2"));
	assert_int_equal(parse(provinces, "code,name,type,name_with_type,slug,parent_code\n"
	                                  "01,Ba Đình,quan,Quận Ba Đình,ba-dinh,01\n",
	                       wards, &n, &u, &f, &a),
	                 TC_ERR_IO);
	assert_non_null(strstr(f.message, "3 digits"));
	assert_int_equal(parse(provinces, districts,
	                       "code,name,type,name_with_type,slug,parent_code\n"
	                       "00001,Phúc Xá,phuong,Phường Phúc Xá,phuc-xa,760\n"
	                       "00001,Phúc Xá,phuong,Phường Phúc Xá,phuc-xa,760\n",
	                       &n, &u, &f, &a),
	                 TC_ERR_IO);
	assert_non_null(strstr(f.message, "twice"));
	assert_int_equal(parse("code,name\n01,Hà Nội\n", districts, wards, &n, &u, &f, &a),
	                 TC_ERR_IO);
	assert_int_equal(parse(provinces, districts, "code,name,type,name_with_type,slug,parent_code\n"
	                                             "00001,\"Phúc,parent_code\n",
	                       &n, &u, &f, &a),
	                 TC_ERR_IO);
	tc_arena_cleanup(&a);
}

static void test_units_load_real(void **state)
{
	struct tc_arena a;
	struct tc_fault f = {0};
	struct tc_unit *u;
	const char *sha;
	size_t n, prov = 0, dist = 0, comm = 0;
	(void)state;

	tc_arena_init(&a);
	assert_int_equal(tc_units_load("data/vn-admin", &a, &u, &n, &sha, &f), TC_ERR_OK);
	for (size_t i = 0; i < n; i++) {
		prov += strcmp(u[i].level, "province") == 0;
		dist += strcmp(u[i].level, "district") == 0;
		comm += strcmp(u[i].level, "commune") == 0;
	}
	assert_int_equal(prov, 63);
	assert_int_equal(dist, 705);
	assert_int_equal(comm, 10599);
	assert_int_equal(strlen(sha), 64);
	assert_int_equal(tc_units_load("data/nowhere", &a, &u, &n, &sha, &f), TC_ERR_IO);
	assert_string_equal(f.field, "file");
	tc_arena_cleanup(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_units_parse),
		cmocka_unit_test(test_units_load_real),
	};
	return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}
