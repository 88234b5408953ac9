/* Citizens as the API, the citizen portal and imports take them in: the
 * identity rules applied to fresh data, the JSON view, and the write
 * that keeps one person to one record. */
#ifndef TC_CITIZENS_H
#define TC_CITIZENS_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/jw.h"
#include "../domain/access.h"
#include "db.h"

/* A citizen as given, before the rules. NULL: not given. */
struct tc_citizen_in {
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
	int64_t priority_group; /* 0: none */
	int64_t guardian_id;    /* 0: none */
	/* spreadsheets: dd/mm/yyyy and Excel serial dates, Nam/Nữ */
	bool loose;
	/* a person named by a record of a dose already given: an adult
	 * without a document is accepted, flagged "identity_incomplete",
	 * for the cleaning worklists (the dose is never turned away) */
	bool from_dose_record;
};

#define TC_PRIORITY_GROUPS 16

/* Applies the identity rules to fresh data (staff entry, citizen
 * self-registration, imports) and fills `out` (strings from `a`; id,
 * token, source and times are the caller's). Refuses with the field and
 * the reason. `units` gives communes and the CCCD province codes; `today`
 * is a day number in Asia/Ho_Chi_Minh. */
tc_err tc_citizen_prepare(const struct tc_citizen_in *in, const struct tc_units *units,
                          int64_t today, struct tc_arena *a, struct tc_citizen *out,
                          struct tc_fault *f);

/* The key of the citizen's document in citizen_documents, or NULL for a
 * person without one. */
const char *tc_citizen_doc_key(const struct tc_citizen *ct, struct tc_arena *a);

/* Inserts a prepared citizen in the caller's transaction: draws the id
 * and QR token, claims the document number (CONFLICT with *existing set
 * to its owner when the number is on file), checks the guardian, records
 * likely duplicates (*dups: whether any) and audits. */
tc_err tc_citizen_insert(struct tc_dbc *c, const struct tc_actor *actor,
                         struct tc_citizen *ct, struct tc_arena *a, int64_t *existing,
                         bool *dups, struct tc_fault *f);

/* A guardian named by ct must be another citizen on file, and an adult
 * (INVALID_FIELD, field guardian_id, otherwise). In the caller's
 * transaction. */
tc_err tc_citizen_check_guardian(struct tc_dbc *c, const struct tc_citizen *ct,
                                 struct tc_arena *a, struct tc_fault *f);

/* The same without the audit entry, for imports (which audit per batch). */
tc_err tc_citizen_store(struct tc_dbc *c, struct tc_citizen *ct, struct tc_arena *a,
                        int64_t *existing, bool *dups, struct tc_fault *f);

/* JSON views. The QR token is never part of them. */
void tc_jw_citizen(struct tc_jw *w, const struct tc_citizen *ct);
const char *tc_citizen_json(const struct tc_citizen *ct, struct tc_arena *a);

#endif
