/* The QR code on a chip CCCD card: fields separated by '|':
 *   CCCD number | old CMND (may be empty) | full name | birth date
 *   ddmmyyyy | gender (Nam / Nữ) | permanent address | issue date ddmmyyyy
 * A de-facto format (described by third-party readers, not by a legal
 * text), so the parser is strict about what it uses and tolerant of the
 * rest. Pure rules. */
#ifndef TC_CARDQR_H
#define TC_CARDQR_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/err.h"
#include "birthdate.h"
#include "idnum.h"

struct tc_arena;

struct tc_cardqr {
	const char *cccd;      /* 12 digits */
	const char *cmnd;      /* 9 or 12 digits, or NULL */
	const char *full_name; /* cleaned (NFC, single spaces) */
	struct tc_bdate birth; /* a full date */
	enum tc_gender gender; /* UNKNOWN when the field is unreadable */
	const char *address;   /* cleaned, or NULL */
	struct tc_bdate issued;
	bool has_issued;
};

/* Whether text looks like a card's QR at all (a '|' after 12 digits):
 * check-in uses this to tell it from a personal QR token or a typed
 * number. */
bool tc_cardqr_looks_like(const char *text, size_t len);

/* Parses the text (len bytes; need not be NUL-terminated). Strings come
 * from `a`. Trailing white space, a final '|' and extra fields after the
 * seventh are tolerated; a missing or malformed CCCD number, name or
 * birth date is INVALID_FIELD with field "qr" and a reason naming the
 * card field. */
tc_err tc_cardqr_parse(const char *text, size_t len, struct tc_arena *a,
                       struct tc_cardqr *out, struct tc_fault *f);

#endif
