#include "names.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "../core/arena.h"
#include "../core/util.h"

/* Compound family names, by their keys (tc_name_key). tc_name_split takes
 * the longest that begins a name and leaves at least one word after it. */
static const char *const compound_family_names[] = {
	"ton nu",            /* Tôn Nữ */
	"ton that",          /* Tôn Thất */
	"cong ton",          /* Công Tôn */
	"cong tang ton nu",  /* Công Tằng Tôn Nữ */
	"cong huyen ton nu", /* Công Huyền Tôn Nữ */
	"au duong",          /* Âu Dương */
	"tu ma",             /* Tư Mã */
	"gia cat",           /* Gia Cát */
	"thuong quan",       /* Thượng Quan */
	"hoang phu",         /* Hoàng Phủ */
	"dong phuong",       /* Đông Phương */
	"phi mac",           /* Phí Mạc */
	"chung ly",          /* Chung Ly */
	"tu do",             /* Tư Đồ */
};

#define NAME_MAX_CHARS 200

static bool is_space(utf8proc_int32_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
	       c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Copies utf8proc's malloc'd result (n bytes, or an error when negative)
 * into the arena. */
static const char *from_utf8proc(utf8proc_ssize_t n, utf8proc_uint8_t *out,
                                 struct tc_arena *a)
{
	const char *s;

	if (n == UTF8PROC_ERROR_NOMEM)
		tc_die("out of memory (utf8proc)");
	s = n < 0 ? NULL : tc_arena_strndup(a, (const char *)out, (size_t)n);
	free(out);
	return s;
}

/* Code points that are in NFC whatever follows them, as long as no
 * combining mark does: ASCII, the Latin-1 and Latin Extended-A/B letters
 * and Latin Extended Additional (every precomposed Vietnamese letter).
 * Text made only of these needs no normalisation pass. */
static bool nfc_safe(utf8proc_int32_t c)
{
	return c < 0x250 || (c >= 0x1e00 && c < 0x1f00);
}

const char *tc_text_clean(const char *s, struct tc_arena *a)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t left, step;
	utf8proc_int32_t c;
	utf8proc_uint8_t *nfc = NULL;
	bool safe = true;
	utf8proc_ssize_t n;
	char *buf;
	size_t len = 0;
	bool space = false;

	if (s == NULL)
		return NULL;
	left = (utf8proc_ssize_t)strlen(s);
	buf = tc_arena_alloc(a, (size_t)left + 1);
	for (; left > 0; p += step, left -= step) {
		step = utf8proc_iterate(p, left, &c);
		if (step < 0)
			return NULL;
		if (is_space(c)) {
			space = len > 0;
			continue;
		}
		if (utf8proc_category(c) == UTF8PROC_CATEGORY_CC)
			return NULL;
		if (space)
			buf[len++] = ' ';
		space = false;
		safe = safe && nfc_safe(c);
		memcpy(buf + len, p, (size_t)step);
		len += (size_t)step;
	}
	buf[len] = '\0';
	if (safe)
		return buf; /* already NFC: the common case, and the fast one */
	n = utf8proc_map((const utf8proc_uint8_t *)buf, (utf8proc_ssize_t)len, &nfc,
	                 UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	return from_utf8proc(n, nfc, a);
}

/* đ and Đ carry no combining mark to strip: they are letters of their own.
 * Ð (the Icelandic eth) stands in for Đ in text converted from the old
 * Vietnamese encodings. */
static utf8proc_int32_t map_d(utf8proc_int32_t c, void *data)
{
	(void)data;
	if (c == 0x110 || c == 0x111 || c == 0xd0 || c == 0xf0)
		return 'd';
	return c;
}

/* The key of clean text, one code point at a time: ASCII is lower-cased
 * as it is, anything else decomposed with its marks stripped and folded
 * (utf8proc), đ/Đ mapped to d. The same result as mapping the whole
 * string, without its allocations and passes. */
static const char *key_by_char(const char *clean, struct tc_arena *a)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)clean;
	utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(clean), step;
	/* folding can lengthen a character (ß -> ss): four per byte is ample */
	char *key = tc_arena_alloc(a, (size_t)left * 4 + 1);
	size_t n = 0;
	utf8proc_int32_t c, dec[8];

	for (; left > 0; p += step, left -= step) {
		step = utf8proc_iterate(p, left, &c);
		if (step < 0)
			return NULL;
		if (c < 0x80) {
			char ch = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			if (ch == ' ' && (n == 0 || key[n - 1] == ' '))
				continue;
			key[n++] = ch;
			continue;
		}
		if (c == 0x110 || c == 0x111 || c == 0xd0 || c == 0xf0) {
			key[n++] = 'd';
			continue;
		}
		int last = 0;
		utf8proc_ssize_t k = utf8proc_decompose_char(
		        c, dec, 8, UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
		                           UTF8PROC_CASEFOLD,
		        &last);
		if (k < 0 || k > 8)
			return NULL;
		for (utf8proc_ssize_t i = 0; i < k; i++) {
			if (dec[i] == ' ' && (n == 0 || key[n - 1] == ' '))
				continue;
			n += (size_t)utf8proc_encode_char(dec[i], (utf8proc_uint8_t *)key + n);
		}
	}
	if (n > 0 && key[n - 1] == ' ')
		n--;
	key[n] = '\0';
	return key;
}

const char *tc_name_key(const char *s, struct tc_arena *a)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t mapped;
	const char *clean = tc_text_clean(s, a), *k;
	char *key;
	size_t n = 0;
	bool latin = true;

	if (clean == NULL)
		return NULL;
	/* Latin text (every Vietnamese name) in NFC: character by character */
	for (const utf8proc_uint8_t *q = (const utf8proc_uint8_t *)clean; *q && latin;) {
		utf8proc_int32_t c;
		utf8proc_ssize_t st = utf8proc_iterate(q, -1, &c);
		latin = st > 0 && nfc_safe(c);
		q += st > 0 ? st : 1;
	}
	if (latin)
		return key_by_char(clean, a);
	mapped = utf8proc_map_custom((const utf8proc_uint8_t *)clean, 0, &out,
	                             UTF8PROC_NULLTERM | UTF8PROC_STABLE |
	                                     UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
	                                     UTF8PROC_CASEFOLD,
	                             map_d, NULL);
	k = from_utf8proc(mapped, out, a);
	if (k == NULL)
		return NULL;
	/* Stripping a mark that stood alone between spaces leaves two. */
	key = tc_arena_alloc(a, strlen(k) + 1);
	for (; *k; k++) {
		if (*k == ' ' && (n == 0 || key[n - 1] == ' '))
			continue;
		key[n++] = *k;
	}
	if (n > 0 && key[n - 1] == ' ')
		n--;
	key[n] = '\0';
	return key;
}

const char *tc_name_fold(const char *s, struct tc_arena *a)
{
	utf8proc_uint8_t *out = NULL;
	const char *clean = tc_text_clean(s, a);

	utf8proc_ssize_t n;

	if (clean == NULL || *clean == '\0')
		return clean;
	n = utf8proc_map((const utf8proc_uint8_t *)clean, 0, &out,
	                 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
	                         UTF8PROC_CASEFOLD);
	return from_utf8proc(n, out, a);
}

tc_err tc_name_check(const char *name, const char *field, struct tc_fault *f)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)name;
	utf8proc_ssize_t left, step;
	utf8proc_int32_t c;
	size_t chars = 0;
	bool letter = false, after_letter = false;

	if (name == NULL)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, field, "a name is required");
	if (*name == '\0')
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field, "the name is empty");
	for (left = (utf8proc_ssize_t)strlen(name); left > 0; p += step, left -= step) {
		step = utf8proc_iterate(p, left, &c);
		if (step < 0)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
			                    "the name is not valid UTF-8");
		if (++chars > NAME_MAX_CHARS)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
			                    "a name has at most 200 characters");
		switch (utf8proc_category(c)) {
		case UTF8PROC_CATEGORY_LU:
		case UTF8PROC_CATEGORY_LL:
		case UTF8PROC_CATEGORY_LT:
		case UTF8PROC_CATEGORY_LM:
		case UTF8PROC_CATEGORY_LO: letter = after_letter = true; continue;
		case UTF8PROC_CATEGORY_MN:
		case UTF8PROC_CATEGORY_MC:
		case UTF8PROC_CATEGORY_ME:
			if (!after_letter)
				return tc_fault_set(
				        f, TC_ERR_INVALID_FIELD, field,
				        "an accent mark must follow a letter");
			continue;
		case UTF8PROC_CATEGORY_ND:
		case UTF8PROC_CATEGORY_NL:
		case UTF8PROC_CATEGORY_NO:
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
			                    "a name cannot hold digits");
		default: break;
		}
		after_letter = false;
		if (c != ' ' && c != '.' && c != '\'' && c != '-')
			return tc_fault_set(
			        f, TC_ERR_INVALID_FIELD, field,
			        "a name holds only letters, spaces and . ' -");
	}
	if (!letter)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
		                    "a name needs at least one letter");
	return TC_ERR_OK;
}

/* Where the n-th space of s is (n >= 1), or NULL. */
static const char *nth_space(const char *s, size_t n)
{
	for (; *s; s++)
		if (*s == ' ' && --n == 0)
			return s;
	return NULL;
}

void tc_name_split(const char *full, struct tc_arena *a, const char **family,
                   const char **given)
{
	const char *cut;
	size_t best = 1; /* words of the family name */

	if (full == NULL)
		full = "";
	for (size_t i = 0; i < TC_ARRAY_LEN(compound_family_names); i++) {
		const char *name = compound_family_names[i];
		size_t words = 1;
		for (const char *q = name; *q; q++)
			words += *q == ' ';
		if (words <= best)
			continue;
		/* the compound needs a given name after it */
		cut = nth_space(full, words);
		if (cut == NULL)
			continue;
		const char *key =
		        tc_name_key(tc_arena_strndup(a, full, (size_t)(cut - full)), a);
		if (key && strcmp(key, name) == 0)
			best = words;
	}
	cut = nth_space(full, best);
	if (cut == NULL) {
		*family = tc_arena_strdup(a, full);
		*given = tc_arena_strdup(a, "");
		return;
	}
	*family = tc_arena_strndup(a, full, (size_t)(cut - full));
	*given = tc_arena_strdup(a, cut + 1);
}
