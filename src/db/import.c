#include "import.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/arena.h"
#include "../core/log.h"
#include "../core/tctime.h"
#include "../crypto/secret.h"
#include "../domain/birthdate.h"
#include "../domain/names.h"
#include "../io/table.h"
#include "citizens.h"
#include "records.h"
#include "visits.h"

#define DEFAULT_BATCH 2000
/* An unfinished job nobody has marked for this long may be taken over
 * (its run died); a live run marks it at every batch. */
#define STALE_US (5 * 1000000LL)
/* How often a batch the database refused as busy is tried again. */
#define BUSY_RETRIES 10

/* ---- columns ------------------------------------------------------------- */

enum col {
	C_ID_TYPE,
	C_ID_NUMBER,
	C_FULL_NAME,
	C_BIRTH_DATE,
	C_GENDER,
	C_PHONE,
	C_COMMUNE,
	C_ADDRESS,
	C_NATIONALITY,
	C_PRIORITY,
	/* doses (kind "doses") */
	C_PRODUCT,
	C_GIVEN_ON,
	C_LOT,
	C_PLACE,
	C_SOURCE_REF,
	C__COUNT
};

/* The columns a kind of import reads: the citizens' columns, and for
 * doses the person's and the dose's. */
#define FIRST_DOSE_COL C_PRODUCT

/* Header names by their key with everything but letters and digits
 * removed ("Số CCCD/CMND" -> "socccdcmnd"), so spelling, case, accents
 * and punctuation do not matter. */
static const struct {
	enum col col;
	const char *key;
} headers[] = {
	{C_ID_TYPE, "idtype"},           {C_ID_TYPE, "loaigiayto"},
	{C_ID_NUMBER, "idnumber"},       {C_ID_NUMBER, "socccdcmnd"},
	{C_ID_NUMBER, "socccd"},         {C_ID_NUMBER, "socmnd"},
	{C_ID_NUMBER, "socmndcccd"},     {C_ID_NUMBER, "sodinhdanh"},
	{C_ID_NUMBER, "sogiayto"},       {C_ID_NUMBER, "cccd"},
	{C_ID_NUMBER, "cmnd"},           {C_ID_NUMBER, "cccdcmnd"},
	{C_FULL_NAME, "fullname"},
	{C_FULL_NAME, "hovaten"},        {C_FULL_NAME, "hoten"},
	{C_BIRTH_DATE, "birthdate"},     {C_BIRTH_DATE, "ngaysinh"},
	{C_BIRTH_DATE, "ngaythangnamsinh"},
	{C_GENDER, "gender"},            {C_GENDER, "gioitinh"},
	{C_PHONE, "phone"},              {C_PHONE, "sodienthoai"},
	{C_PHONE, "dienthoai"},          {C_PHONE, "sdt"},
	{C_COMMUNE, "communecode"},      {C_COMMUNE, "maxa"},
	{C_COMMUNE, "maxaphuong"},       {C_ADDRESS, "address"},
	{C_ADDRESS, "diachi"},           {C_NATIONALITY, "nationality"},
	{C_NATIONALITY, "quoctich"},     {C_PRIORITY, "prioritygroup"},
	{C_PRIORITY, "nhomuutien"},
	{C_PRODUCT, "product"},          {C_PRODUCT, "vaccine"},
	{C_PRODUCT, "vacxin"},           {C_PRODUCT, "tenvacxin"},
	{C_PRODUCT, "loaivacxin"},       {C_GIVEN_ON, "givenon"},
	{C_GIVEN_ON, "ngaytiem"},        {C_GIVEN_ON, "dategiven"},
	{C_LOT, "lotnumber"},            {C_LOT, "solo"},
	{C_LOT, "lo"},                   {C_LOT, "losanxuat"},
	{C_PLACE, "place"},              {C_PLACE, "noitiem"},
	{C_PLACE, "diadiemtiem"},        {C_PLACE, "cosotiem"},
	{C_SOURCE_REF, "sourceref"},     {C_SOURCE_REF, "mahoso"},
	{C_SOURCE_REF, "sophieu"},
};

static const char *const col_names[C__COUNT] = {
	"id_type", "id_number", "full_name", "birth_date", "gender",
	"phone", "commune_code", "address", "nationality", "priority_group",
	"product", "given_on", "lot_number", "place", "source_ref",
};

static const bool col_required[C__COUNT] = {
	[C_ID_NUMBER] = true, [C_FULL_NAME] = true, [C_BIRTH_DATE] = true,
	[C_GENDER] = true, [C_COMMUNE] = true,
};

/* A dose list names the person by what it has: a document number where
 * there is one (a person without one is recorded and listed for review). */
static const bool dose_col_required[C__COUNT] = {
	[C_FULL_NAME] = true, [C_BIRTH_DATE] = true, [C_PRODUCT] = true, [C_GIVEN_ON] = true,
};

/* Letters and digits of the accent-free key of s, from `a`. */
static const char *compact_key(const char *s, struct tc_arena *a)
{
	const char *k = tc_name_key(s, a);
	char *out, *o;

	if (k == NULL)
		return "";
	out = o = tc_arena_alloc(a, strlen(k) + 1);
	for (; *k; k++)
		if (isalnum((unsigned char)*k))
			*o++ = *k;
	*o = '\0';
	return out;
}

/* ---- the importer ---------------------------------------------------------- */

struct row {
	int64_t row_no;
	const char *cells; /* JSON array */
	bool rejected;     /* by the rules, before the database */
	const char *field, *reason;
	bool given[C__COUNT];
	struct tc_citizen ct;
	const char *doc;
	/* doses: the dose, and whether the person could be added if new */
	struct tc_dose dose;
	bool person_ok;
	const char *person_field, *person_reason;
};

struct batch {
	struct tc_importer *im;
	struct tc_arena arena;
	struct row *rows;
	size_t n, cap;
	/* the job before this batch, and as it will stand once it commits */
	struct tc_import base, job;
	int64_t acc, rej, unch;
	/* submission */
	struct tc_job wj;
	bool in_flight;
};

struct tc_importer {
	struct tc_db *db;
	struct tc_import_opts o;
	struct tc_arena arena; /* lives as long as the importer */
	struct tc_table *t;
	struct tc_import job;
	int cols[C__COUNT]; /* column index, or -1 */
	size_t ncols;
	const struct tc_units *units;
	int64_t today;
	bool doses; /* a list of doses given, not of people */
	struct batch b[2];
	struct tc_buf scratch;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

const struct tc_import *tc_import_job(const struct tc_importer *im)
{
	return &im->job;
}

static tc_err file_sha256(const char *path, char out[TC_SHA256_HEX], struct tc_arena *a,
                          struct tc_fault *f)
{
	FILE *fp = fopen(path, "rb");
	unsigned char buf[1 << 16];
	size_t n;
	struct tc_sha256 *h;

	if (fp == NULL)
		return tc_fault_setf(f, a, TC_ERR_IO, "file", "cannot read %s", path);
	h = tc_sha256_begin();
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		tc_sha256_update(h, buf, n);
	fclose(fp);
	tc_sha256_end(h, out);
	return TC_ERR_OK;
}

/* The row's cells as a JSON array, kept for the file of rejected rows.
 * `scratch` is reused from row to row. */
static const char *cells_json(const struct tc_table *t, struct tc_buf *scratch,
                              struct tc_arena *a)
{
	struct tc_jw w;

	tc_buf_reset(scratch);
	tc_jw_init(&w, scratch);
	tc_jw_arr(&w);
	for (size_t i = 0; i < tc_table_ncols(t); i++)
		tc_jw_str(&w, tc_table_cell(t, i)->s);
	tc_jw_end(&w);
	return tc_arena_strndup(a, scratch->data, scratch->len);
}

static tc_err read_header(struct tc_importer *im, struct tc_fault *f)
{
	struct tc_arena *a = &im->arena;
	int got = tc_table_next(im->t);

	for (int c = 0; c < C__COUNT; c++)
		im->cols[c] = -1;
	if (got < 0)
		return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "file", "%s",
		                     tc_table_error(im->t));
	if (got == 0)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "file",
		                    "the file is empty: the first row must name the columns");
	im->ncols = tc_table_ncols(im->t);
	for (size_t i = 0; i < im->ncols; i++) {
		const char *key = compact_key(tc_table_cell(im->t, i)->s, a);
		for (size_t k = 0; k < TC_ARRAY_LEN(headers); k++) {
			if (strcmp(key, headers[k].key) != 0 ||
			    (!im->doses && headers[k].col >= FIRST_DOSE_COL))
				continue;
			if (im->cols[headers[k].col] >= 0)
				return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "file",
				                     "two columns hold %s: columns %d and %zu",
				                     col_names[headers[k].col],
				                     im->cols[headers[k].col] + 1, i + 1);
			im->cols[headers[k].col] = (int)i;
		}
	}
	for (int c = 0; c < C__COUNT; c++)
		if ((im->doses ? dose_col_required : col_required)[c] && im->cols[c] < 0)
			return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, "file",
			                     "no %s column: the first row must name the columns "
			                     "(%s, or their Vietnamese names: docs/import.md)",
			                     col_names[c],
			                     im->doses ? "full_name, birth_date, product, given_on"
			                               : "id_number, full_name, birth_date, gender, "
			                                 "commune_code");
	im->job.header = cells_json(im->t, &im->scratch, a);
	return TC_ERR_OK;
}

static const char *format_name(enum tc_table_format fmt)
{
	return fmt == TC_TABLE_XLSX ? "xlsx" : fmt == TC_TABLE_XLS ? "xls" : "csv";
}

static tc_err create_job(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct tc_importer *im = cls;
	struct tc_import old;
	enum tc_qs qs;
	/* an import starts only with a live session; once started it runs
	 * to its end (its batches do not check again) */
	tc_err rc = tc_actor_still_current(c, im->o.actor, f);

	if (rc != TC_ERR_OK)
		return rc;
	/* the unfinished job of the same file, or a new one */
	qs = tc_q_import_unfinished(c, im->job.file_sha256, im->job.scope_path, &im->arena, &old);
	if (qs == TC_QS_ONE) {
		int64_t now = tc_now_us();
		/* taken over only when its run is gone: two runs of one job
		 * would count its rows twice */
		qs = tc_q_import_claim(c, old.id, im->job.runner, now - STALE_US, now);
		if (qs < 0)
			return tc_qs_err(qs, f);
		if (qs == TC_QS_NONE) {
			tc_fault_set(f, TC_ERR_CONFLICT, "file",
			             "this file is being imported right now");
			f->existing_id = old.id;
			return TC_ERR_CONFLICT;
		}
		old.runner = im->job.runner;
		old.updated_at = now;
		im->job = old;
		return TC_ERR_OK;
	}
	if (qs < 0)
		return tc_qs_err(qs, f);
	qs = tc_q_import_insert(c, &im->job);
	if (qs < 0)
		return tc_qs_err(qs, f);
	im->job.status = "running";
	return tc_audit_record(c, im->o.actor, "create", "import",
	                       tc_arena_printf(&im->arena, "%lld", (long long)im->job.id),
	                       im->job.scope_path, NULL,
	                       tc_arena_printf(&im->arena, "{\"file\":\"%s\"}",
	                                       im->job.file_sha256),
	                       f);
}

tc_err tc_import_open(struct tc_db *db, const struct tc_import_opts *o,
                      struct tc_importer **out, struct tc_arena *a, struct tc_fault *f)
{
	struct tc_importer *im = tc_xcalloc(1, sizeof(*im));
	char sha[TC_SHA256_HEX];
	struct tc_dbc *c;
	const char *base;
	tc_err rc;

	*out = NULL;
	im->db = db;
	im->o = *o;
	tc_arena_init(&im->arena);
	/* the caller's strings may not live as long as the importer */
	im->o.path = tc_arena_strdup(&im->arena, o->path);
	im->o.file_name = o->file_name ? tc_arena_strdup(&im->arena, o->file_name) : NULL;
	im->o.encoding = o->encoding ? tc_arena_strdup(&im->arena, o->encoding) : NULL;
	if (im->o.batch <= 0)
		im->o.batch = DEFAULT_BATCH;
	tc_buf_init(&im->scratch);
	pthread_mutex_init(&im->mu, NULL);
	pthread_cond_init(&im->cv, NULL);
	for (int k = 0; k < 2; k++) {
		tc_arena_init(&im->b[k].arena);
		im->b[k].im = im;
	}
	im->doses = o->kind && strcmp(o->kind, "doses") == 0;
	if (im->doses && !o->ref) {
		rc = tc_fault_internal(f, TC_ERR_INTERNAL, "a dose import without the products");
		goto fail;
	}
	rc = file_sha256(o->path, sha, &im->arena, f);
	if (rc != TC_ERR_OK)
		goto fail;
	rc = tc_table_open(o->path, o->encoding, &im->arena, &im->t, f);
	if (rc != TC_ERR_OK)
		goto fail;
	rc = read_header(im, f);
	if (rc != TC_ERR_OK)
		goto fail;
	c = tc_db_acquire(db);
	if (c == NULL) {
		rc = tc_fault_internal(f, TC_ERR_DB, "no database connection");
		goto fail;
	}
	im->units = tc_db_units(c);
	tc_db_release(db, c);
	im->today = tc_vn_day(tc_now_us());
	base = o->file_name ? o->file_name : strrchr(o->path, '/') ? strrchr(o->path, '/') + 1
	                                                           : o->path;
	char runner[TC_TOKEN_LEN + 1];
	tc_token_new(runner);
	im->job = (struct tc_import){
		.runner = tc_arena_strdup(&im->arena, runner),
		.kind = im->doses ? "doses" : "citizens",
		.file_name = tc_arena_strdup(&im->arena, base),
		.file_sha256 = tc_arena_strdup(&im->arena, sha),
		.format = format_name(tc_table_format(im->t)),
		.encoding = tc_table_encoding(im->t),
		.header = im->job.header,
		.status = "running",
		.scope_path = o->actor->scope,
		.created_by = o->actor->user_id,
		.created_at = tc_now_us(),
	};
	rc = tc_db_run(db, create_job, im, f);
	if (rc != TC_ERR_OK)
		goto fail;
	*out = im;
	return TC_ERR_OK;
fail:
	if (f->message) /* it lives in the importer's arena, about to go */
		f->message = tc_arena_strdup(a, f->message);
	tc_import_close(im);
	return rc;
}

/* ---- one row ---------------------------------------------------------------- */

static const char *cell(const struct tc_importer *im, enum col c, enum tc_cell_kind *kind)
{
	const struct tc_cell *x = im->cols[c] >= 0 ? tc_table_cell(im->t, (size_t)im->cols[c])
	                                           : NULL;
	if (kind)
		*kind = x ? x->kind : TC_CELL_EMPTY;
	return x && x->n ? x->s : NULL;
}

/* Spreadsheets store ID, phone and commune numbers typed as numbers
 * without their leading zeros: 1090123456 for the CCCD 001090123456 (every
 * province code starts with 0), 12345678 for the CMND 012345678,
 * 912345678 for the phone 0912345678, 1 for the commune 00001. Put them
 * back when the cell was a number and is shorter than `width` by at most
 * `most` digits. */
static const char *restore_zeros(const char *s, enum tc_cell_kind kind, size_t width,
                                 size_t most, struct tc_arena *a)
{
	size_t n = s ? strlen(s) : 0;

	if (kind != TC_CELL_NUMBER || n == 0 || n >= width || width - n > most ||
	    strspn(s, "0123456789") != n)
		return s;
	return tc_arena_printf(a, "%0*d%s", (int)(width - n), 0, s);
}

static const char *id_type_of(const char *s, struct tc_arena *a)
{
	const char *k = compact_key(s, a);

	if (strcmp(k, "hochieu") == 0)
		return "passport";
	if (strcmp(k, "chuaco") == 0 || strcmp(k, "khongco") == 0 ||
	    strcmp(k, "chuacogiayto") == 0)
		return "none";
	return k; /* cccd, cmnd, passport, none, or wrong */
}

static int64_t priority_of(const char *s, struct tc_arena *a, bool *ok)
{
	const char *k = compact_key(s, a);
	int64_t v = 0;

	if (strncmp(k, "nhom", 4) == 0)
		k += 4;
	*ok = tc_parse_i64(k, 1, TC_PRIORITY_GROUPS, &v);
	return v;
}

/* The person the row names, by the citizens' rules; false with the field
 * and the reason when they refuse it. */
static bool read_person(struct tc_importer *im, struct row *r, struct tc_arena *a,
                        const char **field, const char **reason)
{
	struct tc_citizen_in in = {.loose = true};
	enum tc_cell_kind kind;
	struct tc_fault f = {0};
	const char *s;
	size_t n;
	bool ok;

	for (int c = 0; c < C__COUNT; c++)
		r->given[c] = cell(im, (enum col)c, NULL) != NULL;
	s = cell(im, C_ID_TYPE, NULL);
	in.id_type = s ? id_type_of(s, a) : NULL;
	s = cell(im, C_ID_NUMBER, &kind);
	n = s ? strlen(s) : 0;
	in.id_number = restore_zeros(s, kind, n >= 10 ? 12 : 9, n >= 10 ? 2 : 1, a);
	in.full_name = cell(im, C_FULL_NAME, NULL);
	in.birth_date = cell(im, C_BIRTH_DATE, NULL);
	in.gender = cell(im, C_GENDER, NULL);
	s = cell(im, C_PHONE, &kind);
	in.phone = restore_zeros(s, kind, 10, 1, a);
	in.commune_code = restore_zeros(cell(im, C_COMMUNE, &kind), kind, 5, 4, a);
	in.address = cell(im, C_ADDRESS, NULL);
	s = cell(im, C_NATIONALITY, NULL);
	in.nationality = s ? tc_arena_strdup(a, s) : NULL;
	if (in.nationality)
		for (char *p = (char *)in.nationality; *p; p++)
			*p = (char)toupper((unsigned char)*p);
	if ((s = cell(im, C_PRIORITY, NULL)) != NULL) {
		in.priority_group = priority_of(s, a, &ok);
		if (!ok) {
			*field = "priority_group";
			*reason = "the priority group is a number from 1 to 16 (docs/import.md)";
			return false;
		}
	}
	/* a dose list may not have the person's document number: the person
	 * is then recorded without one, and listed for review */
	if (im->doses && !in.id_number && !in.id_type)
		in.id_type = "none";
	in.from_dose_record = im->doses;
	if (tc_citizen_prepare(&in, im->units, im->today, a, &r->ct, &f) != TC_ERR_OK) {
		*field = f.field;
		*reason = f.message ? f.message : tc_err_message(f.code);
		return false;
	}
	/* the same jurisdiction rule as POST /api/v1/citizens */
	if (!tc_may_register_anywhere(im->o.actor->role) &&
	    !tc_scope_contains(im->o.actor->scope, r->ct.scope_path)) {
		*field = "commune_code";
		*reason = "this commune lies outside your jurisdiction";
		return false;
	}
	r->ct.source = im->doses ? "dose_record" : "import";
	r->ct.created_by = im->o.actor->user_id;
	r->ct.created_at = r->ct.updated_at = tc_now_us();
	r->doc = tc_citizen_doc_key(&r->ct, a);
	return true;
}

/* Common names of the vaccines on Vietnamese lists, by their compact key,
 * beside the DCC codes and names the product table has. */
static const struct {
	const char *key, *code;
} vaccine_aliases[] = {
	{"astrazeneca", "EU/1/21/1529"}, {"az", "EU/1/21/1529"},
	{"pfizer", "EU/1/20/1528"},      {"pfizerbiontech", "EU/1/20/1528"},
	{"moderna", "EU/1/20/1507"},     {"verocell", "BBIBP-CorV"},
	{"sinopharm", "BBIBP-CorV"},     {"sputnikv", "Sputnik-V"},
	{"sputnik", "Sputnik-V"},        {"sputniklight", "Sputnik-Light"},
	{"janssen", "EU/1/20/1525"},     {"johnsonjohnson", "EU/1/20/1525"},
	{"novavax", "EU/1/21/1618"},     {"hayatvax", "Hayat-Vax"},
	{"abdala", "Abdala"},            {"covaxin", "Covaxin"},
	{"covishield", "Covishield"},    {"sinovac", "CoronaVac"},
};

static const char *product_of(const struct tc_importer *im, const char *s, struct tc_arena *a)
{
	const char *k = compact_key(s, a);

	for (size_t i = 0; im->o.ref && i < im->o.ref->nproducts; i++) {
		const struct tc_product_info *p = &im->o.ref->infos[i];
		if (strcmp(s, p->code) == 0 || strcmp(k, compact_key(p->code, a)) == 0 ||
		    strcmp(k, compact_key(p->name, a)) == 0)
			return p->code;
	}
	for (size_t i = 0; i < TC_ARRAY_LEN(vaccine_aliases); i++)
		if (strcmp(k, vaccine_aliases[i].key) == 0)
			return vaccine_aliases[i].code;
	return NULL;
}

static void read_row(struct tc_importer *im, struct row *r, struct tc_arena *a)
{
	const char *field = NULL, *reason = NULL, *s;
	enum tc_cell_kind kind;
	struct tc_bdate d;
	char day[TC_BDATE_TEXT_LEN];

	r->person_ok = read_person(im, r, a, &field, &reason);
	if (!im->doses) {
		r->rejected = !r->person_ok;
		r->field = field;
		r->reason = reason;
		return;
	}
	/* a person already on file may be named by less than a new one needs:
	 * the document number alone */
	r->person_field = field;
	r->person_reason = reason;
	if (!r->person_ok && (s = cell(im, C_ID_NUMBER, &kind)) != NULL) {
		size_t n = strlen(s);
		const char *num = restore_zeros(s, kind, n >= 10 ? 12 : 9, n >= 10 ? 2 : 1, a);
		if (strspn(num, "0123456789") == strlen(num) &&
		    (strlen(num) == 12 || strlen(num) == 9))
			r->doc = tc_arena_printf(a, "%s:%s", strlen(num) == 12 ? "cccd" : "cmnd", num);
	}
	if (!r->ct.name_key && cell(im, C_FULL_NAME, NULL))
		r->ct.name_key = tc_name_key(cell(im, C_FULL_NAME, NULL), a);
	s = cell(im, C_PRODUCT, NULL);
	r->dose.product = s ? product_of(im, s, a) : NULL;
	if (!r->dose.product) {
		r->rejected = true;
		r->field = "product";
		r->reason = "not a COVID-19 vaccine this system knows (a name or code of "
		            "GET /api/v1/products)";
		return;
	}
	s = cell(im, C_GIVEN_ON, &kind);
	if (!s || !tc_bdate_parse_loose(s, kind == TC_CELL_NUMBER, &d) ||
	    d.prec != TC_DATE_DAY) {
		r->rejected = true;
		r->field = "given_on";
		r->reason = "the day of the dose is a full date (dd/mm/yyyy)";
		return;
	}
	tc_bdate_format(&d, day);
	r->dose.given_on = tc_arena_strdup(a, day);
	r->dose.lot_number = cell(im, C_LOT, NULL);
	r->dose.place = cell(im, C_PLACE, NULL);
	r->dose.source_ref = cell(im, C_SOURCE_REF, NULL);
	r->dose.source = "import";
}

/* ---- one batch, in one transaction ------------------------------------------------ */

static bool same_fold(const char *x, const char *y, struct tc_arena *a)
{
	const char *fx = x ? tc_name_fold(x, a) : "";
	const char *fy = y ? tc_name_fold(y, a) : "";
	return strcmp(fx ? fx : "", fy ? fy : "") == 0;
}

static bool same_text(const char *x, const char *y)
{
	return strcmp(x ? x : "", y ? y : "") == 0;
}

/* The fields the row gives that differ from the record on file, as
 * "full_name, birth_date", or NULL when none do. */
static const char *differences(const struct row *r, const struct tc_citizen *old,
                               struct tc_arena *a)
{
	const struct tc_citizen *ct = &r->ct;
	const char *list = NULL;
	struct {
		enum col col;
		bool differs;
	} checks[] = {
		{C_FULL_NAME, !same_fold(ct->full_name, old->full_name, a)},
		{C_BIRTH_DATE, !same_text(ct->birth_date, old->birth_date)},
		{C_GENDER, !same_text(ct->gender, old->gender)},
		{C_PHONE, !same_text(ct->phone, old->phone)},
		{C_COMMUNE, !same_text(ct->commune_code, old->commune_code)},
		{C_ADDRESS, !same_fold(ct->address, old->address, a)},
		{C_NATIONALITY, !same_text(ct->nationality, old->nationality)},
		{C_PRIORITY, ct->priority_group != old->priority_group},
	};

	for (size_t i = 0; i < TC_ARRAY_LEN(checks); i++) {
		if (!r->given[checks[i].col] || !checks[i].differs)
			continue;
		list = list ? tc_arena_printf(a, "%s, %s", list, col_names[checks[i].col])
		            : col_names[checks[i].col];
	}
	return list;
}

static tc_err reject(struct tc_dbc *c, struct batch *b, const struct row *r, const char *field,
                     const char *reason, struct tc_fault *f)
{
	struct tc_import_reject x = {.row_no = r->row_no, .field = field, .reason = reason,
	                             .cells = r->cells};
	enum tc_qs qs = tc_q_import_reject_add(c, b->job.id, &x);
	b->rej++;
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

/* One row of a dose list: the person found (by document, else by name,
 * birth date and commune) or added, then the dose recorded like any dose
 * from elsewhere: never refused for a rule, flagged and listed for review;
 * the same dose already on file is "unchanged". */
static tc_err dose_row(struct tc_dbc *c, struct batch *b, struct row *r, struct tc_jw *ids,
                       struct tc_fault *f)
{
	struct tc_importer *im = b->im;
	struct tc_arena *a = &b->arena;
	struct tc_citizen who;
	struct tc_dose out;
	enum tc_qs qs = TC_QS_NONE;
	int64_t existing;
	bool dups;
	tc_err rc;

	if (r->doc)
		qs = tc_q_citizen_by_document(c, r->doc, a, &who);
	else if (r->person_ok)
		qs = tc_q_citizen_undocumented(c, r->ct.name_key, r->ct.birth_date,
		                               r->ct.commune_code, a, &who);
	if (qs < 0)
		return tc_qs_err(qs, f);
	if (qs == TC_QS_NONE) {
		if (!r->person_ok)
			return reject(c, b, r, r->person_field, r->person_reason, f);
		rc = tc_citizen_store(c, &r->ct, a, &existing, &dups, f);
		if (rc != TC_ERR_OK) {
			if (tc_err_status(rc) >= 500)
				return rc;
			const char *why = f->message ? f->message : tc_err_message(rc);
			const char *field = f->field;
			tc_fault_clear(f);
			return reject(c, b, r, field, why, f);
		}
		who = r->ct;
	} else if (!tc_scope_contains(im->o.actor->scope, who.scope_path) &&
	           !tc_may_register_anywhere(im->o.actor->role)) {
		return reject(c, b, r, "id_number",
		              "this person's record lies in another jurisdiction", f);
	}
	struct tc_dose in = r->dose;
	struct tc_stock_by by = {.actor_id = im->o.actor->user_id, .now = tc_now_us()};
	in.citizen_id = who.id;
	if (!in.source_ref)
		in.source_ref = tc_arena_printf(a, "import %lld row %lld", (long long)b->job.id,
		                                (long long)r->row_no);
	rc = tc_dose_record(c, &by, im->o.ref, &in, a, &out, f);
	if (rc == TC_ERR_CONFLICT) { /* the same dose, already on file */
		tc_fault_clear(f);
		b->unch++;
		return TC_ERR_OK;
	}
	if (rc != TC_ERR_OK) {
		if (tc_err_status(rc) >= 500)
			return rc;
		const char *why = f->message ? f->message : tc_err_message(rc);
		const char *field = f->field;
		tc_fault_clear(f);
		return reject(c, b, r, field, why, f);
	}
	b->acc++;
	tc_jw_int(ids, out.id);
	return TC_ERR_OK;
}

static tc_err batch_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct batch *b = cls;
	struct tc_importer *im = b->im;
	struct tc_arena *a = &b->arena;
	struct tc_buf ids;
	struct tc_jw w;
	enum tc_qs qs;
	tc_err rc = TC_ERR_OK;

	b->acc = b->rej = b->unch = 0;
	b->job = b->base; /* a replay starts from the same snapshot */
	tc_buf_init(&ids);
	tc_jw_init(&w, &ids);
	tc_jw_arr(&w);
	for (size_t i = 0; i < b->n && rc == TC_ERR_OK; i++) {
		struct row *r = &b->rows[i];
		struct tc_citizen old;
		int64_t existing;
		bool dups;

		if (r->rejected) {
			rc = reject(c, b, r, r->field, r->reason, f);
			continue;
		}
		if (im->doses) {
			rc = dose_row(c, b, r, &w, f);
			continue;
		}
		/* A document is claimed first: a new person (the common case)
		 * then costs no lookup; a number on file answers with its owner. */
		qs = TC_QS_NONE;
		if (r->doc) {
			rc = tc_citizen_store(c, &r->ct, a, &existing, &dups, f);
			if (rc == TC_ERR_OK) {
				b->acc++;
				tc_jw_int(&w, r->ct.id);
				continue;
			}
			if (rc != TC_ERR_CONFLICT || existing == 0)
				goto refused;
			tc_fault_clear(f);
			rc = TC_ERR_OK;
			qs = tc_q_citizen_get(c, existing, a, &old);
		} else {
			qs = tc_q_citizen_undocumented(c, r->ct.name_key, r->ct.birth_date,
			                               r->ct.commune_code, a, &old);
		}
		if (qs < 0) {
			rc = tc_qs_err(qs, f);
			break;
		}
		if (qs == TC_QS_ONE &&
		    !tc_scope_contains(im->o.actor->scope, old.scope_path) &&
		    !tc_may_register_anywhere(im->o.actor->role)) {
			/* whose it is and how it differs stay in their jurisdiction */
			rc = reject(c, b, r, "id_number",
			            "this document number is on file in another jurisdiction", f);
			continue;
		}
		if (qs == TC_QS_ONE) {
			const char *diff = differences(r, &old, a);
			if (diff == NULL) {
				b->unch++;
				continue;
			}
			rc = reject(c, b, r, "id_number",
			            tc_arena_printf(a, "conflict: citizen %lld with this document "
			                               "has a different %s",
			                            (long long)old.id, diff),
			            f);
			continue;
		}
		if (r->doc) { /* its owner vanished: the reference says it cannot */
			rc = tc_fault_internal(f, TC_ERR_DB, "a document without its citizen");
			break;
		}
		rc = tc_citizen_store(c, &r->ct, a, &existing, &dups, f);
		if (rc == TC_ERR_OK) {
			b->acc++;
			tc_jw_int(&w, r->ct.id);
			continue;
		}
	refused:
		if (tc_err_status(rc) < 500) {
			/* refused by a rule that needs the database (a guardian) */
			const char *why = f->message ? f->message : tc_err_message(rc);
			const char *field = f->field;
			tc_fault_clear(f);
			rc = reject(c, b, r, field, why, f);
		}
	}
	tc_jw_end(&w);
	if (rc == TC_ERR_OK) {
		b->job.accepted += b->acc;
		b->job.rejected += b->rej;
		b->job.unchanged += b->unch;
		b->job.updated_at = tc_now_us();
		qs = tc_q_import_update(c, &b->job);
		if (qs == TC_QS_NONE)
			rc = tc_fault_set(f, TC_ERR_CONFLICT, "file",
			                  "another run of this import took it over");
		else if (qs < 0)
			rc = tc_qs_err(qs, f);
	}
	if (rc == TC_ERR_OK && b->n > 0)
		rc = tc_audit_record(c, im->o.actor, "import", "import",
		                     tc_arena_printf(a, "%lld", (long long)b->job.id),
		                     b->job.scope_path, NULL,
		                     tc_arena_printf(a, "{\"rows\":[%lld,%lld],\"created\":%s}",
		                                     (long long)b->rows[0].row_no,
		                                     (long long)b->rows[b->n - 1].row_no,
		                                     ids.data),
		                     f);
	tc_buf_cleanup(&ids);
	return rc;
}

static void batch_done(struct tc_job *j)
{
	struct batch *b = j->cls;
	struct tc_importer *im = b->im;

	pthread_mutex_lock(&im->mu);
	b->in_flight = false;
	pthread_cond_broadcast(&im->cv);
	pthread_mutex_unlock(&im->mu);
}

static void batch_resubmit(struct tc_importer *im, struct batch *b);

/* Waits for a batch in flight; its outcome becomes the job's. A batch the
 * database refused as busy (another process holding it) is tried again. */
static tc_err batch_wait(struct tc_importer *im, struct batch *b, struct tc_fault *f)
{
	for (int tries = 0;; tries++) {
		pthread_mutex_lock(&im->mu);
		while (b->in_flight)
			pthread_cond_wait(&im->cv, &im->mu);
		pthread_mutex_unlock(&im->mu);
		if (b->n == 0 || b->wj.rc != TC_ERR_RETRY || tries >= BUSY_RETRIES)
			break;
		struct timespec ts = {0, 100000000L * (tries + 1)};
		nanosleep(&ts, NULL);
		batch_resubmit(im, b);
	}
	if (b->n == 0)
		return TC_ERR_OK;
	if (b->wj.rc != TC_ERR_OK) {
		*f = b->wj.fault;
		return b->wj.rc;
	}
	im->job.rows = b->job.rows;
	im->job.accepted = b->job.accepted;
	im->job.rejected = b->job.rejected;
	im->job.unchanged = b->job.unchanged;
	im->job.last_row = b->job.last_row;
	im->job.progress = b->job.progress;
	im->job.updated_at = b->job.updated_at;
	b->n = 0;
	if (im->o.progress)
		im->o.progress(im->o.cls, &im->job);
	return TC_ERR_OK;
}

static void batch_resubmit(struct tc_importer *im, struct batch *b)
{
	memset(&b->wj, 0, sizeof(b->wj));
	b->wj.run = batch_run;
	b->wj.cls = b;
	b->wj.done = batch_done;
	b->in_flight = true;
	tc_db_submit(im->db, &b->wj);
}

static void batch_submit(struct tc_importer *im, struct batch *b, int64_t rows_before)
{
	b->base = im->job;
	b->base.rows = rows_before + (int64_t)b->n;
	b->base.last_row = b->rows[b->n - 1].row_no;
	b->base.progress = (int64_t)(tc_table_progress(im->t) * 1000);
	memset(&b->wj, 0, sizeof(b->wj));
	b->wj.run = batch_run;
	b->wj.cls = b;
	b->wj.done = batch_done;
	b->in_flight = true;
	tc_db_submit(im->db, &b->wj);
}

static tc_err finish_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	const struct tc_import *j = cls;
	enum tc_qs qs = tc_q_import_update(c, j);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

tc_err tc_import_run(struct tc_importer *im, struct tc_fault *f)
{
	struct batch *cur = &im->b[0], *prev = &im->b[1];
	int64_t rows = im->job.rows;
	tc_err rc = TC_ERR_OK;
	const char *why = NULL;
	int got;

	if (strcmp(im->job.status, "running") != 0)
		return TC_ERR_OK;
	while ((got = tc_table_next(im->t)) == 1) {
		bool blank = true;
		long row_no = tc_table_row(im->t);

		if (row_no <= im->job.last_row)
			continue; /* committed by an earlier run of this job */
		for (size_t i = 0; i < tc_table_ncols(im->t) && blank; i++)
			blank = tc_table_cell(im->t, i)->n == 0;
		if (blank)
			continue;
		if (cur->n == cur->cap) {
			size_t cap = cur->cap ? cur->cap * 2 : (size_t)im->o.batch;
			struct row *rs = tc_xrealloc(cur->rows, cap * sizeof(*rs));
			cur->rows = rs;
			cur->cap = cap;
		}
		struct row *r = &cur->rows[cur->n++];
		memset(r, 0, sizeof(*r));
		r->row_no = row_no;
		r->cells = cells_json(im->t, &im->scratch, &cur->arena);
		read_row(im, r, &cur->arena);
		if (cur->n < (size_t)im->o.batch)
			continue;
		/* the previous batch must be in before this one goes */
		if ((rc = batch_wait(im, prev, f)) != TC_ERR_OK)
			break;
		rows = im->job.rows;
		batch_submit(im, cur, rows);
		struct batch *t = prev;
		prev = cur;
		cur = t;
		tc_arena_reset(&cur->arena);
		if (im->o.should_stop && im->o.should_stop(im->o.cls)) {
			rc = batch_wait(im, prev, f);
			goto out; /* still "running": a later run resumes it */
		}
	}
	if (rc == TC_ERR_OK)
		rc = batch_wait(im, prev, f);
	if (rc == TC_ERR_OK && cur->n > 0) {
		batch_submit(im, cur, im->job.rows);
		rc = batch_wait(im, cur, f);
	}
	if (rc != TC_ERR_OK) {
		why = f->message ? f->message : tc_err_message(rc);
		if (rc == TC_ERR_UNAVAILABLE)
			goto out; /* the server is stopping: resume later */
	} else if (got < 0) {
		why = tc_table_error(im->t);
		rc = tc_fault_setf(f, &im->arena, TC_ERR_INVALID_FIELD, "file", "%s", why);
	}
	im->job.status = why ? "failed" : "done";
	im->job.error = why ? tc_arena_strdup(&im->arena, why) : NULL;
	if (!why)
		im->job.progress = 1000;
	im->job.updated_at = tc_now_us();
	if (tc_db_run(im->db, finish_run, &im->job, NULL) != TC_ERR_OK)
		tc_warn("import %lld: could not record its end", (long long)im->job.id);
	if (im->o.progress)
		im->o.progress(im->o.cls, &im->job);
out:
	return rc;
}

void tc_import_close(struct tc_importer *im)
{
	if (im == NULL)
		return;
	tc_table_close(im->t);
	for (int k = 0; k < 2; k++) {
		free(im->b[k].rows);
		tc_arena_cleanup(&im->b[k].arena);
	}
	pthread_mutex_destroy(&im->mu);
	pthread_cond_destroy(&im->cv);
	tc_buf_cleanup(&im->scratch);
	tc_arena_cleanup(&im->arena);
	free(im);
}

/* ---- views ---------------------------------------------------------------------- */

void tc_jw_import(struct tc_jw *w, const struct tc_import *j)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", j->id);
	tc_jw_kstr(w, "kind", j->kind);
	tc_jw_kstr(w, "file_name", j->file_name);
	tc_jw_kstr(w, "format", j->format);
	tc_jw_kstr(w, "encoding", j->encoding);
	tc_jw_kstr(w, "status", j->status);
	tc_jw_kint(w, "rows", j->rows);
	tc_jw_kint(w, "accepted", j->accepted);
	tc_jw_kint(w, "rejected", j->rejected);
	tc_jw_kint(w, "unchanged", j->unchanged);
	tc_jw_kint(w, "last_row", j->last_row);
	char progress[16];
	snprintf(progress, sizeof(progress), "%.3f",
	         (double)(j->progress < 0 ? 0 : j->progress > 1000 ? 1000 : j->progress) / 1000);
	tc_jw_key(w, "progress");
	tc_jw_raw(w, progress);
	tc_jw_kstr(w, "error", j->error);
	/* running, but no batch for a minute: its server stopped or died;
	 * importing the same file again resumes it */
	tc_jw_kbool(w, "stalled",
	            strcmp(j->status ? j->status : "", "running") == 0 &&
	                    tc_now_us() - (j->updated_at ? j->updated_at : j->created_at) >
	                            60 * 1000000LL);
	tc_jw_key(w, "created_by");
	if (j->created_by)
		tc_jw_int(w, j->created_by);
	else
		tc_jw_null(w);
	tc_jw_key(w, "created_at");
	tc_jw_time(w, j->created_at);
	tc_jw_key(w, "updated_at");
	tc_jw_time(w, j->updated_at);
	tc_jw_end(w);
}

static void csv_field(struct tc_buf *out, const char *s)
{
	/* a cell that a spreadsheet would run as a formula is written as text */
	if (*s == '=' || *s == '+' || *s == '-' || *s == '@') {
		tc_buf_append(out, "'", 1);
	}
	if (strpbrk(s, ",\"\r\n") == NULL) {
		tc_buf_puts(out, s);
		return;
	}
	tc_buf_append(out, "\"", 1);
	for (; *s; s++) {
		if (*s == '"')
			tc_buf_append(out, "\"", 1);
		tc_buf_append(out, s, 1);
	}
	tc_buf_append(out, "\"", 1);
}

static void csv_row(struct tc_buf *out, const char *cells_json, size_t ncols,
                    const char *row, const char *reason)
{
	json_t *arr = json_loads(cells_json ? cells_json : "[]", 0, NULL);
	for (size_t i = 0; i < ncols; i++) {
		json_t *v = json_array_get(arr, i);
		csv_field(out, json_is_string(v) ? json_string_value(v) : "");
		tc_buf_append(out, ",", 1);
	}
	csv_field(out, row);
	tc_buf_append(out, ",", 1);
	csv_field(out, reason);
	tc_buf_append(out, "\r\n", 2);
	json_decref(arr);
}

tc_err tc_import_rejects_csv(struct tc_dbc *c, const struct tc_import *j, struct tc_buf *out,
                             struct tc_fault *f)
{
	json_t *hdr = json_loads(j->header ? j->header : "[]", 0, NULL);
	size_t ncols = json_array_size(hdr);
	int64_t after = 0;
	struct tc_arena a;
	tc_err rc = TC_ERR_OK;

	json_decref(hdr);
	tc_buf_append(out, "\xEF\xBB\xBF", 3); /* Excel reads UTF-8 with a BOM */
	csv_row(out, j->header, ncols, "row", "reason");
	tc_arena_init(&a);
	for (;;) {
		struct tc_import_reject *r;
		size_t n;
		enum tc_qs qs = tc_q_import_rejects(c, j->id, after, 5000, &a, &r, &n);
		if (qs < 0) {
			rc = tc_qs_err(qs, f);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			char row[24];
			snprintf(row, sizeof(row), "%lld", (long long)r[i].row_no);
			csv_row(out, r[i].cells, ncols, row,
			        r[i].field ? tc_arena_printf(&a, "%s: %s", r[i].field, r[i].reason)
			                   : r[i].reason);
		}
		if (n < 5000)
			break;
		after = r[n - 1].row_no;
		tc_arena_reset(&a);
	}
	tc_arena_cleanup(&a);
	return rc;
}
