/* The router table and secrets: pieces of the HTTP layer with no I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "crypto/secret.h"
#include "http/router.h"

static void test_router(void **state)
{
	struct tc_arena a;
	const char *params[TC_MAX_PATH_PARAMS] = {0};
	const char *allow;
	bool known;
	int i;
	(void)state;

	tc_arena_init(&a);
	i = tc_route_match("GET", "/api/v1/users/42", params, &a, &known, &allow);
	assert_true(i >= 0);
	assert_string_equal(tc_routes[i].pattern, "/api/v1/users/{id}");
	assert_string_equal(params[0], "42");
	i = tc_route_match("PATCH", "/api/v1/users/42", params, &a, &known, &allow);
	assert_string_equal(tc_routes[i].method, "PATCH");
	i = tc_route_match("DELETE", "/api/v1/users/42", params, &a, &known, &allow);
	assert_int_equal(i, -1);
	assert_true(known);
	assert_non_null(strstr(allow, "GET"));
	assert_non_null(strstr(allow, "PATCH"));
	i = tc_route_match("GET", "/api/v1/users/", params, &a, &known, &allow);
	assert_int_equal(i, -1);
	assert_false(known);
	i = tc_route_match("GET", "/api/v1/users/42/x", params, &a, &known, &allow);
	assert_int_equal(i, -1);
	i = tc_route_match("GET", "/api/v1/units", params, &a, &known, &allow);
	assert_true(i >= 0);
	i = tc_route_match("GET", "/api/v1/unitsX", params, &a, &known, &allow);
	assert_int_equal(i, -1);
	/* every route is unique and every admin route needs a token */
	for (int k = 0; k < tc_nroutes; k++) {
		assert_non_null(tc_routes[k].handler);
		for (int m = 0; m < k; m++)
			assert_false(strcmp(tc_routes[k].method, tc_routes[m].method) == 0 &&
			             strcmp(tc_routes[k].pattern, tc_routes[m].pattern) == 0);
		if (strncmp(tc_routes[k].pattern, "/api/v1/users", 13) == 0)
			assert_true(tc_routes[k].roles != TC_PUBLIC);
	}
	tc_arena_cleanup(&a);
}

static void test_secrets(void **state)
{
	char t1[TC_TOKEN_LEN + 1], t2[TC_TOKEN_LEN + 1], hex[TC_SHA256_HEX];
	char hash[TC_PWHASH_LEN];
	(void)state;

	assert_int_equal(tc_secret_init(), 0);
	tc_token_new(t1);
	tc_token_new(t2);
	assert_int_equal(strlen(t1), TC_TOKEN_LEN);
	assert_string_not_equal(t1, t2);
	assert_true(tc_token_wellformed(t1));
	assert_false(tc_token_wellformed("short"));
	t2[5] = '+';
	assert_false(tc_token_wellformed(t2));
	tc_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(tc_password_hash("mật khẩu dài", hash), 0);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_true(tc_password_verify(hash, "mật khẩu dài"));
	assert_false(tc_password_verify(hash, "mat khau dai"));
	assert_false(tc_password_verify(NULL, "x"));
	assert_false(tc_password_verify("garbage", "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router),
		cmocka_unit_test(test_secrets),
	};
	return cmocka_run_group_tests_name("http_parts", tests, NULL, NULL);
}
