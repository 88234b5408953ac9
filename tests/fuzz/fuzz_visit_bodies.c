/* Fuzzes the readers of the screening and adverse event bodies
 * (src/http/visit_bodies.c). The first byte picks the reader, the rest is
 * the body. Checked against jansson's own reading of the bytes:
 *   - success: the body is an object; a screening's answers are exactly
 *     the object's "answers" (codes, true/false) and its temperature the
 *     number rounded to tenths; a report's symptoms are the list's codes,
 *     distinct, joined by commas in symptoms_csv, and its severity and
 *     outcome are ones of the lists;
 *   - failure: a client error (4xx) with the output cleared.
 * Memory comes from an arena released per input, so leaks show. */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "fuzz.h"
#include "http/visit_bodies.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(1);
	return 0;
}

static void check_screening(json_t *root, const struct tc_screening_body *b)
{
	json_t *ans = json_object_get(root, "answers");

	FUZZ_CHECK(json_is_object(root) && json_is_object(ans));
	FUZZ_CHECK(json_object_size(ans) == b->nanswers);
	for (size_t i = 0; i < b->nanswers; i++) {
		json_t *v = json_object_get(ans, b->answers[i].code);
		FUZZ_CHECK(json_is_boolean(v) && json_is_true(v) == b->answers[i].yes);
	}
	double t = json_number_value(json_object_get(root, "temperature"));
	FUZZ_CHECK(t >= 0 && t <= 100 && b->temperature_dc == (int)lround(t * 10));
	FUZZ_CHECK(b->systolic >= 0 && b->systolic <= 1000 && b->pulse >= 0 &&
	           b->pulse <= 1000);
}

static void check_aefi(json_t *root, const struct tc_aefi_body *b)
{
	json_t *list = json_object_get(root, "symptoms");
	size_t len = 0;

	FUZZ_CHECK(json_is_object(root) && json_is_array(list));
	FUZZ_CHECK(json_array_size(list) == b->nsymptoms && b->nsymptoms >= 1 &&
	           b->nsymptoms <= TC_AEFI_MAX_SYMPTOMS);
	for (size_t i = 0; i < b->nsymptoms; i++) {
		FUZZ_CHECK(strcmp(json_string_value(json_array_get(list, i)),
		                  b->symptoms[i]) == 0);
		for (size_t k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(b->symptoms[k], b->symptoms[i]) != 0);
		FUZZ_CHECK(strchr(b->symptoms[i], ',') == NULL);
		len += strlen(b->symptoms[i]) + (i > 0);
	}
	FUZZ_CHECK(strlen(b->symptoms_csv) == len);
	FUZZ_CHECK(strcmp(b->severity, "mild") == 0 ||
	           strcmp(b->severity, "moderate") == 0 ||
	           strcmp(b->severity, "severe") == 0);
	FUZZ_CHECK(b->outcome != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tc_arena a;
	struct tc_fault f = { 0 };
	json_t *root;
	tc_err rc;

	if (size < 1)
		return 0;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	tc_arena_init(&a);
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (data[0] & 1) {
		struct tc_aefi_body b;
		rc = tc_aefi_body_parse(body, len, &a, &b, &f);
		if (rc == TC_ERR_OK)
			check_aefi(root, &b);
		else
			FUZZ_CHECK(b.symptoms == NULL && b.nsymptoms == 0);
	} else {
		struct tc_screening_body b;
		rc = tc_screening_body_parse(body, len, &a, &b, &f);
		if (rc == TC_ERR_OK)
			check_screening(root, &b);
		else
			FUZZ_CHECK(b.answers == NULL && b.nanswers == 0);
	}
	if (rc != TC_ERR_OK) {
		FUZZ_CHECK(rc == f.code);
		FUZZ_CHECK(tc_err_status(rc) >= 400 && tc_err_status(rc) < 500);
		if (root == NULL)
			FUZZ_CHECK(rc == TC_ERR_BAD_JSON);
	}
	json_decref(root);
	tc_arena_cleanup(&a);
	return 0;
}
