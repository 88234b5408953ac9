#include "cardqr.h"

#include <string.h>

#include "../core/arena.h"
#include "names.h"

enum { F_CCCD, F_CMND, F_NAME, F_BIRTH, F_GENDER, F_ADDRESS, F_ISSUED, F__COUNT };

struct span {
	const char *s;
	size_t n;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool all_digits(struct span v, size_t n)
{
	if (v.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (v.s[i] < '0' || v.s[i] > '9')
			return false;
	return true;
}

/* The field without surrounding white space, as a string from `a`. */
static char *field_text(struct span v, struct tc_arena *a)
{
	while (v.n > 0 && is_space(v.s[0])) {
		v.s++;
		v.n--;
	}
	while (v.n > 0 && is_space(v.s[v.n - 1]))
		v.n--;
	return tc_arena_strndup(a, v.s, v.n);
}

static bool full_date(const char *s, struct tc_bdate *out)
{
	return tc_bdate_parse_loose(s, false, out) && out->prec == TC_DATE_DAY;
}

bool tc_cardqr_looks_like(const char *text, size_t len)
{
	return len > 12 && all_digits((struct span){ text, 12 }, 12) && text[12] == '|';
}

tc_err tc_cardqr_parse(const char *text, size_t len, struct tc_arena *a,
                       struct tc_cardqr *out, struct tc_fault *f)
{
	struct span fld[F__COUNT] = { { NULL, 0 } };
	size_t nf = 0;
	const char *p, *end = text ? text + len : NULL;
	char *s;

	memset(out, 0, sizeof(*out));
	if (text == NULL) {
		text = "";
		end = text;
		len = 0;
	}
	if (len > 0 && memchr(text, '\0', len))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "qr",
		                    "the QR text holds a NUL byte");
	while (end > text && is_space(end[-1]))
		end--;
	if (end > text && end[-1] == '|')
		end--;
	for (p = text; nf < F__COUNT; nf++) {
		const char *bar = memchr(p, '|', (size_t)(end - p));
		fld[nf] = (struct span){ p, (size_t)((bar ? bar : end) - p) };
		if (bar == NULL) {
			nf++;
			break;
		}
		p = bar + 1;
	}
	if (nf <= F_BIRTH)
		return tc_fault_setf(
		        f, a, TC_ERR_INVALID_FIELD, "qr",
		        "a card's QR has at least 4 fields separated by '|' "
		        "(CCCD number, old CMND number, name, birth date); this "
		        "one has %zu",
		        nf);

	s = field_text(fld[F_CCCD], a);
	if (*s == '\0')
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "qr",
		                    "the card's QR has no CCCD number");
	if (!all_digits((struct span){ s, strlen(s) }, 12))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "qr",
		                    "the CCCD number on the card's QR is not 12 digits");
	out->cccd = s;

	s = field_text(fld[F_CMND], a);
	if (all_digits((struct span){ s, strlen(s) }, 9) ||
	    all_digits((struct span){ s, strlen(s) }, 12))
		out->cmnd = s;

	out->full_name = tc_text_clean(field_text(fld[F_NAME], a), a);
	if (out->full_name == NULL)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "qr",
		                    "the name on the card's QR is not valid text");
	if (*out->full_name == '\0')
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "qr",
		                    "the card's QR has no name");

	if (!full_date(field_text(fld[F_BIRTH], a), &out->birth))
		return tc_fault_set(
		        f, TC_ERR_INVALID_FIELD, "qr",
		        "the birth date on the card's QR is not a date ddmmyyyy");

	/* What follows is not needed to find a person: read what can be read. */
	if (nf <= F_GENDER ||
	    !tc_gender_parse_loose(field_text(fld[F_GENDER], a), &out->gender))
		out->gender = TC_GENDER_UNKNOWN;
	if (nf > F_ADDRESS) {
		out->address = tc_text_clean(field_text(fld[F_ADDRESS], a), a);
		if (out->address && *out->address == '\0')
			out->address = NULL;
	}
	if (nf > F_ISSUED)
		out->has_issued = full_date(field_text(fld[F_ISSUED], a), &out->issued);
	if (!out->has_issued)
		memset(&out->issued, 0, sizeof(out->issued));
	return TC_ERR_OK;
}
