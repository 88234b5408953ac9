#include "citizens.h"

#include <string.h>

#include "../core/arena.h"
#include "../core/tctime.h"
#include "../crypto/secret.h"
#include "../domain/birthdate.h"
#include "../domain/idnum.h"
#include "../domain/names.h"
#include "records.h"

/* CCCD cards are issued from the age of 14: younger people may have no
 * document yet (stored and flagged); older ones must show one. */
#define DOCUMENT_AGE 14
#define ADULT_AGE 18

static tc_err clean_name(const char *s, const char *field, struct tc_arena *a,
                         const char **out, struct tc_fault *f)
{
	const char *c = tc_text_clean(s, a);

	if (c == NULL)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
		                    "must be UTF-8 text without control characters");
	*out = c;
	return tc_name_check(c, field, f);
}

static tc_err prepare_place(const struct tc_citizen_in *in, const struct tc_units *units,
                            struct tc_citizen *out, struct tc_fault *f)
{
	const struct tc_unit *u;

	if (in->commune_code == NULL || !*in->commune_code)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "commune_code",
		                    "the commune (or ward) where the person lives is required");
	u = tc_units_get(units, in->commune_code);
	if (u == NULL)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "commune_code",
		                    "no commune has that code");
	/* five island districts have no communes: the district stands in */
	if (strcmp(u->level, "commune") != 0 &&
	    !(strcmp(u->level, "district") == 0 && tc_units_nchildren(units, u->code) == 0))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "commune_code",
		                    "give the code of a commune or ward (5 digits), not of a "
		                    "province or district");
	out->commune_code = u->code;
	out->scope_path = u->path;
	return TC_ERR_OK;
}

static tc_err prepare_birth(const struct tc_citizen_in *in, int64_t today,
                            struct tc_arena *a, struct tc_citizen *out,
                            struct tc_bdate *bd, struct tc_fault *f)
{
	char text[TC_BDATE_TEXT_LEN];
	bool ok;

	if (in->birth_date == NULL || !*in->birth_date)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "birth_date",
		                    "the date of birth is required (a year alone will do)");
	ok = in->loose ? tc_bdate_parse_loose(in->birth_date, true, bd)
	               : tc_bdate_parse_iso(in->birth_date, bd);
	/* written like a date, but no such day (30/02, month 13) */
	if (!ok && strspn(in->birth_date, "0123456789/-.") == strlen(in->birth_date) &&
	    strpbrk(in->birth_date, "/-.") != NULL)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "birth_date",
		                    "not a real date: check the day and the month");
	if (!ok)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "birth_date",
		                    in->loose ? "not a date: write dd/mm/yyyy, mm/yyyy or yyyy"
		                              : "not a date: write YYYY-MM-DD, YYYY-MM or YYYY");
	tc_err rc = tc_bdate_check(bd, today, "birth_date", f);
	if (rc != TC_ERR_OK)
		return rc;
	tc_bdate_format(bd, text);
	out->birth_date = tc_arena_strdup(a, text);
	out->birth_year = bd->year;
	return TC_ERR_OK;
}

static tc_err prepare_names(const struct tc_citizen_in *in, struct tc_arena *a,
                            struct tc_citizen *out, struct tc_fault *f)
{
	tc_err rc;

	if (in->full_name == NULL || !*in->full_name)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "full_name", "the full name is required");
	rc = clean_name(in->full_name, "full_name", a, &out->full_name, f);
	if (rc != TC_ERR_OK)
		return rc;
	if ((in->family_name != NULL) != (in->given_name != NULL))
		return tc_fault_set(f, TC_ERR_MISSING_FIELD,
		                    in->family_name ? "given_name" : "family_name",
		                    "give both family_name and given_name, or neither");
	if (in->family_name) {
		rc = clean_name(in->family_name, "family_name", a, &out->family_name, f);
		if (rc != TC_ERR_OK)
			return rc;
		out->given_name = tc_text_clean(in->given_name, a);
		if (out->given_name == NULL)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "given_name",
			                    "must be UTF-8 text without control characters");
		if (*out->given_name &&
		    (rc = tc_name_check(out->given_name, "given_name", f)) != TC_ERR_OK)
			return rc;
	} else {
		tc_name_split(out->full_name, a, &out->family_name, &out->given_name);
	}
	out->name_key = tc_name_key(out->full_name, a);
	/* the word a person is called by: Hằng in Đặng Thị Hằng */
	const char *last = strrchr(out->name_key, ' ');
	out->last_word_key = last ? last + 1 : out->name_key;
	return TC_ERR_OK;
}

static void add_flag(struct tc_arena *a, const char **flags, const char *flag)
{
	*flags = **flags ? tc_arena_printf(a, "%s,%s", *flags, flag) : flag;
}

tc_err tc_citizen_prepare(const struct tc_citizen_in *in, const struct tc_units *units,
                          int64_t today, struct tc_arena *a, struct tc_citizen *out,
                          struct tc_fault *f)
{
	const struct tc_cccd_table *cccd = tc_units_cccd(units);
	struct tc_person_id pid = {0};
	enum tc_gender gender;
	struct tc_bdate bd;
	unsigned flags = 0;
	const char *number;
	char phone[TC_PHONE_LEN];
	tc_err rc;
	int age;

	memset(out, 0, sizeof(*out));
	out->flags = "";
	if (units == NULL || cccd == NULL)
		return tc_fault_internal(f, TC_ERR_DB, "administrative units are not loaded");
	if ((rc = prepare_names(in, a, out, f)) != TC_ERR_OK ||
	    (rc = prepare_birth(in, today, a, out, &bd, f)) != TC_ERR_OK)
		return rc;
	if (in->gender == NULL || !*in->gender)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "gender",
		                    in->loose ? "gender is required (Nam or Nữ)"
		                              : "gender is required (male or female)");
	if (!(in->loose ? tc_gender_parse_loose(in->gender, &gender)
	                : tc_gender_parse(in->gender, &gender)))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "gender",
		                    in->loose ? "gender must be Nam or Nữ (male or female)"
		                              : "gender must be male or female");
	out->gender = tc_gender_name(gender);

	/* the document */
	out->nationality = in->nationality && *in->nationality ? in->nationality : "VN";
	if (!tc_country_code_ok(out->nationality))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "nationality",
		                    "nationality must be an ISO 3166 two-letter code such as VN");
	number = in->id_number && *in->id_number ? in->id_number : NULL;
	if (in->id_type && *in->id_type) {
		if (!tc_idtype_parse(in->id_type, &pid.type))
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "id_type",
			                    "id_type must be cccd, cmnd, passport or none");
	} else {
		pid.type = number ? tc_idtype_guess(number) : TC_IDT_NONE;
	}
	pid.number = number;
	pid.nationality = out->nationality;
	pid.gender = gender;
	pid.birth_year = bd.year;
	rc = tc_idnum_check(cccd, &pid, a, &out->id_number, &flags, f);
	if (rc != TC_ERR_OK)
		return rc;
	out->id_type = tc_idtype_name(pid.type);
	age = tc_bdate_age_on(&bd, today);
	if (pid.type == TC_IDT_NONE && age >= DOCUMENT_AGE) {
		if (!in->from_dose_record)
			return tc_fault_set(f, TC_ERR_MISSING_FIELD, "id_number",
			                    "a person aged 14 or more needs a document number "
			                    "(CCCD, CMND or passport)");
		add_flag(a, &out->flags, "identity_incomplete");
	}
	if (flags & TC_IDFLAG_BORN_ABROAD)
		add_flag(a, &out->flags, "born_abroad");
	if (flags & TC_IDFLAG_NO_DOCUMENT)
		add_flag(a, &out->flags, "no_document");

	if (in->phone && *in->phone) {
		if ((rc = tc_phone_normalize(in->phone, phone, f)) != TC_ERR_OK)
			return rc;
		out->phone = tc_arena_strdup(a, phone);
	}
	if ((rc = prepare_place(in, units, out, f)) != TC_ERR_OK)
		return rc;
	if (in->address && *in->address) {
		out->address = tc_text_clean(in->address, a);
		if (out->address == NULL)
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "address",
			                    "must be UTF-8 text without control characters");
	}
	if (in->priority_group < 0 || in->priority_group > TC_PRIORITY_GROUPS)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "priority_group",
		                    "priority_group must be one of the Government's groups 1..16");
	out->priority_group = in->priority_group;
	out->guardian_id = in->guardian_id;
	if (age < ADULT_AGE && in->guardian_id == 0)
		add_flag(a, &out->flags, "minor_without_guardian");
	return TC_ERR_OK;
}

const char *tc_citizen_doc_key(const struct tc_citizen *ct, struct tc_arena *a)
{
	if (ct->id_number == NULL || strcmp(ct->id_type, "none") == 0)
		return NULL;
	if (strcmp(ct->id_type, "passport") == 0)
		return tc_arena_printf(a, "passport:%s:%s", ct->nationality, ct->id_number);
	return tc_arena_printf(a, "%s:%s", ct->id_type, ct->id_number);
}

tc_err tc_citizen_check_guardian(struct tc_dbc *c, const struct tc_citizen *ct,
                                 struct tc_arena *a, struct tc_fault *f)
{
	struct tc_citizen g;
	struct tc_bdate bd;
	enum tc_qs qs;

	if (ct->guardian_id == 0)
		return TC_ERR_OK;
	if (ct->guardian_id == ct->id)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "guardian_id",
		                    "a person cannot be their own guardian");
	qs = tc_q_citizen_get(c, ct->guardian_id, a, &g);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "guardian_id",
		                    "no citizen has that id");
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (tc_bdate_parse_iso(g.birth_date, &bd) &&
	    tc_bdate_age_on(&bd, tc_vn_day(tc_now_us())) < ADULT_AGE)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "guardian_id",
		                    "the guardian must be an adult (18 or older)");
	return TC_ERR_OK;
}

tc_err tc_citizen_insert(struct tc_dbc *c, const struct tc_actor *actor,
                         struct tc_citizen *ct, struct tc_arena *a, int64_t *existing,
                         bool *dups, struct tc_fault *f)
{
	tc_err rc = tc_citizen_store(c, ct, a, existing, dups, f);

	if (rc != TC_ERR_OK)
		return rc;
	return tc_audit_record(c, actor, "create", "citizen",
	                       tc_arena_printf(a, "%lld", (long long)ct->id), ct->scope_path,
	                       NULL, tc_citizen_json(ct, a), f);
}

tc_err tc_citizen_store(struct tc_dbc *c, struct tc_citizen *ct, struct tc_arena *a,
                        int64_t *existing, bool *dups, struct tc_fault *f)
{
	const char *doc = tc_citizen_doc_key(ct, a);
	char token[TC_TOKEN_LEN + 1];
	int64_t found = 0;
	enum tc_qs qs;
	tc_err rc;

	*existing = 0;
	*dups = false;
	ct->id = tc_db_next_id(c);
	tc_token_new(token);
	ct->qr_token = tc_arena_strdup(a, token);
	ct->version = 1;
	if (doc) {
		qs = tc_q_document_claim(c, doc, ct->id);
		if (qs == TC_QS_CONFLICT) {
			qs = tc_q_document_owner(c, doc, existing);
			if (qs < 0)
				return tc_qs_err(qs, f);
			tc_fault_set(f, TC_ERR_CONFLICT, "id_number",
			             "a citizen with that document number is already on file");
			f->existing_id = *existing;
			return TC_ERR_CONFLICT;
		}
		if (qs < 0)
			return tc_qs_err(qs, f);
	}
	if ((rc = tc_citizen_check_guardian(c, ct, a, f)) != TC_ERR_OK)
		return rc;
	qs = tc_q_citizen_insert(c, ct);
	if (qs == TC_QS_CONFLICT) /* an id drawn twice: two writers share a node id */
		return tc_fault_internal(f, TC_ERR_DB, "a citizen id was drawn twice");
	if (qs < 0)
		return tc_qs_err(qs, f);
	qs = tc_q_duplicates_find(c, ct, ct->created_at, &found);
	if (qs < 0)
		return tc_qs_err(qs, f);
	*dups = found > 0;
	return TC_ERR_OK;
}

static void jw_flags(struct tc_jw *w, const char *flags)
{
	const char *p = flags ? flags : "";
	char one[64];

	tc_jw_arr(w);
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n > 0 && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			tc_jw_str(w, one);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	tc_jw_end(w);
}

void tc_jw_citizen(struct tc_jw *w, const struct tc_citizen *ct)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", ct->id);
	tc_jw_kstr(w, "id_type", ct->id_type);
	tc_jw_kstr(w, "id_number", ct->id_number);
	tc_jw_kstr(w, "full_name", ct->full_name);
	tc_jw_kstr(w, "family_name", ct->family_name);
	tc_jw_kstr(w, "given_name", ct->given_name);
	tc_jw_kstr(w, "birth_date", ct->birth_date);
	tc_jw_kstr(w, "gender", ct->gender);
	tc_jw_kstr(w, "phone", ct->phone);
	tc_jw_kstr(w, "commune_code", ct->commune_code);
	tc_jw_kstr(w, "address", ct->address);
	tc_jw_kstr(w, "nationality", ct->nationality);
	tc_jw_key(w, "priority_group");
	if (ct->priority_group)
		tc_jw_int(w, ct->priority_group);
	else
		tc_jw_null(w);
	tc_jw_key(w, "guardian_id");
	if (ct->guardian_id)
		tc_jw_int(w, ct->guardian_id);
	else
		tc_jw_null(w);
	tc_jw_kstr(w, "verification", ct->verification ? ct->verification : "unverified");
	tc_jw_key(w, "flags");
	jw_flags(w, ct->flags);
	tc_jw_kstr(w, "source", ct->source);
	tc_jw_kint(w, "version", ct->version);
	tc_jw_key(w, "created_at");
	tc_jw_time(w, ct->created_at);
	tc_jw_key(w, "updated_at");
	tc_jw_time(w, ct->updated_at);
	tc_jw_end(w);
}

const char *tc_citizen_json(const struct tc_citizen *ct, struct tc_arena *a)
{
	struct tc_buf b;
	struct tc_jw w;
	const char *s;

	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_citizen(&w, ct);
	s = tc_arena_strndup(a, b.data, b.len);
	tc_buf_cleanup(&b);
	return s;
}
