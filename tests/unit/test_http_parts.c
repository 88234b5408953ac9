/* The router table, secrets and the session cache: pieces of the HTTP
 * layer with no I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "crypto/secret.h"
#include "http/authcache.h"
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
	/* the same in pieces */
	struct tc_sha256 *h = tc_sha256_begin();
	tc_sha256_update(h, "a", 1);
	tc_sha256_update(h, "bc", 2);
	tc_sha256_end(h, hex);
	assert_string_equal(
	        hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(tc_password_hash("mật khẩu dài", hash), 0);
	assert_non_null(strstr(hash, "$argon2id$"));
	assert_true(tc_password_verify(hash, "mật khẩu dài"));
	assert_false(tc_password_verify(hash, "mat khau dai"));
	assert_false(tc_password_verify(NULL, "x"));
	assert_false(tc_password_verify("garbage", "x"));
}

static void test_authcache(void **state)
{
	struct tc_authcache *ac = tc_authcache_new(64, 1000);
	struct tc_actor in = { .user_id = 7,
		               .session_id = 70,
		               .username = "phucxa.staff",
		               .role = TC_ROLE_SITE_STAFF,
		               .scope = "VN/01/001/00001",
		               .facility_id = 4,
		               .session_expires_at = 5000,
		               .session_idle_s = 600 };
	struct tc_actor out;
	char h1[TC_SHA256_HEX], h2[TC_SHA256_HEX], name[32];
	struct tc_arena a;
	int64_t seen = 0;
	(void)state;

	tc_arena_init(&a);
	tc_sha256_hex("token one", 9, h1);
	tc_sha256_hex("token two", 9, h2);
	assert_false(tc_authcache_get(ac, h1, 0, 0, &a, &out, &seen));
	/* the strings are copied in: the caller's may go */
	snprintf(name, sizeof name, "%s", in.username);
	in.username = name;
	tc_authcache_put(ac, h1, 3, 100, &in, 42);
	memset(name, 'x', sizeof name - 1);
	assert_true(tc_authcache_get(ac, h1, 3, 100, &a, &out, &seen));
	assert_string_equal(out.username, "phucxa.staff");
	assert_string_equal(out.scope, "VN/01/001/00001");
	assert_null(out.unit_code);
	assert_int_equal(out.session_id, 70);
	assert_int_equal(out.role, TC_ROLE_SITE_STAFF);
	assert_int_equal(out.facility_id, 4);
	assert_int_equal(out.session_expires_at, 5000);
	assert_int_equal(seen, 42);
	/* another token, another epoch, too old, or a clock before the read:
	 * not this entry */
	assert_false(tc_authcache_get(ac, h2, 3, 100, &a, &out, &seen));
	assert_false(tc_authcache_get(ac, h1, 4, 100, &a, &out, &seen));
	assert_false(tc_authcache_get(ac, h1, 3, 1100, &a, &out, &seen));
	assert_false(tc_authcache_get(ac, h1, 3, 99, &a, &out, &seen));
	assert_true(tc_authcache_get(ac, h1, 3, 1099, &a, &out, &seen));
	/* a last-seen time moves forward only, and only for its own token */
	tc_authcache_seen(ac, h1, 50);
	tc_authcache_seen(ac, h1, 45);
	tc_authcache_seen(ac, h2, 90);
	assert_true(tc_authcache_get(ac, h1, 3, 100, &a, &out, &seen));
	assert_int_equal(seen, 50);
	/* a slot taken by another token is replaced, its strings freed */
	for (int i = 0; i < 200; i++) {
		char h[TC_SHA256_HEX], tok[16];
		snprintf(tok, sizeof tok, "t%d", i);
		tc_sha256_hex(tok, strlen(tok), h);
		tc_authcache_put(ac, h, 3, 100, &in, 1);
	}
	tc_arena_cleanup(&a);
	tc_authcache_free(ac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_authcache),
	};
	return cmocka_run_group_tests_name("http_parts", tests, NULL, NULL);
}
