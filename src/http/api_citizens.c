/* Citizens: POST /api/v1/citizens, GET /api/v1/citizens?q=&unit=,
 * GET and PATCH /api/v1/citizens/{id}, GET /api/v1/citizens/duplicates.
 * Every read of a person's record is audited in the same transaction
 * that loads it, so reads are writer jobs too. */
#include <microhttpd.h>
#include <string.h>

#include "../core/tctime.h"
#include "../db/citizens.h"
#include "../db/records.h"
#include "../domain/birthdate.h"
#include "../domain/names.h"
#include "api.h"

/* ---- scope resolver ------------------------------------------------------ */

static enum tc_qs get_citizen(struct tc_dbc *c, int64_t id, struct tc_arena *a, void *out)
{
	return tc_q_citizen_get(c, id, a, out);
}

tc_err tc_scope_citizen_id(struct tc_req *r)
{
	struct tc_citizen *ct = TC_NEW(&r->arena, struct tc_citizen);
	tc_err rc = tc_req_load_by_id(r, get_citizen, ct);

	if (rc != TC_ERR_OK)
		return rc;
	r->target = ct;
	r->target_scope = ct->scope_path;
	return TC_ERR_OK;
}

/* ---- shared --------------------------------------------------------------- */

struct citizen_body {
	const char *id_type;
	const char *id_number;
	const char *full_name;
	const char *family_name;
	const char *given_name;
	const char *birth_date;
	const char *gender;
	const char *phone;
	const char *commune_code;
	const char *address;
	const char *nationality;
	struct tc_jint priority_group;
	struct tc_jint guardian_id;
	struct tc_jint version;
};

#define CITIZEN_FIELDS(req)                                                      \
	TC_JSTR(struct citizen_body, id_type, 0, 1, 16),                         \
	TC_JSTR(struct citizen_body, id_number, 0, 0, 32),                       \
	TC_JSTR(struct citizen_body, full_name, req, 1, 200),                    \
	TC_JSTR(struct citizen_body, family_name, 0, 1, 100),                    \
	TC_JSTR(struct citizen_body, given_name, 0, 0, 100),                     \
	TC_JSTR(struct citizen_body, birth_date, req, 4, 10),                    \
	TC_JSTR(struct citizen_body, gender, req, 1, 16),                        \
	TC_JSTR(struct citizen_body, phone, 0, 0, 20),                           \
	TC_JSTR(struct citizen_body, commune_code, req, 1, 16),                  \
	TC_JSTR(struct citizen_body, address, 0, 0, 500),                        \
	TC_JSTR(struct citizen_body, nationality, 0, 2, 2),                      \
	TC_JINT(struct citizen_body, priority_group, 0, 0, TC_PRIORITY_GROUPS), \
	TC_JINT(struct citizen_body, guardian_id, 0, 0, INT64_MAX)

static const struct tc_jfield create_spec[] = {CITIZEN_FIELDS(TC_JF_REQUIRED), TC_JEND};
static const struct tc_jfield patch_spec[] = {
	CITIZEN_FIELDS(0),
	TC_JINT(struct citizen_body, version, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JEND,
};

static void body_to_in(const struct citizen_body *b, struct tc_citizen_in *in)
{
	*in = (struct tc_citizen_in){
		.id_type = b->id_type,
		.id_number = b->id_number,
		.full_name = b->full_name,
		.family_name = b->family_name,
		.given_name = b->given_name,
		.birth_date = b->birth_date,
		.gender = b->gender,
		.phone = b->phone,
		.commune_code = b->commune_code,
		.address = b->address,
		.nationality = b->nationality,
		.priority_group = b->priority_group.set ? b->priority_group.v : 0,
		.guardian_id = b->guardian_id.set ? b->guardian_id.v : 0,
	};
}

static tc_err prepare(struct tc_req *r, const struct tc_citizen_in *in,
                      struct tc_citizen *out)
{
	struct tc_dbc *c;
	const struct tc_units *units;
	tc_err rc = tc_req_dbc(r, &c);

	if (rc != TC_ERR_OK)
		return rc;
	units = tc_db_units(c);
	tc_req_dbc_release(r, c);
	return tc_citizen_prepare(in, units, tc_vn_day(tc_now_us()), &r->arena, out,
	                          &r->fault);
}

/* `token`: the new record's personal QR token, given once to whoever
 * registered the person (to print or show it). */
static void write_citizen(struct tc_jw *w, const struct tc_citizen *ct, bool dups,
                          const char *token)
{
	tc_jw_obj(w);
	tc_jw_key(w, "citizen");
	tc_jw_citizen(w, ct);
	if (token)
		tc_jw_kstr(w, "qr_token", token);
	tc_jw_kbool(w, "possible_duplicates", dups);
	tc_jw_end(w);
}

static tc_err reply_citizen(struct tc_req *r, unsigned status, const struct tc_citizen *ct,
                            bool dups, const char *token)
{
	write_citizen(tc_reply_begin(r), ct, dups, token);
	return tc_reply_end(r, status);
}

/* ---- POST /api/v1/citizens -------------------------------------------------- */

struct create {
	struct tc_actor actor;
	struct tc_citizen ct;
	struct tc_arena *a;
	int64_t existing;
	bool dups;
};

static tc_err create_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct create *cr = cls;
	return tc_citizen_insert(c, &cr->actor, &cr->ct, cr->a, &cr->existing, &cr->dups, f);
}

/* The answer is kept with an Idempotency-Key: a retry gets the same
 * record and token, never a second person. */
static unsigned create_render(void *cls, struct tc_jw *w)
{
	struct create *cr = cls;
	write_citizen(w, &cr->ct, cr->dups, cr->ct.qr_token);
	return MHD_HTTP_CREATED;
}

tc_err tc_api_citizen_create(struct tc_req *r)
{
	struct citizen_body b = {0};
	struct create *cr = TC_NEW(&r->arena, struct create);
	struct tc_citizen_in in;
	tc_err rc;

	rc = tc_req_body(r, create_spec, &b);
	if (rc != TC_ERR_OK)
		return rc;
	body_to_in(&b, &in);
	rc = prepare(r, &in, &cr->ct);
	if (rc != TC_ERR_OK)
		return rc;
	/* Sites register whoever comes (walk-ins, migrant workers); everyone
	 * else registers people who live inside their jurisdiction. */
	if (!tc_may_register_anywhere(r->actor.role)) {
		rc = tc_req_require_scope(r, cr->ct.scope_path);
		if (rc != TC_ERR_OK) {
			r->fault.field = "commune_code";
			return rc;
		}
	}
	cr->actor = r->actor;
	cr->a = &r->arena;
	cr->ct.source = "staff";
	cr->ct.created_at = cr->ct.updated_at = tc_now_us();
	cr->ct.created_by = r->actor.user_id;
	return tc_req_write_idem(r, create_run, cr, create_render);
}

/* ---- GET /api/v1/citizens/{id} ---------------------------------------------- */

struct read {
	struct tc_actor actor;
	struct tc_citizen *ct;
	struct tc_arena *a;
	enum tc_qs qs;
};

/* Loads the record again inside the transaction that audits the read, so
 * the answer is what was audited. */
static tc_err read_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct read *rd = cls;
	int64_t id = rd->ct->id;

	rd->qs = tc_q_citizen_get(c, id, rd->a, rd->ct);
	if (rd->qs != TC_QS_ONE)
		return tc_qs_err(rd->qs, f);
	return tc_audit_record(c, &rd->actor, "read", "citizen",
	                       tc_arena_printf(rd->a, "%lld", (long long)id),
	                       rd->ct->scope_path, NULL, NULL, f);
}

static tc_err read_after(struct tc_req *r)
{
	struct read *rd = r->job.cls;
	return reply_citizen(r, MHD_HTTP_OK, rd->ct, false, NULL);
}

tc_err tc_api_citizen_get(struct tc_req *r)
{
	struct read *rd = TC_NEW(&r->arena, struct read);

	rd->actor = r->actor;
	rd->ct = r->target;
	rd->a = &r->arena;
	return tc_req_write(r, read_run, rd, read_after);
}

/* ---- PATCH /api/v1/citizens/{id} -------------------------------------------- */

struct patch {
	struct tc_actor actor;
	struct tc_citizen before, after;
	struct tc_arena *a;
};

static tc_err patch_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct patch *p = cls;
	const char *old_doc = tc_citizen_doc_key(&p->before, p->a);
	const char *new_doc = tc_citizen_doc_key(&p->after, p->a);
	enum tc_qs qs;

	if (!old_doc || !new_doc || strcmp(old_doc, new_doc) != 0) {
		if (new_doc) {
			qs = tc_q_document_claim(c, new_doc, p->before.id);
			if (qs == TC_QS_CONFLICT) {
				int64_t owner = 0;
				if ((qs = tc_q_document_owner(c, new_doc, &owner)) < 0)
					return tc_qs_err(qs, f);
				tc_fault_set(f, TC_ERR_CONFLICT, "id_number",
				             "another citizen has that document number");
				f->existing_id = owner;
				return TC_ERR_CONFLICT;
			}
			if (qs < 0)
				return tc_qs_err(qs, f);
		}
		if (old_doc && (qs = tc_q_document_release(c, old_doc, p->before.id)) < 0)
			return tc_qs_err(qs, f);
	}
	if (p->after.guardian_id != p->before.guardian_id) {
		tc_err rc = tc_citizen_check_guardian(c, &p->after, p->a, f);
		if (rc != TC_ERR_OK)
			return rc;
	}
	qs = tc_q_citizen_update(c, &p->before, &p->after);
	if (qs == TC_QS_NONE)
		return tc_fault_set(f, TC_ERR_CONFLICT, "version",
		                    "the record changed since you read it; load it again");
	if (qs < 0)
		return tc_qs_err(qs, f);
	return tc_audit_record(c, &p->actor, "update", "citizen",
	                       tc_arena_printf(p->a, "%lld", (long long)p->before.id),
	                       p->after.scope_path, tc_citizen_json(&p->before, p->a),
	                       tc_citizen_json(&p->after, p->a), f);
}

static tc_err patch_after(struct tc_req *r)
{
	struct patch *p = r->job.cls;
	return reply_citizen(r, MHD_HTTP_OK, &p->after, false, NULL);
}

static const char *or(const char *given, const char *stored)
{
	return given ? given : stored;
}

tc_err tc_api_citizen_patch(struct tc_req *r)
{
	const struct tc_citizen *cur = r->target;
	struct patch *p = TC_NEW(&r->arena, struct patch);
	struct citizen_body b = {0};
	struct tc_citizen_in in;
	tc_err rc;

	rc = tc_req_body(r, patch_spec, &b);
	if (rc != TC_ERR_OK)
		return rc;
	if (b.version.v != cur->version)
		return tc_fault_set(&r->fault, TC_ERR_CONFLICT, "version",
		                    "the record changed since you read it; load it again");
	/* The stored record with the given fields on top, through the same
	 * rules as new data. A new full name without new parts splits again. */
	in = (struct tc_citizen_in){
		.id_type = or(b.id_type, cur->id_type),
		.id_number = b.id_number ? b.id_number : b.id_type ? NULL : cur->id_number,
		.full_name = or(b.full_name, cur->full_name),
		.family_name = b.family_name ? b.family_name
		                             : b.full_name || b.given_name ? NULL : cur->family_name,
		.given_name = b.given_name ? b.given_name
		                           : b.full_name || b.family_name ? NULL : cur->given_name,
		.birth_date = or(b.birth_date, cur->birth_date),
		.gender = or(b.gender, cur->gender),
		.phone = or(b.phone, cur->phone),
		.commune_code = or(b.commune_code, cur->commune_code),
		.address = or(b.address, cur->address),
		.nationality = or(b.nationality, cur->nationality),
		.priority_group = b.priority_group.set ? b.priority_group.v : cur->priority_group,
		.guardian_id = b.guardian_id.set ? b.guardian_id.v : cur->guardian_id,
	};
	if (b.family_name && !b.given_name && !b.full_name)
		in.given_name = cur->given_name;
	if (b.given_name && !b.family_name && !b.full_name)
		in.family_name = cur->family_name;
	rc = prepare(r, &in, &p->after);
	if (rc != TC_ERR_OK)
		return rc;
	if (!tc_may_register_anywhere(r->actor.role) &&
	    (rc = tc_req_require_scope(r, p->after.scope_path)) != TC_ERR_OK) {
		r->fault.field = "commune_code";
		return rc;
	}
	p->before = *cur;
	p->actor = r->actor;
	p->a = &r->arena;
	p->after.id = cur->id;
	p->after.qr_token = cur->qr_token;
	p->after.source = cur->source;
	p->after.verification = cur->verification;
	p->after.version = cur->version + 1;
	p->after.created_at = cur->created_at;
	p->after.created_by = cur->created_by;
	p->after.updated_at = tc_now_us();
	return tc_req_write(r, patch_run, p, patch_after);
}

/* ---- GET /api/v1/citizens?q=&unit= -------------------------------------------- */

struct search {
	struct tc_actor actor;
	const char *scope, *key;
	struct tc_page page;
	struct tc_arena *a;
	struct tc_citizen *list;
	size_t n;
};

static tc_err search_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct search *s = cls;
	enum tc_qs qs = tc_q_citizens_search(c, s->scope, s->key, s->page, s->a, &s->list,
	                                     &s->n);
	if (qs < 0)
		return tc_qs_err(qs, f);
	/* one entry per search: what was asked and which records came back */
	struct tc_buf b;
	struct tc_jw w;
	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_obj(&w);
	tc_jw_kstr(&w, "q", s->key);
	tc_jw_key(&w, "ids");
	tc_jw_arr(&w);
	for (size_t i = 0; i < s->n; i++)
		tc_jw_int(&w, s->list[i].id);
	tc_jw_end(&w);
	tc_jw_end(&w);
	const char *what = tc_arena_strndup(s->a, b.data, b.len);
	tc_buf_cleanup(&b);
	return tc_audit_record(c, &s->actor, "search", "citizen", "-", s->scope, NULL, what,
	                       f);
}

static tc_err search_after(struct tc_req *r)
{
	struct search *s = r->job.cls;
	struct tc_jw *w = tc_reply_begin(r);

	tc_jw_obj(w);
	tc_jw_key(w, "citizens");
	tc_jw_arr(w);
	for (size_t i = 0; i < s->n; i++)
		tc_jw_citizen(w, &s->list[i]);
	tc_jw_end(w);
	tc_jw_kint(w, "limit", s->page.limit);
	tc_jw_kint(w, "offset", s->page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}

tc_err tc_api_citizens_list(struct tc_req *r)
{
	struct search *s = TC_NEW(&r->arena, struct search);
	const char *q = tc_req_query(r, "q");
	tc_err rc;

	rc = tc_req_page(r, 50, 500, &s->page);
	if (rc != TC_ERR_OK)
		return rc;
	if (q && *q) {
		const char *clean = tc_text_clean(q, &r->arena);
		if (clean == NULL || strlen(clean) > 200)
			return tc_fault_set(&r->fault, TC_ERR_INVALID_PARAMETER, "q",
			                    "q must be a name of at most 200 characters");
		s->key = *clean ? tc_name_key(clean, &r->arena) : NULL;
	}
	s->actor = r->actor;
	s->scope = r->target_scope;
	s->a = &r->arena;
	return tc_req_write(r, search_run, s, search_after);
}

/* ---- GET /api/v1/citizens/duplicates -------------------------------------------- */

tc_err tc_api_duplicates_list(struct tc_req *r)
{
	struct tc_duplicate *d;
	struct tc_page page;
	struct tc_dbc *c;
	size_t n;
	enum tc_qs qs;
	tc_err rc;

	rc = tc_req_page(r, 100, 1000, &page);
	if (rc != TC_ERR_OK)
		return rc;
	rc = tc_req_dbc(r, &c);
	if (rc != TC_ERR_OK)
		return rc;
	qs = tc_q_duplicates_list(c, r->target_scope, page, &r->arena, &d, &n);
	tc_req_dbc_release(r, c);
	if (qs < 0)
		return tc_qs_err(qs, &r->fault);
	struct tc_jw *w = tc_reply_begin(r);
	tc_jw_obj(w);
	tc_jw_key(w, "duplicates");
	tc_jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		tc_jw_obj(w);
		tc_jw_kint(w, "citizen_id", d[i].citizen_id);
		tc_jw_kint(w, "other_id", d[i].other_id);
		tc_jw_kstr(w, "reason", d[i].reason);
		tc_jw_key(w, "found_at");
		tc_jw_time(w, d[i].found_at);
		tc_jw_end(w);
	}
	tc_jw_end(w);
	tc_jw_kint(w, "limit", page.limit);
	tc_jw_kint(w, "offset", page.offset);
	tc_jw_end(w);
	return tc_reply_end(r, MHD_HTTP_OK);
}
