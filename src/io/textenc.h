/* Text encodings of Vietnamese files, decoded to UTF-8 in NFC.
 *
 * Lists from communes arrive as UTF-8 (with or without a byte-order mark),
 * Windows-1258 (Vietnamese Windows; tone marks are separate combining
 * characters, so the result is composed to NFC) or TCVN3 (TCVN 5712:1993
 * VN3, the ".VnTime"/"ABC" fonts: lower-case toned letters at 0xA1-0xFE).
 * Windows-1258 goes through glibc's iconv; TCVN3 uses our own table
 * because glibc's "TCVN5712-1" is VN1, which puts capital letters in place
 * of control characters 0x01-0x17 where VN3 keeps ASCII. */
#ifndef TC_TEXTENC_H
#define TC_TEXTENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/util.h"

enum tc_textenc { TC_TEXTENC_UTF8, TC_TEXTENC_WIN1258, TC_TEXTENC_TCVN3 };

/* "utf-8", "windows-1258" or "tcvn3". */
const char *tc_textenc_name(enum tc_textenc e);
/* Accepts those names, case-insensitively, and the aliases "utf8",
 * "cp1258", "tcvn", "vn3", "abc". */
bool tc_textenc_parse(const char *name, enum tc_textenc *out);

/* Scratch space for NFC composition, kept by its owner so that a long
 * import does not allocate once per cell. Zero-initialise; release with
 * tc_nfc_cleanup (idempotent). */
struct tc_nfc {
	int32_t *cp;
	size_t cap;
};
void tc_nfc_cleanup(struct tc_nfc *z);

/* A decoder; holds an iconv descriptor for Windows-1258. */
struct tc_textdec {
	enum tc_textenc enc;
	void *cd; /* iconv_t, or NULL */
	struct tc_buf tmp;
	struct tc_nfc nfc;
};

void tc_textdec_init(struct tc_textdec *d, enum tc_textenc enc);
void tc_textdec_cleanup(struct tc_textdec *d); /* idempotent */
/* Appends s[0 .. n) decoded, as NFC UTF-8, to `out` (not NUL-counted).
 * False only for UTF-8 input that is not valid UTF-8 (nothing appended);
 * a byte Windows-1258 leaves undefined becomes U+FFFD. */
bool tc_textdec_append(struct tc_textdec *d, const char *s, size_t n, struct tc_buf *out);

/* Appends valid UTF-8 s[0 .. n) in NFC to `out`; false (nothing appended)
 * if it is not valid UTF-8. ASCII is copied as it is. */
bool tc_utf8_nfc_append(struct tc_nfc *z, const char *s, size_t n, struct tc_buf *out);

/* Whether s[0 .. n) is valid UTF-8; a sequence cut off by the end counts
 * as valid when `partial_end` (for a sample cut from a longer file). */
bool tc_utf8_valid(const char *s, size_t n, bool partial_end);

/* Guesses the encoding of a sample: UTF-8 if it has a byte-order mark or
 * is valid UTF-8, else whichever of Windows-1258 and TCVN3 reads as more
 * plausible Vietnamese (letters Vietnamese uses, at most one tone mark per
 * word, no stray symbols); Windows-1258 on a tie. */
enum tc_textenc tc_textenc_detect(const char *s, size_t n);

/* How plausible valid UTF-8 text is as Vietnamese: +2 per Vietnamese
 * letter outside ASCII, minus for symbols, stray combining marks, words
 * with two tone marks. `bad` counts the penalised places. Exposed for the
 * detector's tests. */
long tc_text_viet_score(const char *s, size_t n, size_t *bad);

/* Old spreadsheets often hold TCVN3 bytes shown through a .VnTime font, so
 * the cells read back as Latin-1 mojibake ("NguyÔn V¨n A"). If valid UTF-8
 * s[0 .. n) lies wholly in U+0000-U+00FF, has a character above U+007F,
 * and re-reading it as TCVN3 gives more plausible Vietnamese with no
 * penalised character, appends that reading (NFC) to `out` and returns
 * true; otherwise appends nothing and returns false. */
bool tc_text_fix_tcvn3_mojibake(const char *s, size_t n, struct tc_buf *out);

#endif
