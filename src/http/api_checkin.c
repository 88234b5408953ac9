/* POST /api/v1/checkin {"qr": TEXT}: who is this? The text is a personal
 * QR token, the QR of a chip CCCD card, or a typed ID number. A POST, so
 * nothing personal lands in a URL or an access log. The person is looked
 * up on a read connection; the answer waits until the audit entry of the
 * lookup is durable. */
#include <ctype.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "../core/tctime.h"
#include "../crypto/secret.h"
#include "../db/citizens.h"
#include "../db/records.h"
#include "../db/visits.h"
#include "../domain/birthdate.h"
#include "../domain/cardqr.h"
#include "../domain/names.h"
#include "api.h"

enum how { BY_TOKEN, BY_CARD, BY_NUMBER };

struct checkin {
	struct tc_actor actor;
	struct tc_arena *a;
	enum how how;
	const char *token;
	const char *keys[2]; /* document keys to try, in order */
	struct tc_cardqr card;
	struct tc_citizen ct;
	bool found;
	struct tc_registration reg; /* the open registration, if any */
	bool has_reg;
	struct tc_dose *doses; /* the person's history */
	size_t ndoses;
	char today[11];
};

struct checkin_body {
	const char *qr;
};

static const struct tc_jfield spec[] = {
	TC_JSTR(struct checkin_body, qr, TC_JF_REQUIRED, 1, 2000),
	TC_JEND,
};

static const char *how_name(enum how h)
{
	return h == BY_TOKEN ? "personal_qr" : h == BY_CARD ? "cccd_card" : "id_number";
}

/* Who is it? On a read connection, in the libmicrohttpd thread: the
 * single writer only records that the person was looked up. */
static tc_err look_up(struct tc_dbc *c, struct checkin *ck, struct tc_fault *f)
{
	enum tc_qs qs = TC_QS_NONE;
	int64_t id = 0;

	ck->found = false;
	if (ck->how == BY_TOKEN) {
		qs = tc_q_citizen_by_qr(c, ck->token, ck->a, &ck->ct);
	} else {
		for (int i = 0; i < 2 && ck->keys[i] && id == 0; i++) {
			qs = tc_q_document_owner(c, ck->keys[i], &id);
			if (qs < 0)
				return tc_qs_err(qs, f);
		}
		if (id)
			qs = tc_q_citizen_get(c, id, ck->a, &ck->ct);
	}
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE)
		return TC_ERR_OK;
	ck->found = true;
	ck->has_reg = false;
	id = 0;
	qs = tc_q_registration_open_for(c, ck->ct.id, &id);
	if (qs == TC_QS_ONE && id)
		qs = tc_q_registration_get(c, id, ck->a, &ck->reg);
	if (qs < 0)
		return tc_qs_err(qs, f);
	ck->has_reg = qs == TC_QS_ONE && id != 0;
	qs = tc_q_doses_of(c, ck->ct.id, ck->a, &ck->doses, &ck->ndoses);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

/* The read is answered only once its audit entry is durable. */
static tc_err audit_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct checkin *ck = cls;
	return tc_audit_record(c, &ck->actor, "checkin_lookup", "citizen",
	                       tc_arena_printf(ck->a, "%lld", (long long)ck->ct.id),
	                       ck->ct.scope_path, NULL,
	                       tc_arena_printf(ck->a, "{\"by\":\"%s\"}", how_name(ck->how)), f);
}

/* Where the card and the record disagree: worth a look by the cleaning
 * worklists, never a reason to turn the person away. */
static void jw_differences(struct tc_jw *w, const struct checkin *ck)
{
	char bd[TC_BDATE_TEXT_LEN];

	tc_jw_key(w, "differences");
	tc_jw_arr(w);
	if (strcmp(tc_name_key(ck->card.full_name, ck->a), ck->ct.name_key) != 0)
		tc_jw_str(w, "full_name");
	tc_bdate_format(&ck->card.birth, bd);
	if (strcmp(bd, ck->ct.birth_date) != 0)
		tc_jw_str(w, "birth_date");
	if (ck->card.gender != TC_GENDER_UNKNOWN && ck->ct.gender &&
	    strcmp(tc_gender_name(ck->card.gender), ck->ct.gender) != 0)
		tc_jw_str(w, "gender");
	tc_jw_end(w);
}

static void jw_card(struct tc_jw *w, const struct tc_cardqr *card)
{
	char bd[TC_BDATE_TEXT_LEN];

	tc_bdate_format(&card->birth, bd);
	tc_jw_obj(w);
	tc_jw_kstr(w, "id_type", "cccd");
	tc_jw_kstr(w, "id_number", card->cccd);
	tc_jw_kstr(w, "old_id_number", card->cmnd);
	tc_jw_kstr(w, "full_name", card->full_name);
	tc_jw_kstr(w, "birth_date", bd);
	tc_jw_kstr(w, "gender", tc_gender_name(card->gender));
	tc_jw_kstr(w, "address", card->address);
	if (card->has_issued) {
		tc_bdate_format(&card->issued, bd);
		tc_jw_kstr(w, "card_issued", bd);
	}
	tc_jw_end(w);
}

static tc_err after(struct tc_req *r)
{
	struct checkin *ck = r->job.cls;
	struct tc_jw *w;
	struct tc_bdate bd;

	if (!ck->found && ck->how == BY_TOKEN)
		return tc_fault_set(&r->fault, TC_ERR_NOT_FOUND, "qr",
		                    "this personal QR code is not valid (it may have been "
		                    "replaced by a newer one)");
	w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_kstr(w, "matched_by", how_name(ck->how));
	tc_jw_kbool(w, "found", ck->found);
	if (ck->found) {
		tc_jw_key(w, "citizen");
		tc_jw_citizen(w, &ck->ct);
		/* the doses on record; screening decides at the site */
		tc_jw_key(w, "doses");
		tc_jw_arr(w);
		for (size_t i = 0; i < ck->ndoses; i++)
			if (strcmp(ck->doses[i].status, "valid") == 0)
				tc_jw_dose(w, &ck->doses[i]);
		tc_jw_end(w);
		/* the open registration, and its appointment when it is today */
		tc_jw_key(w, "registration");
		if (ck->has_reg) {
			tc_jw_obj(w);
			tc_jw_kint(w, "id", ck->reg.id);
			tc_jw_kstr(w, "status", ck->reg.status);
			tc_jw_end(w);
		} else {
			tc_jw_null(w);
		}
		tc_jw_key(w, "appointment_today");
		if (ck->has_reg && ck->reg.session_id && ck->reg.day &&
		    strcmp(ck->reg.day, ck->today) == 0) {
			tc_jw_obj(w);
			tc_jw_kint(w, "session_id", ck->reg.session_id);
			tc_jw_kint(w, "site_id", ck->reg.site_id);
			tc_jw_kstr(w, "site_name", ck->reg.site_name);
			tc_jw_kstr(w, "starts", ck->reg.starts);
			tc_jw_kstr(w, "ends", ck->reg.ends);
			tc_jw_end(w);
		} else {
			tc_jw_null(w);
		}
		tc_jw_key(w, "eligibility");
		tc_jw_obj(w);
		tc_jw_key(w, "decided");
		tc_jw_bool(w, false);
		tc_jw_key(w, "notes");
		tc_jw_arr(w);
		if (strstr(ck->ct.flags, "minor_without_guardian"))
			tc_jw_str(w, "minor_without_guardian");
		if (tc_bdate_parse_iso(ck->ct.birth_date, &bd) &&
		    tc_bdate_age_on(&bd, tc_vn_day(tc_now_us())) < 18)
			tc_jw_str(w, "minor_needs_guardian_consent");
		if (strcmp(ck->ct.verification, "verified") != 0)
			tc_jw_str(w, "identity_not_verified");
		if (!ck->has_reg || ck->reg.session_id == 0 || ck->reg.day == NULL ||
		    strcmp(ck->reg.day, ck->today) != 0)
			tc_jw_str(w, "no_appointment_today");
		tc_jw_end(w);
		tc_jw_end(w);
		if (ck->how == BY_CARD)
			jw_differences(w, ck);
	}
	if (ck->how == BY_CARD) {
		tc_jw_key(w, "card");
		jw_card(w, &ck->card);
	}
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

/* A typed number: digits with spaces, dots or dashes. */
static const char *typed_number(const char *s, struct tc_arena *a)
{
	size_t n = strlen(s), k = 0;
	char *d = tc_arena_alloc(a, n + 1);

	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			d[k++] = s[i];
		else if (!strchr(" .-\t", s[i]))
			return NULL;
	}
	d[k] = '\0';
	return k == 9 || k == 12 ? d : NULL;
}

tc_err tc_api_checkin(struct tc_req *r)
{
	struct checkin *ck = TC_NEW(&r->arena, struct checkin);
	struct checkin_body b = {0};
	const char *text, *num;
	size_t len;
	tc_err rc;

	rc = tc_req_body(r, spec, &b);
	if (rc != TC_ERR_OK)
		return rc;
	text = b.qr;
	while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
		text++;
	len = strlen(text);
	while (len && strchr(" \t\r\n", text[len - 1]))
		len--;
	text = tc_arena_strndup(&r->arena, text, len);
	ck->a = &r->arena;
	ck->actor = r->actor;
	{
		int64_t y;
		unsigned m, d;
		tc_civil_from_days(tc_vn_day(tc_now_us()), &y, &m, &d);
		snprintf(ck->today, sizeof(ck->today), "%04lld-%02u-%02u", (long long)y, m, d);
	}
	if (tc_cardqr_looks_like(text, len)) {
		rc = tc_cardqr_parse(text, len, &r->arena, &ck->card, &r->fault);
		if (rc != TC_ERR_OK)
			return rc;
		ck->how = BY_CARD;
		ck->keys[0] = tc_arena_printf(&r->arena, "cccd:%s", ck->card.cccd);
		if (ck->card.cmnd)
			ck->keys[1] = tc_arena_printf(&r->arena, "cmnd:%s", ck->card.cmnd);
	} else if (tc_token_wellformed(text)) {
		ck->how = BY_TOKEN;
		ck->token = text;
	} else if ((num = typed_number(text, &r->arena)) != NULL) {
		ck->how = BY_NUMBER;
		/* twelve digits are a CCCD, or the twelve-digit CMND of 2012-2016 */
		ck->keys[0] = tc_arena_printf(&r->arena, "%s:%s",
		                              strlen(num) == 12 ? "cccd" : "cmnd", num);
		if (strlen(num) == 12)
			ck->keys[1] = tc_arena_printf(&r->arena, "cmnd:%s", num);
	} else {
		return tc_fault_set(&r->fault, TC_ERR_INVALID_FIELD, "qr",
		                    "not a personal QR code, a CCCD card's QR code or an ID "
		                    "number (9 or 12 digits)");
	}
	{
		struct tc_dbc *c;
		rc = tc_req_dbc(r, &c);
		if (rc != TC_ERR_OK)
			return rc;
		rc = look_up(c, ck, &r->fault);
		tc_req_dbc_release(r, c);
		if (rc != TC_ERR_OK)
			return rc;
	}
	if (!ck->found) { /* nobody: nothing to audit */
		r->job.cls = ck;
		return after(r);
	}
	return tc_req_write(r, audit_run, ck, after);
}
