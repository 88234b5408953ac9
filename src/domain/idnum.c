#include "idnum.h"

#include <string.h>

#include "../core/arena.h"
#include "../core/util.h"
#include "names.h"

static const char *const idtype_names[] = {
	[TC_IDT_NONE] = "none",
	[TC_IDT_CCCD] = "cccd",
	[TC_IDT_CMND] = "cmnd",
	[TC_IDT_PASSPORT] = "passport",
};
/* As a clerk reads them in a message. */
static const char *const idtype_titles[] = {
	[TC_IDT_NONE] = "document",
	[TC_IDT_CCCD] = "CCCD",
	[TC_IDT_CMND] = "CMND",
	[TC_IDT_PASSPORT] = "passport",
};

/* Mobile prefixes after the 2018 renumbering: the first two digits of the
 * nine after the 0. */
static const char *const mobile_prefixes[] = {
	"32", "33", "34", "35", "36", "37", "38", "39", /* Viettel */
	"52", "55", "56", "58", "59",                   /* Vietnamobile, Gmobile, ... */
	"70", "76", "77", "78", "79",                   /* MobiFone */
	"81", "82", "83", "84", "85", "86", "87", "88", "89", "90",
	"91", "92", "93", "94", "95", "96", "97", "98", "99",
};

bool tc_idtype_parse(const char *s, enum tc_idtype *out)
{
	for (size_t i = 0; s && i < TC_ARRAY_LEN(idtype_names); i++) {
		if (strcmp(s, idtype_names[i]) == 0) {
			*out = (enum tc_idtype)i;
			return true;
		}
	}
	return false;
}

const char *tc_idtype_name(enum tc_idtype t)
{
	return (unsigned)t <= TC_IDT_PASSPORT ? idtype_names[t] : "?";
}

static bool is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '.' || c == '-';
}

/* Counts the characters of s that are not separators, and whether they are
 * all digits. */
static size_t count_kept(const char *s, bool *all_digits)
{
	size_t n = 0;

	*all_digits = true;
	for (; s && *s; s++) {
		if (is_separator(*s))
			continue;
		n++;
		if (*s < '0' || *s > '9')
			*all_digits = false;
	}
	return n;
}

enum tc_idtype tc_idtype_guess(const char *number)
{
	bool digits;
	size_t n = count_kept(number, &digits);

	if (n == 0)
		return TC_IDT_NONE;
	if (digits && n == 12)
		return TC_IDT_CCCD;
	if (digits && n == 9)
		return TC_IDT_CMND;
	return TC_IDT_PASSPORT;
}

bool tc_gender_parse(const char *s, enum tc_gender *out)
{
	if (s && strcmp(s, "male") == 0)
		*out = TC_GENDER_MALE;
	else if (s && strcmp(s, "female") == 0)
		*out = TC_GENDER_FEMALE;
	else
		return false;
	return true;
}

bool tc_gender_parse_loose(const char *s, enum tc_gender *out)
{
	static const char *const male[] = { "nam", "male", "m" };
	static const char *const female[] = { "nu", "female", "f" };
	struct tc_arena a;
	const char *key;
	bool ok = false;

	if (s == NULL || strlen(s) > 32)
		return false;
	tc_arena_init(&a);
	key = tc_name_key(s, &a);
	for (size_t i = 0; key && i < 3 && !ok; i++) {
		if (strcmp(key, male[i]) == 0) {
			*out = TC_GENDER_MALE;
			ok = true;
		} else if (strcmp(key, female[i]) == 0) {
			*out = TC_GENDER_FEMALE;
			ok = true;
		}
	}
	tc_arena_cleanup(&a);
	return ok;
}

const char *tc_gender_name(enum tc_gender g)
{
	switch (g) {
	case TC_GENDER_MALE: return "male";
	case TC_GENDER_FEMALE: return "female";
	default: return NULL;
	}
}

/* The characters of s other than separators, from `a`. */
static char *strip_separators(const char *s, struct tc_arena *a)
{
	char *out = tc_arena_alloc(a, strlen(s) + 1), *o = out;

	for (; *s; s++)
		if (!is_separator(*s))
			*o++ = *s;
	*o = '\0';
	return out;
}

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static const char *gender_word(enum tc_gender g)
{
	return g == TC_GENDER_MALE ? "male" : "female";
}

static tc_err check_cccd(const struct tc_cccd_table *t, const struct tc_person_id *p,
                         const char *num, struct tc_arena *a, unsigned *flags,
                         struct tc_fault *f)
{
	int code, g, yy, century, year;
	enum tc_gender gender;

	if (!all_digits(num))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "id_number",
		                    "a CCCD number holds only digits");
	if (strlen(num) != 12)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "id_number",
		                     "a CCCD number has 12 digits, not %zu", strlen(num));
	code = (num[0] - '0') * 100 + (num[1] - '0') * 10 + (num[2] - '0');
	g = num[3] - '0';
	yy = (num[4] - '0') * 10 + (num[5] - '0');
	if (code == 0 || (code <= 96 && !t->province[code]))
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "id_number",
		                     "%.3s is not a province code", num);
	if (code > 96)
		*flags |= TC_IDFLAG_BORN_ABROAD;
	century = 1900 + 100 * (g / 2);
	/* A number issued today cannot say its holder was born after 2099. */
	if (century > 2000)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "id_number",
		                     "the 4th digit of a CCCD number (%d) stands for a "
		                     "birth in %d-%d",
		                     g, century, century + 99);
	gender = g % 2 == 0 ? TC_GENDER_MALE : TC_GENDER_FEMALE;
	if (p->gender != TC_GENDER_UNKNOWN && p->gender != gender)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "gender",
		                     "the 4th digit of a CCCD number says %s, but gender "
		                     "is %s",
		                     gender_word(gender), gender_word(p->gender));
	year = century + yy;
	if (p->birth_year != 0 &&
	    (p->birth_year < century || p->birth_year > century + 99))
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "birth_date",
		                     "the 4th digit of the CCCD number (%d) says born in "
		                     "%d-%d, but the birth year is %d",
		                     g, century, century + 99, p->birth_year);
	if (p->birth_year != 0 && p->birth_year != year)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "birth_date",
		                     "digits 5-6 of the CCCD number (%02d) do not match "
		                     "the birth year %d",
		                     yy, p->birth_year);
	return TC_ERR_OK;
}

static tc_err check_cmnd(const char *num, struct tc_arena *a, struct tc_fault *f)
{
	if (!all_digits(num))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "id_number",
		                    "a CMND number holds only digits");
	if (strlen(num) != 9 && strlen(num) != 12)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "id_number",
		                     "a CMND number has 9 digits (or 12), not %zu",
		                     strlen(num));
	return TC_ERR_OK;
}

static tc_err check_passport(const struct tc_person_id *p, char *num, struct tc_fault *f)
{
	size_t n = strlen(num);

	for (char *c = num; *c; c++) {
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
		else if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
			return tc_fault_set(
			        f, TC_ERR_INVALID_FIELD, "id_number",
			        "a passport number holds only letters and digits");
	}
	if (n < 6 || n > 20)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "id_number",
		                    "a passport number has 6 to 20 letters and digits");
	if (p->nationality == NULL || *p->nationality == '\0')
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "nationality",
		                    "a passport needs the holder's nationality");
	if (!tc_country_code_ok(p->nationality))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "nationality",
		                    "a nationality is a code of two capital letters (ISO "
		                    "3166), such as KR");
	if (strcmp(p->nationality, "VN") == 0)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "nationality",
		                    "a Vietnamese citizen identifies with a CCCD or CMND "
		                    "number, not a passport");
	return TC_ERR_OK;
}

tc_err tc_idnum_check(const struct tc_cccd_table *t, const struct tc_person_id *p,
                      struct tc_arena *a, const char **norm, unsigned *flags,
                      struct tc_fault *f)
{
	char *num = NULL;
	tc_err rc;

	*norm = NULL;
	*flags = 0;
	if ((unsigned)p->type > TC_IDT_PASSPORT)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "id_type",
		                    "the document type is cccd, cmnd, passport or none");
	if (p->number)
		num = strip_separators(p->number, a);
	if (p->type == TC_IDT_NONE) {
		if (num && *num)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "id_number",
			                    "a person without a document has no number");
		*flags = TC_IDFLAG_NO_DOCUMENT;
		return TC_ERR_OK;
	}
	if (num == NULL || *num == '\0')
		return tc_fault_setf(f, a, TC_ERR_MISSING_FIELD, "id_number",
		                     "a %s needs its number", idtype_titles[p->type]);
	switch (p->type) {
	case TC_IDT_CCCD: rc = check_cccd(t, p, num, a, flags, f); break;
	case TC_IDT_CMND: rc = check_cmnd(num, a, f); break;
	default: rc = check_passport(p, num, f); break;
	}
	if (rc == TC_ERR_OK)
		*norm = num;
	else
		*flags = 0;
	return rc;
}

tc_err tc_phone_normalize(const char *s, char out[TC_PHONE_LEN], struct tc_fault *f)
{
	char digits[16];
	size_t n = 0;
	const char *nsn; /* the nine digits after 0 or 84 */

	out[0] = '\0';
	if (s == NULL)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "phone",
		                    "a phone number is required");
	if (*s == '+') {
		if (s[1] != '8' || s[2] != '4')
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "phone",
			                    "only Vietnamese numbers (+84) are accepted");
		s++;
	}
	for (; *s; s++) {
		if (is_separator(*s) && *s != '\t')
			continue;
		if (*s < '0' || *s > '9')
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "phone",
			                    "a phone number holds only digits");
		if (n == sizeof(digits) - 1)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "phone",
			                    "a mobile number has 10 digits");
		digits[n++] = *s;
	}
	digits[n] = '\0';
	if (n == 0)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "phone",
		                    "a phone number is required");
	if (n == 10 && digits[0] == '0')
		nsn = digits + 1;
	else if (n == 11 && digits[0] == '8' && digits[1] == '4')
		nsn = digits + 2;
	else
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "phone",
		                    "a mobile number has 10 digits, starting with 0");
	for (size_t i = 0; i < TC_ARRAY_LEN(mobile_prefixes); i++) {
		if (memcmp(nsn, mobile_prefixes[i], 2) == 0) {
			memcpy(out, "+84", 3);
			memcpy(out + 3, nsn, 10); /* nine digits and the NUL */
			return TC_ERR_OK;
		}
	}
	return tc_fault_set(f, TC_ERR_INVALID_FIELD, "phone",
	                    "not a mobile number: mobile numbers start with 03, 05, 07, "
	                    "08 or 09");
}

bool tc_country_code_ok(const char *s)
{
	return s && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
	       s[2] == '\0';
}
