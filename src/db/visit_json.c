/* JSON views of doses and adverse events (docs/visits.md), for the API and
 * the audit log. */
#include <string.h>

#include "../core/jw.h"
#include "visits.h"

static void jw_kid(struct tc_jw *w, const char *key, int64_t id)
{
	tc_jw_key(w, key);
	if (id)
		tc_jw_int(w, id);
	else
		tc_jw_null(w);
}

static void jw_ktime(struct tc_jw *w, const char *key, int64_t t)
{
	tc_jw_key(w, key);
	tc_jw_time(w, t); /* 0 writes null */
}

/* "a,b" as ["a", "b"]; "" as []. */
static void jw_klist(struct tc_jw *w, const char *key, const char *csv)
{
	tc_jw_key(w, key);
	tc_jw_arr(w);
	while (csv && *csv) {
		const char *comma = strchr(csv, ',');
		size_t n = comma ? (size_t)(comma - csv) : strlen(csv);
		char item[64];
		if (n && n < sizeof item) {
			memcpy(item, csv, n);
			item[n] = '\0';
			tc_jw_str(w, item);
		}
		csv += n + (comma != NULL);
	}
	tc_jw_end(w);
}

void tc_jw_dose(struct tc_jw *w, const struct tc_dose *d)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", d->id);
	tc_jw_kint(w, "citizen_id", d->citizen_id);
	tc_jw_kstr(w, "full_name", d->full_name);
	tc_jw_kstr(w, "product", d->product);
	tc_jw_kstr(w, "product_name", d->product_name);
	jw_kid(w, "lot_id", d->lot_id);
	tc_jw_kstr(w, "lot_number", d->lot_number);
	tc_jw_kstr(w, "given_on", d->given_on);
	jw_ktime(w, "given_at", d->given_at);
	tc_jw_kstr(w, "kind", d->kind);
	tc_jw_kint(w, "number", d->number);
	jw_kid(w, "site_id", d->site_id);
	tc_jw_kstr(w, "site_name", d->site_name);
	tc_jw_kstr(w, "place", d->place);
	jw_kid(w, "visit_id", d->visit_id);
	tc_jw_kstr(w, "source", d->source);
	tc_jw_kstr(w, "source_ref", d->source_ref);
	tc_jw_kstr(w, "status", d->status);
	jw_klist(w, "flags", d->flags);
	tc_jw_kstr(w, "override_reason", d->override_reason);
	tc_jw_kstr(w, "review", d->review);
	jw_kid(w, "replaces_id", d->replaces_id);
	tc_jw_kstr(w, "void_reason", d->void_reason);
	jw_ktime(w, "voided_at", d->voided_at);
	jw_ktime(w, "created_at", d->created_at);
	tc_jw_kint(w, "version", d->version);
	tc_jw_end(w);
}

void tc_jw_aefi(struct tc_jw *w, const struct tc_aefi *e)
{
	tc_jw_obj(w);
	tc_jw_kint(w, "id", e->id);
	tc_jw_kint(w, "dose_id", e->dose_id);
	tc_jw_kint(w, "citizen_id", e->citizen_id);
	jw_kid(w, "lot_id", e->lot_id);
	jw_kid(w, "site_id", e->site_id);
	jw_ktime(w, "onset_at", e->onset_at);
	jw_klist(w, "symptoms", e->symptoms);
	tc_jw_kstr(w, "description", e->description);
	tc_jw_kstr(w, "severity", e->severity);
	tc_jw_kstr(w, "actions", e->actions);
	tc_jw_kstr(w, "outcome", e->outcome);
	jw_ktime(w, "reported_at", e->reported_at);
	tc_jw_end(w);
}
