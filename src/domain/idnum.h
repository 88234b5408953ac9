/* Identity documents, gender and phone numbers: pure rules, no I/O.
 *
 * The 12-digit personal identification number (also the CCCD card
 * number, given at birth registration, so children have one) reads
 * PPP G YY RRRRRR: PPP the province where the birth was registered (or a
 * country code above 096 for a birth registered abroad), G the century
 * and gender (0/1: 1900s male/female, 2/3: 2000s, ...), YY the last two
 * digits of the birth year, then six random digits (no checksum). An old
 * CMND is 9 digits. Foreigners identify with a passport number and their
 * nationality. The table of province codes comes from data (the units
 * loaded from data/vn-admin/provinces.csv), never from C literals. */
#ifndef TC_IDNUM_H
#define TC_IDNUM_H

#include <stdbool.h>

#include "../core/err.h"

struct tc_arena;

enum tc_idtype { TC_IDT_NONE, TC_IDT_CCCD, TC_IDT_CMND, TC_IDT_PASSPORT };

/* "cccd", "cmnd", "passport", "none". */
bool tc_idtype_parse(const char *s, enum tc_idtype *out);
const char *tc_idtype_name(enum tc_idtype t);
/* How an import without a document-type column reads a number: 12 digits
 * a CCCD, 9 digits a CMND, anything else a passport; spaces, dots and
 * dashes are not counted, and no number at all (NULL or empty) is
 * TC_IDT_NONE. */
enum tc_idtype tc_idtype_guess(const char *number);

enum tc_gender { TC_GENDER_UNKNOWN, TC_GENDER_MALE, TC_GENDER_FEMALE };

/* The API's spelling: "male", "female". */
bool tc_gender_parse(const char *s, enum tc_gender *out);
/* What people type and cards print as well: "Nam", "Nữ", "nu", "NỮ",
 * "male", "female", "M", "F" (case and accents ignored). */
bool tc_gender_parse_loose(const char *s, enum tc_gender *out);
const char *tc_gender_name(enum tc_gender g); /* "male", "female", NULL */

/* Which three-digit codes 001..096 are provinces. */
struct tc_cccd_table {
	bool province[97];
};

/* What the document rules look at. */
struct tc_person_id {
	enum tc_idtype type;
	const char *number;      /* as given (may hold spaces); NULL for none */
	const char *nationality; /* ISO 3166 alpha-2, upper case */
	enum tc_gender gender;   /* UNKNOWN: not checked against the number */
	int birth_year;          /* 0: not checked against the number */
};

enum {
	/* a CCCD whose code is above 096: a birth registered abroad, accepted
	 * and flagged for verification against the register */
	TC_IDFLAG_BORN_ABROAD = 1u << 0,
	/* no document (a young child): stored and flagged, never refused */
	TC_IDFLAG_NO_DOCUMENT = 1u << 1,
};

/* Checks a document and writes its normalised number into *norm (from
 * `a`: digits only for CCCD/CMND, upper-case letters and digits for a
 * passport; NULL for none) and flags into *flags. A failure fills `f`
 * with INVALID_FIELD (or MISSING_FIELD), the field ("id_number",
 * "id_type", "gender", "birth_date", "nationality") and a reason a clerk
 * understands, and returns its code. Rules:
 *   cccd: 12 digits (spaces, dots and dashes between them are dropped);
 *         code 000 refused; 001..096 must be a listed province; G above
 *         3 (a birth after 2099) refused; G must agree with the gender
 *         (field "gender") and the birth year's century, YY with the
 *         birth year (field "birth_date"), when those are known;
 *   cmnd: 9 digits, or 12 (the 12-digit CMND of 2012-2016);
 *   passport: 6..20 letters and digits, nationality other than VN;
 *   none: no number (flagged TC_IDFLAG_NO_DOCUMENT). */
tc_err tc_idnum_check(const struct tc_cccd_table *t, const struct tc_person_id *p,
                      struct tc_arena *a, const char **norm, unsigned *flags,
                      struct tc_fault *f);

/* Normalises a Vietnamese mobile number written 0xxxxxxxxx, 84xxxxxxxxx
 * or +84xxxxxxxxx (spaces, dots and dashes ignored) to "+84xxxxxxxxx"
 * in out[TC_PHONE_LEN]. Mobile prefixes after the 2018 renumbering: 03,
 * 05, 07, 08, 09. Fills `f` (field "phone") otherwise. */
#define TC_PHONE_LEN 13
tc_err tc_phone_normalize(const char *s, char out[TC_PHONE_LEN], struct tc_fault *f);

/* ISO 3166-1 alpha-2 shape: two upper-case ASCII letters. */
bool tc_country_code_ok(const char *s);

#endif
