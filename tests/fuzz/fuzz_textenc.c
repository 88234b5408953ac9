/* Fuzzes the text decoders (src/io/textenc.c): the input decoded as UTF-8,
 * Windows-1258 and TCVN3 must come out as valid UTF-8 in NFC (UTF-8 may
 * instead be refused, exactly when tc_utf8_valid says it is invalid);
 * detection, scoring and the mojibake repair must not crash, and a repair
 * must also be valid NFC. */
#include <stdint.h>
#include <utf8proc.h>

#include "fuzz.h"
#include "io/textenc.h"

/* Valid UTF-8 that composing to NFC again leaves unchanged. */
static void check_nfc(const char *s, size_t n)
{
	utf8proc_uint8_t *again = NULL;
	utf8proc_ssize_t k;

	FUZZ_CHECK(tc_utf8_valid(s, n, false));
	k = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &again,
	                 UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	FUZZ_CHECK(k >= 0);
	FUZZ_CHECK((size_t)k == n && memcmp(again, s, n) == 0);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_memdup(data, size);
	struct tc_buf out;
	enum tc_textenc det;
	size_t bad;

	tc_buf_init(&out);
	for (int e = TC_TEXTENC_UTF8; e <= TC_TEXTENC_TCVN3; e++) {
		struct tc_textdec d;
		bool ok;
		tc_textdec_init(&d, (enum tc_textenc)e);
		tc_buf_reset(&out);
		tc_buf_append(&out, "x", 1); /* decoders append */
		ok = tc_textdec_append(&d, in, size, &out);
		if (e == TC_TEXTENC_UTF8)
			FUZZ_CHECK(ok == tc_utf8_valid(in, size, false));
		else
			FUZZ_CHECK(ok);
		if (!ok)
			FUZZ_CHECK(out.len == 1);
		check_nfc(out.data + 1, out.len - 1);
		if (e != TC_TEXTENC_UTF8) {
			/* one byte gives at most one code point of 3 bytes, plus U+FFFD */
			FUZZ_CHECK(out.len - 1 <= 3 * size);
			tc_text_viet_score(out.data + 1, out.len - 1, &bad);
		}
		tc_textdec_cleanup(&d);
	}
	det = tc_textenc_detect(in, size);
	FUZZ_CHECK(det == TC_TEXTENC_UTF8 || det == TC_TEXTENC_WIN1258 ||
	           det == TC_TEXTENC_TCVN3);
	tc_text_viet_score(in, size, &bad);
	if (tc_utf8_valid(in, size, false)) {
		tc_buf_reset(&out);
		if (tc_text_fix_tcvn3_mojibake(in, size, &out))
			check_nfc(out.data, out.len);
		else
			FUZZ_CHECK(out.len == 0);
	}
	tc_buf_cleanup(&out);
	free(in);
	return 0;
}
