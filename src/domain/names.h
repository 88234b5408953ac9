/* Names of people: cleaning, accent-insensitive keys, and the split into
 * family and given names. Pure rules on UTF-8 text (utf8proc). */
#ifndef TC_NAMES_H
#define TC_NAMES_H

#include "../core/err.h"

struct tc_arena;

/* Valid UTF-8 text in NFC with surrounding spaces trimmed and inner runs
 * of white space collapsed to one space, from `a`; NULL when the input
 * is not valid UTF-8 or holds control characters. White space means
 * Unicode's: tab and line breaks as well as no-break and ideographic
 * spaces become one ' ' (they are not refused as control characters). */
const char *tc_text_clean(const char *s, struct tc_arena *a);

/* The key names are matched by: decomposed, combining marks removed,
 * đ/Đ mapped to d, lower case, one space between words. "  Nguyễn  Văn
 * A " and "nguyen van a" have the same key; "dang" is the key of "Đặng".
 * From `a`; NULL where tc_text_clean gives NULL. */
const char *tc_name_key(const char *s, struct tc_arena *a);

/* Case folded, cleaned and in NFC, but with its accents: "NGUYỄN  VĂN
 * Hùng" and "Nguyễn Văn Hùng" fold alike, "Hưng" does not. For telling
 * whether two records name the same person; NULL as tc_text_clean. */
const char *tc_name_fold(const char *s, struct tc_arena *a);

/* Checks a cleaned full name: 1..200 characters (code points), letters
 * (any script, with their combining marks), spaces and . ' - only, at
 * least one letter. `field` names it in the fault ("full_name",
 * "family_name", ...): MISSING_FIELD for NULL, INVALID_FIELD otherwise. */
tc_err tc_name_check(const char *name, const char *field, struct tc_fault *f);

/* Splits a cleaned full name at the first word, recognising compound
 * family names (Tôn Nữ, Tôn Thất, Công Tôn, Âu Dương, Tư Mã, Gia Cát,
 * Thượng Quan, Hoàng Phủ, Đông Phương, Phí Mạc, ... by their keys). A
 * one-word name is all family name and an empty given name. A compound
 * counts only when a word follows it ("Tôn Nữ" alone is family "Tôn",
 * given "Nữ"). Both from `a`. */
void tc_name_split(const char *full, struct tc_arena *a, const char **family,
                   const char **given);

#endif
