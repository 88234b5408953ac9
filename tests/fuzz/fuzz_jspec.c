/* Fuzzes tc_jspec_parse (src/core/jspec.c) with request bodies.
 *
 * Every input is parsed against two specs: a copy of POST /api/v1/users'
 * create_spec (src/http/api_users.c) and a wider one with every kind of
 * field, required and optional. The result is checked against jansson's
 * own reading of the same bytes:
 *   - success: the body is an object whose keys are all in the spec; every
 *     required field was given (not null) and every given field holds
 *     exactly the JSON value, of the right type, inside its limits; fields
 *     not given are left unset;
 *   - failure: the code is a client error (4xx, never a 5xx) recorded in
 *     the fault, and the reason it names is true of the body.
 * Memory comes from an arena released per input, so leaks show. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/jspec.h"
#include "fuzz.h"

/* As in src/http/api_users.c. */
struct user_body {
	const char *username;
	const char *password;
	const char *role;
	const char *unit;
	struct tc_jint facility;
	struct tc_jbool active;
};

static const struct tc_jfield user_spec[] = {
	TC_JSTR(struct user_body, username, TC_JF_REQUIRED, 3, 64),
	TC_JSTR(struct user_body, password, TC_JF_REQUIRED, 1, 1024),
	TC_JSTR(struct user_body, role, TC_JF_REQUIRED, 1, 32),
	TC_JSTR(struct user_body, unit, 0, 1, 16),
	TC_JINT(struct user_body, facility, 0, 1, INT64_MAX),
	TC_JEND,
};

/* Every field kind, required and optional, narrow and wide ranges. */
struct wide_body {
	const char *name;      /* required string */
	struct tc_jint dose;   /* required int 1..4 */
	struct tc_jbool ok;    /* required bool */
	const char *note;      /* optional multiline string */
	const char *code;      /* optional string, exactly 5 characters */
	struct tc_jint lot;    /* optional int, any value */
	struct tc_jint offset; /* optional int -10..10 */
	struct tc_jbool active;
};

static const struct tc_jfield wide_spec[] = {
	TC_JSTR(struct wide_body, name, TC_JF_REQUIRED, 1, 200),
	TC_JINT(struct wide_body, dose, TC_JF_REQUIRED, 1, 4),
	TC_JBOOL(struct wide_body, ok, TC_JF_REQUIRED),
	TC_JSTR(struct wide_body, note, TC_JF_MULTILINE, 0, 2000),
	TC_JSTR(struct wide_body, code, 0, 5, 5),
	TC_JINT(struct wide_body, lot, 0, INT64_MIN, INT64_MAX),
	TC_JINT(struct wide_body, offset, 0, -10, 10),
	TC_JBOOL(struct wide_body, active, 0),
	TC_JEND,
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	json_object_seed(1); /* same hashing on every run */
	return 0;
}

static const struct tc_jfield *lookup(const struct tc_jfield *spec, const char *name)
{
	for (; spec->type != TC_JT_END; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

static bool given(const json_t *v)
{
	return v != NULL && !json_is_null(v);
}

static bool type_ok(const struct tc_jfield *fd, const json_t *v)
{
	switch (fd->type) {
	case TC_JT_STRING:
		return json_is_string(v);
	case TC_JT_INT:
		return json_is_integer(v);
	case TC_JT_BOOL:
		return json_is_boolean(v);
	case TC_JT_END:
		break;
	}
	return false;
}

/* The parse succeeded: everything it filled must match jansson's reading. */
static void check_success(const struct tc_jfield *spec, const void *out,
                          json_t *root)
{
	const char *key;
	size_t keylen;
	json_t *v;

	FUZZ_CHECK(root != NULL && json_is_object(root));
	json_object_keylen_foreach(root, key, keylen, v) {
		/* Every key is a spec field, spelled exactly (no NUL tail). */
		FUZZ_CHECK(keylen == strlen(key));
		FUZZ_CHECK(lookup(spec, key) != NULL);
	}
	for (const struct tc_jfield *fd = spec; fd->type != TC_JT_END; fd++) {
		const char *slot = (const char *)out + fd->offset;
		v = json_object_get(root, fd->name);
		if (!given(v)) {
			FUZZ_CHECK(!(fd->flags & TC_JF_REQUIRED));
			switch (fd->type) {
			case TC_JT_STRING:
				FUZZ_CHECK(*(const char *const *)slot == NULL);
				break;
			case TC_JT_INT:
				FUZZ_CHECK(!((const struct tc_jint *)slot)->set);
				break;
			case TC_JT_BOOL:
				FUZZ_CHECK(!((const struct tc_jbool *)slot)->set);
				break;
			case TC_JT_END:
				break;
			}
			continue;
		}
		FUZZ_CHECK(type_ok(fd, v));
		switch (fd->type) {
		case TC_JT_STRING: {
			const char *s = *(const char *const *)slot;
			size_t n = json_string_length(v);
			FUZZ_CHECK(s != NULL);
			FUZZ_CHECK(strlen(s) == n); /* no NUL inside */
			FUZZ_CHECK(memcmp(s, json_string_value(v), n) == 0);
			long chars = tc_utf8_check(s, n, fd->flags & TC_JF_MULTILINE);
			FUZZ_CHECK(chars >= fd->min && chars <= fd->max);
			break;
		}
		case TC_JT_INT: {
			const struct tc_jint *o = (const struct tc_jint *)slot;
			FUZZ_CHECK(o->set);
			FUZZ_CHECK(o->v == json_integer_value(v));
			FUZZ_CHECK(o->v >= fd->min && o->v <= fd->max);
			break;
		}
		case TC_JT_BOOL: {
			const struct tc_jbool *o = (const struct tc_jbool *)slot;
			FUZZ_CHECK(o->set);
			FUZZ_CHECK(o->v == json_is_true(v));
			break;
		}
		case TC_JT_END:
			break;
		}
	}
}

/* The parse failed: the fault must be a client error whose reason holds. */
static void check_failure(const struct tc_jfield *spec, tc_err rc,
                          const struct tc_fault *f, json_t *root, size_t len)
{
	const struct tc_jfield *fd;
	json_t *v;

	FUZZ_CHECK(rc != TC_ERR_OK && rc < TC_ERR__COUNT);
	FUZZ_CHECK(f->code == rc);
	FUZZ_CHECK(tc_err_status(rc) >= 400 && tc_err_status(rc) < 500);
	FUZZ_CHECK(f->file == NULL); /* not an internal fault */
	switch (rc) {
	case TC_ERR_BAD_JSON:
		FUZZ_CHECK(len == 0 || root == NULL);
		FUZZ_CHECK(f->message != NULL);
		break;
	case TC_ERR_NOT_OBJECT:
		FUZZ_CHECK(root != NULL && !json_is_object(root));
		break;
	case TC_ERR_UNKNOWN_FIELD:
		FUZZ_CHECK(root != NULL && json_is_object(root));
		if (f->field) {
			FUZZ_CHECK(lookup(spec, f->field) == NULL);
			FUZZ_CHECK(strlen(f->field) <= 64);
			FUZZ_CHECK(tc_utf8_check(f->field, strlen(f->field), false) >= 0);
		}
		break;
	case TC_ERR_MISSING_FIELD:
		FUZZ_CHECK(root != NULL && f->field != NULL);
		fd = lookup(spec, f->field);
		FUZZ_CHECK(fd != NULL && (fd->flags & TC_JF_REQUIRED));
		FUZZ_CHECK(!given(json_object_get(root, f->field)));
		break;
	case TC_ERR_WRONG_TYPE:
		FUZZ_CHECK(root != NULL && f->field != NULL);
		fd = lookup(spec, f->field);
		FUZZ_CHECK(fd != NULL);
		v = json_object_get(root, f->field);
		FUZZ_CHECK(v != NULL && !type_ok(fd, v));
		break;
	case TC_ERR_INVALID_FIELD:
		FUZZ_CHECK(root != NULL && f->field != NULL);
		fd = lookup(spec, f->field);
		FUZZ_CHECK(fd != NULL && fd->type != TC_JT_BOOL);
		v = json_object_get(root, f->field);
		FUZZ_CHECK(v != NULL && type_ok(fd, v));
		if (fd->type == TC_JT_INT) {
			json_int_t i = json_integer_value(v);
			FUZZ_CHECK(i < fd->min || i > fd->max);
		}
		break;
	default:
		FUZZ_CHECK(!"tc_jspec_parse returned an unexpected code");
	}
}

static void run(const char *body, size_t len, const struct tc_jfield *spec,
                void *out, size_t out_size)
{
	struct tc_arena a;
	struct tc_fault f = {0};
	json_error_t jerr;
	json_t *root;
	tc_err rc;

	memset(out, 0, out_size);
	tc_arena_init(&a);
	rc = tc_jspec_parse(body, len, spec, out, &a, &f);
	root = len ? json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr)
	           : NULL;
	if (rc == TC_ERR_OK)
		check_success(spec, out, root);
	else
		check_failure(spec, rc, &f, root, len);
	/* The fault's texts live in the arena: touch them before it goes. */
	if (f.message)
		FUZZ_CHECK(strlen(f.message) < 100000);
	json_decref(root);
	tc_arena_cleanup(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_memdup(data, size); /* exactly size bytes, no NUL */
	struct user_body ub;
	struct wide_body wb;

	run(body, size, user_spec, &ub, sizeof(ub));
	run(body, size, wide_spec, &wb, sizeof(wb));
	free(body);
	return 0;
}
