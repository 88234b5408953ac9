/* Fuzzes the stored form of idempotency answers (src/http/idem_pack.c).
 * The input is read both ways:
 *   - as a stored answer (it is a database row's text, so whatever a
 *     damaged or hand-edited row may hold): tc_idem_unpack either appends
 *     what it unpacked, or refuses and leaves the buffer as it was; text
 *     without the "z1:" prefix comes back byte for byte;
 *   - as an answer to store: when tc_idem_pack packs it, the result is
 *     printable text with the prefix, shorter than the input, and unpacks
 *     to exactly the input. */
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/util.h"
#include "fuzz.h"
#include "http/idem_pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	size_t len = strlen(text); /* a row's text ends at its first NUL */
	struct tc_arena a;
	struct tc_buf out;
	const char *packed;

	tc_arena_init(&a);
	tc_buf_init(&out);
	tc_buf_puts(&out, "x");
	if (tc_idem_unpack(text, &out)) {
		if (strncmp(text, "z1:", 3) != 0)
			FUZZ_CHECK(out.len == 1 + len &&
			           memcmp(out.data + 1, text, len) == 0);
	} else {
		FUZZ_CHECK(strncmp(text, "z1:", 3) == 0);
		FUZZ_CHECK(out.len == 1 && strcmp(out.data, "x") == 0);
	}

	packed = tc_idem_pack(text, len, &a);
	if (packed) {
		size_t plen = strlen(packed);
		FUZZ_CHECK(plen < len && strncmp(packed, "z1:", 3) == 0);
		for (size_t i = 0; i < plen; i++)
			FUZZ_CHECK(packed[i] > 0x20 && packed[i] < 0x7f);
		tc_buf_reset(&out);
		FUZZ_CHECK(tc_idem_unpack(packed, &out));
		FUZZ_CHECK(out.len == len && memcmp(out.data, text, len) == 0);
	}
	tc_buf_cleanup(&out);
	tc_arena_cleanup(&a);
	free(text);
	return 0;
}
