#include "textenc.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

/* TCVN3 (VN3) 0x80-0xFF, written from TCVN 5712:1993. VN3 proper defines
 * 0xA1-0xFE (the seven plain capitals Ă Â Ê Ô Ơ Ư Đ, then lower-case
 * letters with every tone) and the combining tones at 0xB0-0xB4; the other
 * high positions hold the toned capitals as VN1 places them, which some
 * "ABC" fonts also draw. Below 0x80 it is ASCII. */
static const uint16_t tcvn3_high[128] = {
	/* 0x80 */ 0x00C0,
	0x1EA2,
	0x00C3,
	0x00C1,
	0x1EA0,
	0x1EB6,
	0x1EAC,
	0x00C8,
	/* 0x88 */ 0x1EBA,
	0x1EBC,
	0x00C9,
	0x1EB8,
	0x1EC6,
	0x00CC,
	0x1EC8,
	0x0128,
	/* 0x90 */ 0x00CD,
	0x1ECA,
	0x00D2,
	0x1ECE,
	0x00D5,
	0x00D3,
	0x1ECC,
	0x1ED8,
	/* 0x98 */ 0x1EDC,
	0x1EDE,
	0x1EE0,
	0x1EDA,
	0x1EE2,
	0x00D9,
	0x1EE6,
	0x0168,
	/* 0xA0 */ 0x00A0,
	0x0102,
	0x00C2,
	0x00CA,
	0x00D4,
	0x01A0,
	0x01AF,
	0x0110,
	/* 0xA8 */ 0x0103,
	0x00E2,
	0x00EA,
	0x00F4,
	0x01A1,
	0x01B0,
	0x0111,
	0x1EB0,
	/* 0xB0 */ 0x0300,
	0x0309,
	0x0303,
	0x0301,
	0x0323,
	0x00E0,
	0x1EA3,
	0x00E3,
	/* 0xB8 */ 0x00E1,
	0x1EA1,
	0x1EB2,
	0x1EB1,
	0x1EB3,
	0x1EB5,
	0x1EAF,
	0x1EB4,
	/* 0xC0 */ 0x1EAE,
	0x1EA6,
	0x1EA8,
	0x1EAA,
	0x1EA4,
	0x1EC0,
	0x1EB7,
	0x1EA7,
	/* 0xC8 */ 0x1EA9,
	0x1EAB,
	0x1EA5,
	0x1EAD,
	0x00E8,
	0x1EC2,
	0x1EBB,
	0x1EBD,
	/* 0xD0 */ 0x00E9,
	0x1EB9,
	0x1EC1,
	0x1EC3,
	0x1EC5,
	0x1EBF,
	0x1EC7,
	0x00EC,
	/* 0xD8 */ 0x1EC9,
	0x1EC4,
	0x1EBE,
	0x1ED2,
	0x0129,
	0x00ED,
	0x1ECB,
	0x00F2,
	/* 0xE0 */ 0x1ED4,
	0x1ECF,
	0x00F5,
	0x00F3,
	0x1ECD,
	0x1ED3,
	0x1ED5,
	0x1ED7,
	/* 0xE8 */ 0x1ED1,
	0x1ED9,
	0x1EDD,
	0x1EDF,
	0x1EE1,
	0x1EDB,
	0x1EE3,
	0x00F9,
	/* 0xF0 */ 0x1ED6,
	0x1EE7,
	0x0169,
	0x00FA,
	0x1EE5,
	0x1EEB,
	0x1EED,
	0x1EEF,
	/* 0xF8 */ 0x1EE9,
	0x1EF1,
	0x1EF3,
	0x1EF7,
	0x1EF9,
	0x00FD,
	0x1EF5,
	0x1ED0,
};

static const char *const names[] = { "utf-8", "windows-1258", "tcvn3" };

const char *tc_textenc_name(enum tc_textenc e)
{
	return names[e];
}

bool tc_textenc_parse(const char *name, enum tc_textenc *out)
{
	static const struct {
		const char *name;
		enum tc_textenc enc;
	} known[] = {
		{ "utf-8", TC_TEXTENC_UTF8 },
		{ "utf8", TC_TEXTENC_UTF8 },
		{ "windows-1258", TC_TEXTENC_WIN1258 },
		{ "cp1258", TC_TEXTENC_WIN1258 },
		{ "tcvn3", TC_TEXTENC_TCVN3 },
		{ "tcvn", TC_TEXTENC_TCVN3 },
		{ "vn3", TC_TEXTENC_TCVN3 },
		{ "abc", TC_TEXTENC_TCVN3 },
	};
	for (size_t i = 0; i < TC_ARRAY_LEN(known); i++)
		if (strcasecmp(name, known[i].name) == 0) {
			*out = known[i].enc;
			return true;
		}
	return false;
}

void tc_textdec_init(struct tc_textdec *d, enum tc_textenc enc)
{
	d->enc = enc;
	d->cd = NULL;
	d->nfc = (struct tc_nfc){ 0 };
	tc_buf_init(&d->tmp);
	if (enc == TC_TEXTENC_WIN1258) {
		iconv_t cd = iconv_open("UTF-8", "WINDOWS-1258");
		if (cd == (iconv_t)-1)
			tc_die("iconv has no WINDOWS-1258 (glibc's gconv modules "
			       "missing?)");
		d->cd = cd;
	}
}

void tc_textdec_cleanup(struct tc_textdec *d)
{
	if (d->cd != NULL)
		iconv_close((iconv_t)d->cd);
	d->cd = NULL;
	tc_buf_cleanup(&d->tmp);
	tc_nfc_cleanup(&d->nfc);
}

static bool is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* Valid UTF-8 made only of code points that are in NFC whatever follows
 * them, and no combining mark: ASCII, Latin-1, Latin Extended-A/B and
 * Latin Extended Additional (every precomposed Vietnamese letter). Such
 * text is already NFC, which is what nearly every cell is. */
static bool nfc_already(const char *s, size_t n)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t c;

	while (n > 0) {
		if (*p < 0x80) {
			p++;
			n--;
			continue;
		}
		utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)n, &c);
		if (k < 0 || !(c < 0x250 || (c >= 0x1e00 && c < 0x1f00)))
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

void tc_nfc_cleanup(struct tc_nfc *z)
{
	free(z->cp);
	z->cp = NULL;
	z->cap = 0;
}

bool tc_utf8_nfc_append(struct tc_nfc *z, const char *s, size_t n, struct tc_buf *out)
{
	const utf8proc_option_t opts = UTF8PROC_COMPOSE | UTF8PROC_STABLE;
	utf8proc_ssize_t k;

	if (nfc_already(s, n)) {
		tc_buf_append(out, s, n);
		return true;
	}
	/* what utf8proc_map does, in a buffer we keep */
	k = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, z->cp,
	                       (utf8proc_ssize_t)z->cap, opts);
	if (k >= 0 && (size_t)k > z->cap) {
		z->cap = (size_t)k + 64;
		z->cp = tc_xrealloc(z->cp, z->cap * sizeof(*z->cp));
		k = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
		                       z->cp, (utf8proc_ssize_t)z->cap, opts);
	}
	if (k < 0)
		return false; /* invalid UTF-8 */
	k = utf8proc_reencode(z->cp, k, opts);
	if (k < 0)
		return false;
	tc_buf_append(out, z->cp, (size_t)k);
	return true;
}

bool tc_utf8_valid(const char *s, size_t n, bool partial_end)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;

	if (partial_end) {
		/* Drop a lead byte near the end whose sequence the cut truncated. */
		for (size_t k = 1; k <= 3 && k <= n; k++) {
			unsigned char c = p[n - k];
			size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
			if ((c & 0xC0) == 0x80)
				continue;
			if (c >= 0xC0 && need > k)
				n -= k;
			break;
		}
	}
	while (n > 0) {
		utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)n, &cp);
		if (k < 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static void put_cp(struct tc_buf *b, int32_t cp)
{
	utf8proc_uint8_t u[4];
	tc_buf_append(b, u, (size_t)utf8proc_encode_char(cp, u));
}

static void tcvn3_to_utf8(const char *s, size_t n, struct tc_buf *b)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		put_cp(b, c < 0x80 ? c : tcvn3_high[c - 0x80]);
	}
}

/* glibc holds back a letter that a tone mark might follow; this lets it go. */
static void win1258_flush(iconv_t cd, struct tc_buf *b)
{
	char chunk[64];
	for (;;) {
		char *o = chunk;
		size_t oleft = sizeof(chunk);
		size_t r = iconv(cd, NULL, NULL, &o, &oleft);
		int e = errno;
		tc_buf_append(b, chunk, (size_t)(o - chunk));
		if (r != (size_t)-1 || e != E2BIG)
			break;
	}
}

/* Appends the raw UTF-8 of Windows-1258 bytes (not yet NFC) to b. */
static void win1258_to_utf8(iconv_t cd, const char *s, size_t n, struct tc_buf *b)
{
	char chunk[1024];
	char *in = (char *)s;
	size_t inleft = n;

	iconv(cd, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		char *o = chunk;
		size_t oleft = sizeof(chunk);
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		int e = errno;
		tc_buf_append(b, chunk, (size_t)(o - chunk));
		if (r == (size_t)-1 && e != E2BIG) {
			/* an undefined byte: iconv stopped on it */
			win1258_flush(cd, b);
			tc_buf_append(b, "\xEF\xBF\xBD", 3);
			in++;
			inleft--;
		}
	}
	win1258_flush(cd, b);
}

bool tc_textdec_append(struct tc_textdec *d, const char *s, size_t n, struct tc_buf *out)
{
	if (d->enc == TC_TEXTENC_UTF8 || is_ascii(s, n))
		return tc_utf8_nfc_append(&d->nfc, s, n, out);
	tc_buf_reset(&d->tmp);
	if (d->enc == TC_TEXTENC_TCVN3)
		tcvn3_to_utf8(s, n, &d->tmp);
	else
		win1258_to_utf8((iconv_t)d->cd, s, n, &d->tmp);
	if (!tc_utf8_nfc_append(&d->nfc, d->tmp.data, d->tmp.len, out))
		tc_die("decoder produced invalid UTF-8"); /* impossible */
	return true;
}

/* A letter Vietnamese writes: a vowel with at most one shape mark it can
 * take (breve, circumflex, horn) and at most one tone, or đ. */
static bool viet_letter(int32_t cp, bool *toned)
{
	utf8proc_int32_t d[4];
	int last = 0, shape = 0, tone = 0;
	utf8proc_ssize_t k;
	int base;

	*toned = false;
	if (cp == 0x110 || cp == 0x111)
		return true;
	k = utf8proc_decompose_char(cp, d, 4, UTF8PROC_DECOMPOSE, &last);
	if (k < 2 || k > 3 || d[0] >= 0x80)
		return false;
	base = d[0] | 0x20;
	if (strchr("aeiouy", base) == NULL)
		return false;
	for (utf8proc_ssize_t i = 1; i < k; i++) {
		int32_t m = d[i];
		if ((m == 0x306 && base == 'a') ||
		    (m == 0x302 && (base == 'a' || base == 'e' || base == 'o')) ||
		    (m == 0x31B && (base == 'o' || base == 'u')))
			shape++;
		else if (m == 0x300 || m == 0x301 || m == 0x303 || m == 0x309 ||
		         m == 0x323)
			tone++;
		else
			return false;
	}
	*toned = tone == 1;
	return shape <= 1 && tone <= 1;
}

/* Characters outside ASCII that Vietnamese lists use besides letters. */
static bool neutral(int32_t cp)
{
	return cp == 0xA0 || (cp >= 0x2010 && cp <= 0x2026) || cp == 0x20AB;
}

long tc_text_viet_score(const char *s, size_t n, size_t *bad)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	long score = 0;
	size_t nbad = 0;
	int tones = 0;

	while (n > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)n, &cp);
		bool toned, letter = false;
		if (k < 0) {
			nbad++;
			k = 1;
		} else if (cp < 0x80) {
			letter = (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
			if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
				nbad++;
		} else if (viet_letter(cp, &toned)) {
			letter = true;
			score += 2;
			tones += toned;
		} else if (!neutral(cp)) {
			nbad++;
		}
		if (!letter) {
			nbad += tones > 1; /* a syllable carries one tone */
			tones = 0;
		}
		p += k;
		n -= (size_t)k;
	}
	nbad += tones > 1;
	if (bad)
		*bad = nbad;
	return score - 3 * (long)nbad;
}

enum tc_textenc tc_textenc_detect(const char *s, size_t n)
{
	struct tc_textdec w, t;
	struct tc_buf bw, bt;
	long sw, st;

	if ((n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) || tc_utf8_valid(s, n, true))
		return TC_TEXTENC_UTF8;
	tc_textdec_init(&w, TC_TEXTENC_WIN1258);
	tc_textdec_init(&t, TC_TEXTENC_TCVN3);
	tc_buf_init(&bw);
	tc_buf_init(&bt);
	tc_textdec_append(&w, s, n, &bw);
	tc_textdec_append(&t, s, n, &bt);
	sw = tc_text_viet_score(bw.data, bw.len, NULL);
	st = tc_text_viet_score(bt.data, bt.len, NULL);
	tc_buf_cleanup(&bw);
	tc_buf_cleanup(&bt);
	tc_textdec_cleanup(&w);
	tc_textdec_cleanup(&t);
	return st > sw ? TC_TEXTENC_TCVN3 : TC_TEXTENC_WIN1258;
}

bool tc_text_fix_tcvn3_mojibake(const char *s, size_t n, struct tc_buf *out)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	struct tc_buf raw, fixed;
	struct tc_nfc z = { 0 };
	bool high = false, ok = false;
	size_t left = n, bad;
	long before, after;

	tc_buf_init(&raw);
	tc_buf_init(&fixed);
	while (left > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)left, &cp);
		if (k < 0 || cp > 0xFF)
			goto done;
		high |= cp >= 0x80;
		put_cp(&raw, cp < 0x80 ? cp : tcvn3_high[cp - 0x80]);
		p += k;
		left -= (size_t)k;
	}
	if (!high || !tc_utf8_nfc_append(&z, raw.data, raw.len, &fixed))
		goto done;
	before = tc_text_viet_score(s, n, NULL);
	after = tc_text_viet_score(fixed.data, fixed.len, &bad);
	if (bad == 0 && after > before) {
		tc_buf_append(out, fixed.data, fixed.len);
		ok = true;
	}
done:
	tc_buf_cleanup(&raw);
	tc_buf_cleanup(&fixed);
	tc_nfc_cleanup(&z);
	return ok;
}
