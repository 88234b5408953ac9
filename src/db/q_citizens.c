/* Citizens, their identity documents and likely duplicates. */
#include <string.h>

#include "../core/arena.h"
#include "dbi.h"

#define CIT_COLS                                                                   \
	"id, id_type, id_number, full_name, family_name, given_name, name_key,"     \
	" last_word_key, birth_date, birth_year, gender, phone, commune_code, address," \
	" nationality, priority_group, guardian_id, scope_path, verification, flags," \
	" qr_token, source, version, created_at, updated_at, created_by"

static struct tc_sql q_insert = TC_SQL(
	"INSERT INTO citizens (" CIT_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
	" $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,"
	" $26)");
static struct tc_sql q_get = TC_SQL("SELECT " CIT_COLS " FROM citizens WHERE id = $1");
static struct tc_sql q_by_qr =
	TC_SQL("SELECT " CIT_COLS " FROM citizens WHERE qr_token = $1");
static struct tc_sql q_update = TC_SQL(
	"UPDATE citizens SET id_type = $2, id_number = $3, full_name = $4,"
	" family_name = $5, given_name = $6, name_key = $7, last_word_key = $8,"
	" birth_date = $9, birth_year = $10, gender = $11, phone = $12,"
	" commune_code = $13, address = $14, nationality = $15, priority_group = $16,"
	" guardian_id = $17, scope_path = $18, flags = $19, updated_at = $20,"
	" version = version + 1 WHERE id = $1 AND version = $21");
static struct tc_sql q_set_qr =
	TC_SQL("UPDATE citizens SET qr_token = $2, updated_at = $3 WHERE id = $1");
static struct tc_sql q_search = TC_SQL(
	"SELECT " CIT_COLS " FROM citizens"
	" WHERE " TC_SCOPE_UNDER("scope_path", "$2", "$3")
	" AND (CAST($4 AS TEXT) IS NULL"
	"      OR (name_key >= $4 AND name_key < $5)"
	"      OR (last_word_key >= $4 AND last_word_key < $5))"
	" ORDER BY name_key, id LIMIT $6 OFFSET $7");
static struct tc_sql q_by_phone = TC_SQL(
	"SELECT " CIT_COLS " FROM citizens WHERE phone = $1 ORDER BY id LIMIT 50");
static struct tc_sql q_doc_claim =
	TC_SQL("INSERT INTO citizen_documents (doc_key, citizen_id) VALUES ($1, $2)"
	       " ON CONFLICT (doc_key) DO NOTHING");
static struct tc_sql q_doc_owner =
	TC_SQL("SELECT citizen_id FROM citizen_documents WHERE doc_key = $1");
static struct tc_sql q_doc_release =
	TC_SQL("DELETE FROM citizen_documents WHERE doc_key = $1 AND citizen_id = $2");
static struct tc_sql q_dup_find = TC_SQL(
	"INSERT INTO citizen_duplicates (citizen_id, other_id, reason, scope_path, found_at)"
	" SELECT $1, id, CASE WHEN phone = $4 THEN 'same_phone' ELSE 'same_commune' END,"
	" $6, $7 FROM citizens"
	" WHERE name_key = $2 AND birth_date = $3 AND id <> $1"
	" AND (phone = $4 OR commune_code = $5) ON CONFLICT DO NOTHING");
static struct tc_sql q_dup_list = TC_SQL(
	"SELECT citizen_id, other_id, reason, found_at FROM citizen_duplicates"
	" WHERE " TC_SCOPE_UNDER("scope_path", "$2", "$3") " AND resolved_at IS NULL"
	" ORDER BY found_at DESC, citizen_id LIMIT $4 OFFSET $5");

void tc_fill_citizen(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_citizen *ct = item;

	ct->id = tc_row_i64(r, 0);
	ct->id_type = tc_row_text(r, 1, a);
	ct->id_number = tc_row_text(r, 2, a);
	ct->full_name = tc_row_text(r, 3, a);
	ct->family_name = tc_row_text(r, 4, a);
	ct->given_name = tc_row_text(r, 5, a);
	ct->name_key = tc_row_text(r, 6, a);
	ct->last_word_key = tc_row_text(r, 7, a);
	ct->birth_date = tc_row_text(r, 8, a);
	ct->birth_year = tc_row_i64(r, 9);
	ct->gender = tc_row_text(r, 10, a);
	ct->phone = tc_row_text(r, 11, a);
	ct->commune_code = tc_row_text(r, 12, a);
	ct->address = tc_row_text(r, 13, a);
	ct->nationality = tc_row_text(r, 14, a);
	ct->priority_group = tc_row_i64(r, 15);
	ct->guardian_id = tc_row_i64(r, 16);
	ct->scope_path = tc_row_text(r, 17, a);
	ct->verification = tc_row_text(r, 18, a);
	ct->flags = tc_row_text(r, 19, a);
	ct->qr_token = tc_row_text(r, 20, a);
	ct->source = tc_row_text(r, 21, a);
	ct->version = tc_row_i64(r, 22);
	ct->created_at = tc_row_time(r, 23);
	ct->updated_at = tc_row_time(r, 24);
	ct->created_by = tc_row_i64(r, 25);
}

enum tc_qs tc_q_citizen_insert(struct tc_dbc *c, const struct tc_citizen *ct)
{
	struct tc_dbv p[] = {TC_P_I64(ct->id),
	                     TC_P_TEXT(ct->id_type),
	                     TC_P_TEXT(ct->id_number),
	                     TC_P_TEXT(ct->full_name),
	                     TC_P_TEXT(ct->family_name),
	                     TC_P_TEXT(ct->given_name),
	                     TC_P_TEXT(ct->name_key),
	                     TC_P_TEXT(ct->last_word_key),
	                     TC_P_TEXT(ct->birth_date),
	                     TC_P_I64(ct->birth_year),
	                     TC_P_TEXT(ct->gender),
	                     TC_P_TEXT(ct->phone),
	                     TC_P_TEXT(ct->commune_code),
	                     TC_P_TEXT(ct->address),
	                     TC_P_TEXT(ct->nationality),
	                     TC_P_ID(ct->priority_group),
	                     TC_P_ID(ct->guardian_id),
	                     TC_P_TEXT(ct->scope_path),
	                     TC_P_TEXT(ct->verification ? ct->verification : "unverified"),
	                     TC_P_TEXT(ct->flags ? ct->flags : ""),
	                     TC_P_TEXT(ct->qr_token),
	                     TC_P_TEXT(ct->source),
	                     TC_P_I64(ct->version ? ct->version : 1),
	                     TC_P_TIME(ct->created_at),
	                     TC_P_TIME(ct->updated_at),
	                     TC_P_ID(ct->created_by)};
	return tc_exec(c, &q_insert, p, 26, NULL, NULL);
}

enum tc_qs tc_q_citizen_get(struct tc_dbc *c, int64_t id, struct tc_arena *a,
                            struct tc_citizen *out)
{
	struct tc_dbv p[] = {TC_P_I64(id)};
	struct tc_row_into o = {a, out, tc_fill_citizen};
	return tc_exec(c, &q_get, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_citizen_by_qr(struct tc_dbc *c, const char *token, struct tc_arena *a,
                              struct tc_citizen *out)
{
	struct tc_dbv p[] = {TC_P_TEXT(token)};
	struct tc_row_into o = {a, out, tc_fill_citizen};
	return tc_exec(c, &q_by_qr, p, 1, tc_rows_one, &o);
}

enum tc_qs tc_q_citizen_update(struct tc_dbc *c, const struct tc_citizen *before,
                               const struct tc_citizen *after)
{
	struct tc_dbv p[] = {TC_P_I64(before->id),
	                     TC_P_TEXT(after->id_type),
	                     TC_P_TEXT(after->id_number),
	                     TC_P_TEXT(after->full_name),
	                     TC_P_TEXT(after->family_name),
	                     TC_P_TEXT(after->given_name),
	                     TC_P_TEXT(after->name_key),
	                     TC_P_TEXT(after->last_word_key),
	                     TC_P_TEXT(after->birth_date),
	                     TC_P_I64(after->birth_year),
	                     TC_P_TEXT(after->gender),
	                     TC_P_TEXT(after->phone),
	                     TC_P_TEXT(after->commune_code),
	                     TC_P_TEXT(after->address),
	                     TC_P_TEXT(after->nationality),
	                     TC_P_ID(after->priority_group),
	                     TC_P_ID(after->guardian_id),
	                     TC_P_TEXT(after->scope_path),
	                     TC_P_TEXT(after->flags ? after->flags : ""),
	                     TC_P_TIME(after->updated_at),
	                     TC_P_I64(before->version)};
	return tc_exec(c, &q_update, p, 21, NULL, NULL);
}

enum tc_qs tc_q_citizen_set_qr(struct tc_dbc *c, int64_t id, const char *token,
                               int64_t now)
{
	struct tc_dbv p[] = {TC_P_I64(id), TC_P_TEXT(token), TC_P_TIME(now)};
	return tc_exec(c, &q_set_qr, p, 3, NULL, NULL);
}

enum tc_qs tc_q_citizens_search(struct tc_dbc *c, const char *scope, const char *key,
                                struct tc_page page, struct tc_arena *a,
                                struct tc_citizen **out, size_t *n)
{
	const char *lo, *hi, *key_hi = NULL;
	tc_scope_range(a, scope, &lo, &hi);
	/* every key that starts with `key` sorts below key + U+10FFFF */
	if (key)
		key_hi = tc_arena_printf(a, "%s\xf4\x8f\xbf\xbf", key);
	struct tc_dbv p[] = {TC_P_TEXT(scope),     TC_P_TEXT(lo),
	                     TC_P_TEXT(hi),        TC_P_TEXT(key),
	                     TC_P_TEXT(key_hi),    TC_P_I64(page.limit),
	                     TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_citizen),
	                            .fill = tc_fill_citizen};
	enum tc_qs qs = tc_exec(c, &q_search, p, 7, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_citizens_by_phone(struct tc_dbc *c, const char *phone,
                                  struct tc_arena *a, struct tc_citizen **out,
                                  size_t *n)
{
	struct tc_dbv p[] = {TC_P_TEXT(phone)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_citizen),
	                            .fill = tc_fill_citizen};
	enum tc_qs qs = tc_exec(c, &q_by_phone, p, 1, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}

enum tc_qs tc_q_document_claim(struct tc_dbc *c, const char *doc_key, int64_t citizen_id)
{
	struct tc_dbv p[] = {TC_P_TEXT(doc_key), TC_P_I64(citizen_id)};
	enum tc_qs qs = tc_exec(c, &q_doc_claim, p, 2, NULL, NULL);
	/* no failed statement: PostgreSQL's transaction stays usable */
	return qs == TC_QS_NONE ? TC_QS_CONFLICT : qs;
}

enum tc_qs tc_q_document_owner(struct tc_dbc *c, const char *doc_key,
                               int64_t *citizen_id)
{
	struct tc_dbv p[] = {TC_P_TEXT(doc_key)};
	*citizen_id = 0;
	return tc_exec(c, &q_doc_owner, p, 1, tc_rows_i64, citizen_id);
}

enum tc_qs tc_q_document_release(struct tc_dbc *c, const char *doc_key,
                                 int64_t citizen_id)
{
	struct tc_dbv p[] = {TC_P_TEXT(doc_key), TC_P_I64(citizen_id)};
	return tc_exec(c, &q_doc_release, p, 2, NULL, NULL);
}

enum tc_qs tc_q_duplicates_find(struct tc_dbc *c, const struct tc_citizen *ct,
                                int64_t now, int64_t *found)
{
	struct tc_dbv p[] = {TC_P_I64(ct->id),          TC_P_TEXT(ct->name_key),
	                     TC_P_TEXT(ct->birth_date), TC_P_TEXT(ct->phone),
	                     TC_P_TEXT(ct->commune_code), TC_P_TEXT(ct->scope_path),
	                     TC_P_TIME(now)};
	enum tc_qs qs = tc_exec(c, &q_dup_find, p, 7, NULL, NULL);
	*found = qs == TC_QS_ONE ? 1 : qs == TC_QS_MANY ? 2 : 0;
	return qs;
}

static void fill_dup(void *item, const struct tc_dbrow *r, struct tc_arena *a)
{
	struct tc_duplicate *d = item;
	d->citizen_id = tc_row_i64(r, 0);
	d->other_id = tc_row_i64(r, 1);
	d->reason = tc_row_text(r, 2, a);
	d->found_at = tc_row_time(r, 3);
}

enum tc_qs tc_q_duplicates_list(struct tc_dbc *c, const char *scope, struct tc_page page,
                                struct tc_arena *a, struct tc_duplicate **out,
                                size_t *n)
{
	const char *lo, *hi;
	tc_scope_range(a, scope, &lo, &hi);
	struct tc_dbv p[] = {TC_P_TEXT(scope), TC_P_TEXT(lo), TC_P_TEXT(hi),
	                     TC_P_I64(page.limit), TC_P_I64(page.offset)};
	struct tc_rows_into into = {.a = a, .size = sizeof(struct tc_duplicate),
	                            .fill = fill_dup};
	enum tc_qs qs = tc_exec(c, &q_dup_list, p, 5, tc_rows_collect, &into);
	*out = into.items;
	*n = into.n;
	return qs;
}
