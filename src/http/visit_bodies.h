/* The bodies of POST /api/v1/visits/{id}/screening and of the adverse
 * event reports (docs/visits.md): objects with a map of answers, a decimal
 * temperature and a list of symptoms, which the declarative specs of
 * core/jspec.h do not describe. Pure functions (no I/O, no globals), so
 * that tests/fuzz/fuzz_visit_bodies.c can call them. */
#ifndef TC_VISIT_BODIES_H
#define TC_VISIT_BODIES_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/err.h"
#include "../domain/screening.h"

struct tc_arena;

#define TC_SCREEN_MAX_ANSWERS 100
#define TC_AEFI_MAX_SYMPTOMS  20
#define TC_VISIT_CODE_MAX     64 /* an answer's or a symptom's code: [a-z0-9_] */

struct tc_screening_body {
	const char *product; /* NULL: the session's */
	struct tc_screen_answer *answers; /* in the body's order */
	size_t nanswers;
	int temperature_dc;             /* tenths of °C, rounded */
	int systolic, diastolic, pulse; /* 0: not given */
	bool guardian_consent;
	const char *guardian_name; /* NULL: not given */
};

/* Reads a screening body. Faults: BAD_JSON, NOT_OBJECT, UNKNOWN_FIELD,
 * MISSING_FIELD "temperature" / "answers", WRONG_TYPE naming the field
 * ("answers.<code>" for an answer that is not true or false),
 * INVALID_FIELD for a temperature outside 0..100, a measure outside
 * 0..1000, an answer code that is not [a-z0-9_]{1,64} or more than
 * TC_SCREEN_MAX_ANSWERS answers. Whether the answers fit the checklist is
 * tc_screen_evaluate's business. Strings from `a`. */
tc_err tc_screening_body_parse(const char *body, size_t len, struct tc_arena *a,
                               struct tc_screening_body *out, struct tc_fault *f);

struct tc_aefi_body {
	int64_t onset_at;       /* µs since the epoch */
	const char **symptoms;  /* codes, distinct, in the body's order */
	size_t nsymptoms;       /* 1..TC_AEFI_MAX_SYMPTOMS */
	const char *symptoms_csv; /* the same joined with commas */
	const char *description, *actions; /* NULL: not given */
	const char *severity;   /* mild, moderate, severe */
	const char *outcome;    /* recovering, recovered, hospitalised, died, unknown */
};

/* Reads an adverse event report. Faults as above; INVALID_FIELD for an
 * onset_at that is not a UTC time ("2026-05-01T08:30:00Z"), a symptom that
 * is not a code or repeated, a severity or outcome not in the lists. */
tc_err tc_aefi_body_parse(const char *body, size_t len, struct tc_arena *a,
                          struct tc_aefi_body *out, struct tc_fault *f);

#endif
