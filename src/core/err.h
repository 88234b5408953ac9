/* Errors: one enum, generated from err.def, each with an HTTP status and a
 * snake_case code. A struct tc_fault carries the detail (field, message) from
 * where a fault is found to where the answer is written. */
#ifndef TC_ERR_H
#define TC_ERR_H

#include <stdint.h>

enum tc_err {
#define TC_ERR(name, status, code, msg) TC_ERR_##name,
#include "err.def"
#undef TC_ERR
	TC_ERR__COUNT
};
typedef enum tc_err tc_err;

struct tc_arena;

/* The detail of a client-visible fault. Strings are either static or live
 * as long as the arena the fault was filled from. */
struct tc_fault {
	tc_err code;
	const char *field;   /* the offending field or parameter, or NULL */
	const char *message; /* human-readable reason, or NULL for the default */
	const char *file;    /* where an internal fault was found (logs only) */
	int line;
	/* a conflict with a record the client may go to (409 {existing_id}) */
	int64_t existing_id;
	/* a dose the schedule refuses (409 schedule): the verdict's code and
	 * the earliest day it may be given ("YYYY-MM-DD"), or NULL */
	const char *reason;
	const char *earliest;
};

unsigned tc_err_status(tc_err e);
const char *tc_err_code(tc_err e);
const char *tc_err_message(tc_err e);

/* Records a fault and returns its code, so callers write
 *   return tc_fault_set(f, TC_ERR_INVALID_FIELD, "role", "unknown role");
 * `field` and `message` must outlive the fault (static or arena). */
tc_err tc_fault_set(struct tc_fault *f, tc_err code, const char *field,
                    const char *message);
/* Same, with a printf-style message allocated from `a`. */
tc_err tc_fault_setf(struct tc_fault *f, struct tc_arena *a, tc_err code,
                     const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* An internal fault: logged with file and line when answered; the client
 * sees only the generic message. */
#define tc_fault_internal(f, code, why)                                         \
	tc_fault_internal_at((f), (code), (why), __FILE__, __LINE__)
tc_err tc_fault_internal_at(struct tc_fault *f, tc_err code, const char *why,
                            const char *file, int line);
void tc_fault_clear(struct tc_fault *f);

#endif
