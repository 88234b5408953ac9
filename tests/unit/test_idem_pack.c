/* Idempotency answers as stored (src/http/idem_pack.c): an answer packs
 * to "z1:" text much smaller than itself and unpacks to the same bytes;
 * an answer that would not shrink, or is tiny, is not packed; a stored
 * answer without the prefix (written before packing existed) reads as
 * it is; a damaged packed answer (or a packed one that is not one frame
 * with content) is refused with nothing appended, never read as
 * something else; several threads pack at once. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/arena.h"
#include "core/util.h"
#include "http/idem_pack.h"
#include "tsupport.h"

/* An injection's answer as the server writes it, for person n. */
static char *answer(int n)
{
	return ts_fmt(
	        "{\"visit\":{\"id\":%d,\"citizen_id\":%d,\"full_name\":\"Lê Thị Hồng "
	        "%d\","
	        "\"birth_date\":\"1978-03-%02d\",\"gender\":\"female\",\"site_id\":7,"
	        "\"session_id\":31,\"registration_id\":%d,\"day\":\"2026-12-01\","
	        "\"walk_in\":false,\"status\":\"vaccinated\",\"screening\":{\"product\":"
	        "\"EU/1/20/"
	        "1507\",\"outcome\":\"eligible\",\"reasons\":[],\"postpone_until\":"
	        "null,\"caution\":true,\"observe_minutes\":30,\"temperature\":37.1,"
	        "\"systolic\":131,\"diastolic\":85,\"pulse\":91,\"guardian_consent\":"
	        "false,"
	        "\"guardian_name\":null,\"answers\":{\"anaphylaxis_same_vaccine\":false,"
	        "\"severe_reaction_previous_dose\":false,\"covid19_recent\":false,"
	        "\"acute_illness\":false,\"chronic_progressing\":true}},\"dose\":{\"id\":"
	        "%d,"
	        "\"product\":\"EU/1/20/1507\",\"product_name\":\"Spikevax\",\"lot_id\":3,"
	        "\"lot_number\":\"MOD-3391\",\"given_on\":\"2026-12-01\",\"kind\":"
	        "\"booster\","
	        "\"number\":3,\"status\":\"valid\",\"flags\":[\"mixed\"],\"version\":1},"
	        "\"observe_seconds_left\":1800,\"version\":3}}",
	        1000 + n, 5000 + n, n, 1 + n % 28, 70 + n, 900000 + n);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct tc_arena a;
	struct tc_buf out;

	tc_arena_init(&a);
	tc_buf_init(&out);
	for (int n = 0; n < 50; n++) {
		char *body = answer(n);
		size_t len = strlen(body);
		const char *packed = tc_idem_pack(body, len, &a);
		assert_non_null(packed);
		assert_memory_equal(packed, "z1:", 3);
		assert_true(strlen(packed) < len / 2);
		/* text that both backends keep as it is */
		for (const char *p = packed; *p; p++)
			assert_true(*p > 0x20 && *p < 0x7f);
		tc_buf_reset(&out);
		tc_buf_puts(&out, "before:");
		assert_true(tc_idem_unpack(packed, &out));
		assert_int_equal(out.len, 7 + len);
		assert_memory_equal(out.data, "before:", 7);
		assert_string_equal(out.data + 7, body);
		free(body);
	}
	tc_buf_cleanup(&out);
	tc_arena_cleanup(&a);
}

static void test_not_packed(void **state)
{
	(void)state;
	struct tc_arena a;
	struct tc_buf out;
	char noise[1200];
	uint32_t x = 2463534242u;

	tc_arena_init(&a);
	tc_buf_init(&out);
	assert_null(tc_idem_pack("{\"ok\":true}", 11, &a));
	/* no repeats to find: packed and written as text it would be longer */
	for (size_t i = 0; i < sizeof noise - 1; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		noise[i] = (char)('!' + x % 90);
	}
	noise[sizeof noise - 1] = '\0';
	assert_null(tc_idem_pack(noise, strlen(noise), &a));
	/* rows stored plain (before packing, or not worth it) read as they are */
	assert_true(tc_idem_unpack("{\"visit\":{\"id\":1}}", &out));
	assert_string_equal(out.data, "{\"visit\":{\"id\":1}}");
	tc_buf_reset(&out);
	assert_true(tc_idem_unpack("", &out));
	assert_int_equal(out.len, 0);
	tc_buf_cleanup(&out);
	tc_arena_cleanup(&a);
}

/* Not unpacked, and nothing appended. */
static void refused(const char *stored)
{
	struct tc_buf out;

	tc_buf_init(&out);
	tc_buf_puts(&out, "kept");
	assert_false(tc_idem_unpack(stored, &out));
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "kept");
	tc_buf_cleanup(&out);
}

static void test_damaged(void **state)
{
	(void)state;
	struct tc_arena a;
	char *body = answer(7);
	const char *packed;
	char *bad;
	size_t n;

	tc_arena_init(&a);
	packed = tc_idem_pack(body, strlen(body), &a);
	assert_non_null(packed);
	n = strlen(packed);
	refused("z1:");
	refused("z1:!!!not base64!!!");
	refused("z1:AAAA");
	/* well-formed zstd, but not one frame with content */
	refused("z1:UCpNGAAAAAA");  /* a skippable frame */
	refused("z1:KLUv/SAAAQAA"); /* an empty frame */
	{
		unsigned char bin[2048];
		size_t len;
		assert_int_equal(sodium_base642bin(
		                         bin, sizeof bin, packed + 3, n - 3, NULL, &len,
		                         NULL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING),
		                 0);
		memset(bin + len, 0, 4); /* bytes after the frame */
		bad = malloc(sodium_base64_ENCODED_LEN(
		                     len + 4, sodium_base64_VARIANT_ORIGINAL_NO_PADDING) +
		             3);
		memcpy(bad, "z1:", 3);
		sodium_bin2base64(
		        bad + 3,
		        sodium_base64_ENCODED_LEN(
		                len + 4, sodium_base64_VARIANT_ORIGINAL_NO_PADDING),
		        bin, len + 4, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
		refused(bad);
		free(bad);
	}
	/* cut short */
	bad = strndup(packed, n - 8);
	refused(bad);
	free(bad);
	/* one character changed anywhere after the frame's header: the
	 * content checksum, or the frame's own structure, catches it */
	for (size_t i = 12; i < n; i++) {
		bad = strdup(packed);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		refused(bad);
		free(bad);
	}
	free(body);
	tc_arena_cleanup(&a);
}

#define THREADS 4

static void *pack_many(void *arg)
{
	int base = *(int *)arg, bad = 0;
	struct tc_arena a;
	struct tc_buf out;

	tc_arena_init(&a);
	tc_buf_init(&out);
	for (int n = base; n < base + 200; n++) {
		char *body = answer(n);
		const char *packed = tc_idem_pack(body, strlen(body), &a);
		tc_buf_reset(&out);
		if (packed == NULL || !tc_idem_unpack(packed, &out) ||
		    strcmp(out.data, body) != 0)
			bad++;
		free(body);
		tc_arena_reset(&a);
	}
	tc_buf_cleanup(&out);
	tc_arena_cleanup(&a);
	return (void *)(intptr_t)bad;
}

static void test_threads(void **state)
{
	(void)state;
	pthread_t t[THREADS];
	int base[THREADS];

	for (int i = 0; i < THREADS; i++) {
		base[i] = i * 1000;
		assert_int_equal(pthread_create(&t[i], NULL, pack_many, &base[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		void *bad;
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_int_equal((intptr_t)bad, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_not_packed),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests_name("idempotency answers packed", tests, NULL,
	                                   NULL);
}
