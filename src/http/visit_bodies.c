/* Reading the screening and adverse event bodies: jansson takes out the
 * parts the declarative specs cannot describe (a map of answers, a decimal
 * temperature, a list of symptoms); the rest of the object goes through
 * tc_jspec_parse like every other body. */
#include "visit_bodies.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/jspec.h"
#include "../core/tctime.h"
#include "../core/util.h"

static bool is_code(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TC_VISIT_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* Loads the body as an object; NULL with the fault set otherwise. */
static json_t *load_object(const char *body, size_t len, struct tc_arena *a,
                           struct tc_fault *f)
{
	json_error_t jerr;
	json_t *root;

	if (len == 0) {
		tc_fault_set(f, TC_ERR_BAD_JSON, NULL,
		             "the request body is empty; a JSON object is required");
		return NULL;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		tc_fault_setf(f, a, TC_ERR_BAD_JSON, NULL, "malformed JSON at line %d, column %d: %s",
		              jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		tc_fault_set(f, TC_ERR_NOT_OBJECT, NULL, NULL);
		return NULL;
	}
	return root;
}

/* The object without the keys taken out, through `spec`. */
static tc_err parse_rest(json_t *root, const struct tc_jfield *spec, void *out,
                         struct tc_arena *a, struct tc_fault *f)
{
	char *rest = json_dumps(root, JSON_COMPACT);
	tc_err rc;

	if (rest == NULL)
		return tc_fault_set(f, TC_ERR_BAD_JSON, NULL, "the request body cannot be read");
	rc = tc_jspec_parse(rest, strlen(rest), spec, out, a, f);
	free(rest);
	return rc;
}

/* ---- screening ---------------------------------------------------------------- */

struct screening_rest {
	const char *product;
	struct tc_jint systolic, diastolic, pulse;
	struct tc_jbool guardian_consent;
	const char *guardian_name;
};

static const struct tc_jfield screening_spec[] = {
	TC_JSTR(struct screening_rest, product, 0, 1, 100),
	TC_JINT(struct screening_rest, systolic, 0, 0, 1000),
	TC_JINT(struct screening_rest, diastolic, 0, 0, 1000),
	TC_JINT(struct screening_rest, pulse, 0, 0, 1000),
	TC_JBOOL(struct screening_rest, guardian_consent, 0),
	TC_JSTR(struct screening_rest, guardian_name, 0, 1, 200),
	TC_JEND,
};

static tc_err take_answers(json_t *answers, struct tc_arena *a,
                           struct tc_screening_body *out, struct tc_fault *f)
{
	const char *key;
	json_t *v;

	if (answers == NULL)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "answers",
		                    "answers is required: {\"code\": true|false, ...}");
	if (!json_is_object(answers))
		return tc_fault_set(f, TC_ERR_WRONG_TYPE, "answers",
		                    "answers must be an object of {\"code\": true|false}");
	if (json_object_size(answers) > TC_SCREEN_MAX_ANSWERS)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "answers", "too many answers");
	out->answers = TC_NEWN(a, struct tc_screen_answer,
	                       json_object_size(answers) ? json_object_size(answers) : 1);
	json_object_foreach(answers, key, v)
	{
		if (!is_code(key))
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, "answers",
			                    "an answer's key must be a question's code "
			                    "(a-z, 0-9 and _)");
		if (!json_is_boolean(v))
			return tc_fault_setf(f, a, TC_ERR_WRONG_TYPE,
			                     tc_arena_printf(a, "answers.%s", key),
			                     "answers.%s must be true or false", key);
		out->answers[out->nanswers++] =
			(struct tc_screen_answer){tc_arena_strdup(a, key), json_is_true(v)};
	}
	return TC_ERR_OK;
}

static tc_err take_temperature(json_t *t, struct tc_screening_body *out, struct tc_fault *f)
{
	double d;

	if (t == NULL)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "temperature",
		                    "temperature is required (°C, such as 36.8)");
	if (!json_is_number(t))
		return tc_fault_set(f, TC_ERR_WRONG_TYPE, "temperature",
		                    "temperature must be a number of °C, such as 36.8");
	d = json_number_value(t);
	if (!(d >= 0 && d <= 100))
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "temperature",
		                    "temperature must be in °C, from 30.0 to 45.0");
	out->temperature_dc = (int)lround(d * 10);
	return TC_ERR_OK;
}

tc_err tc_screening_body_parse(const char *body, size_t len, struct tc_arena *a,
                               struct tc_screening_body *out, struct tc_fault *f)
{
	struct screening_rest rest = {0};
	json_t *root, *answers, *temp;
	tc_err rc;

	memset(out, 0, sizeof *out);
	if ((root = load_object(body, len, a, f)) == NULL)
		return f->code;
	answers = json_incref(json_object_get(root, "answers"));
	temp = json_incref(json_object_get(root, "temperature"));
	json_object_del(root, "answers");
	json_object_del(root, "temperature");
	rc = parse_rest(root, screening_spec, &rest, a, f);
	if (rc == TC_ERR_OK)
		rc = take_temperature(temp, out, f);
	if (rc == TC_ERR_OK)
		rc = take_answers(answers, a, out, f);
	json_decref(answers);
	json_decref(temp);
	json_decref(root);
	if (rc != TC_ERR_OK) {
		memset(out, 0, sizeof *out);
		return rc;
	}
	out->product = rest.product;
	out->systolic = rest.systolic.set ? (int)rest.systolic.v : 0;
	out->diastolic = rest.diastolic.set ? (int)rest.diastolic.v : 0;
	out->pulse = rest.pulse.set ? (int)rest.pulse.v : 0;
	out->guardian_consent = rest.guardian_consent.set && rest.guardian_consent.v;
	out->guardian_name = rest.guardian_name;
	return TC_ERR_OK;
}

/* ---- adverse events --------------------------------------------------------------- */

struct aefi_rest {
	const char *onset_at, *description, *severity, *actions, *outcome;
};

static const struct tc_jfield aefi_spec[] = {
	TC_JSTR(struct aefi_rest, onset_at, TC_JF_REQUIRED, 1, 40),
	TC_JSTR(struct aefi_rest, description, TC_JF_MULTILINE, 1, 2000),
	TC_JSTR(struct aefi_rest, severity, TC_JF_REQUIRED, 1, 16),
	TC_JSTR(struct aefi_rest, actions, TC_JF_MULTILINE, 1, 2000),
	TC_JSTR(struct aefi_rest, outcome, TC_JF_REQUIRED, 1, 16),
	TC_JEND,
};

static const char *const severities[] = {"mild", "moderate", "severe", NULL};
static const char *const outcomes[] = {"recovering", "recovered", "hospitalised", "died",
                                       "unknown", NULL};

static tc_err take_symptoms(json_t *list, struct tc_arena *a, struct tc_aefi_body *out,
                            struct tc_fault *f)
{
	struct tc_buf b;
	size_t i;
	json_t *v;

	if (list == NULL)
		return tc_fault_set(f, TC_ERR_MISSING_FIELD, "symptoms",
		                    "symptoms is required: a list of codes such as \"fever\"");
	if (!json_is_array(list))
		return tc_fault_set(f, TC_ERR_WRONG_TYPE, "symptoms",
		                    "symptoms must be a list of codes");
	if (json_array_size(list) == 0 || json_array_size(list) > TC_AEFI_MAX_SYMPTOMS)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "symptoms",
		                    "symptoms must list 1 to 20 codes");
	out->symptoms = TC_NEWN(a, const char *, json_array_size(list));
	json_array_foreach(list, i, v)
	{
		const char *field = tc_arena_printf(a, "symptoms[%zu]", i);
		if (!json_is_string(v))
			return tc_fault_set(f, TC_ERR_WRONG_TYPE, field, "a symptom must be a code");
		if (!is_code(json_string_value(v)) || strlen(json_string_value(v)) != json_string_length(v))
			return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
			                    "a symptom must be a code (a-z, 0-9 and _)");
		for (size_t k = 0; k < out->nsymptoms; k++)
			if (strcmp(out->symptoms[k], json_string_value(v)) == 0)
				return tc_fault_set(f, TC_ERR_INVALID_FIELD, field,
				                    "a symptom is listed twice");
		out->symptoms[out->nsymptoms++] = tc_arena_strdup(a, json_string_value(v));
	}
	tc_buf_init(&b);
	for (i = 0; i < out->nsymptoms; i++)
		tc_buf_printf(&b, "%s%s", i ? "," : "", out->symptoms[i]);
	out->symptoms_csv = tc_arena_strndup(a, b.data, b.len);
	tc_buf_cleanup(&b);
	return TC_ERR_OK;
}

tc_err tc_aefi_body_parse(const char *body, size_t len, struct tc_arena *a,
                          struct tc_aefi_body *out, struct tc_fault *f)
{
	struct aefi_rest rest = {0};
	json_t *root, *symptoms;
	tc_err rc;

	memset(out, 0, sizeof *out);
	if ((root = load_object(body, len, a, f)) == NULL)
		return f->code;
	symptoms = json_incref(json_object_get(root, "symptoms"));
	json_object_del(root, "symptoms");
	rc = parse_rest(root, aefi_spec, &rest, a, f);
	if (rc == TC_ERR_OK && !tc_time_parse(rest.onset_at, &out->onset_at))
		rc = tc_fault_set(f, TC_ERR_INVALID_FIELD, "onset_at",
		                  "onset_at must be a UTC time such as 2026-05-01T08:30:00Z");
	if (rc == TC_ERR_OK && !one_of(rest.severity, severities))
		rc = tc_fault_set(f, TC_ERR_INVALID_FIELD, "severity",
		                  "severity must be mild, moderate or severe");
	if (rc == TC_ERR_OK && !one_of(rest.outcome, outcomes))
		rc = tc_fault_set(f, TC_ERR_INVALID_FIELD, "outcome",
		                  "outcome must be recovering, recovered, hospitalised, died "
		                  "or unknown");
	if (rc == TC_ERR_OK)
		rc = take_symptoms(symptoms, a, out, f);
	json_decref(symptoms);
	json_decref(root);
	if (rc != TC_ERR_OK) {
		memset(out, 0, sizeof *out);
		return rc;
	}
	out->description = rest.description;
	out->severity = rest.severity;
	out->actions = rest.actions;
	out->outcome = rest.outcome;
	return TC_ERR_OK;
}
