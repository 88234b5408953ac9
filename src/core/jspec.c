#include "jspec.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

long tc_utf8_check(const char *s, size_t n, bool multiline)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	long count = 0;

	while (p < end) {
		unsigned c = *p;
		size_t k;
		unsigned cp;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f) {
				if (!(multiline && (c == '\n' || c == '\t' || c == '\r')))
					return -1;
			}
			p++;
			count++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			k = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			cp = c & 0x07;
		} else {
			return -1;
		}
		if ((size_t)(end - p) <= k)
			return -1;
		for (size_t i = 1; i <= k; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
		    (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return -1;
		p += k + 1;
		count++;
	}
	return count;
}

static const struct tc_jfield *find_field(const struct tc_jfield *spec,
                                          const char *name)
{
	for (; spec->type != TC_JT_END; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

static tc_err take_field(const struct tc_jfield *fd, json_t *v, void *out,
                         struct tc_arena *a, struct tc_fault *f)
{
	char *slot = (char *)out + fd->offset;

	switch (fd->type) {
	case TC_JT_STRING: {
		if (!json_is_string(v))
			return tc_fault_setf(f, a, TC_ERR_WRONG_TYPE, fd->name,
			                     "%s must be a string", fd->name);
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (memchr(s, '\0', n))
			return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, fd->name,
			                     "%s must not contain NUL characters", fd->name);
		long chars = tc_utf8_check(s, n, fd->flags & TC_JF_MULTILINE);
		if (chars < 0)
			return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, fd->name,
			                     "%s must not contain control characters",
			                     fd->name);
		if (chars < fd->min || chars > fd->max)
			return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, fd->name,
			                     "%s must be %lld to %lld characters long",
			                     fd->name, (long long)fd->min,
			                     (long long)fd->max);
		*(const char **)slot = tc_arena_strndup(a, s, n);
		return TC_ERR_OK;
	}
	case TC_JT_INT: {
		if (!json_is_integer(v))
			return tc_fault_setf(f, a, TC_ERR_WRONG_TYPE, fd->name,
			                     "%s must be an integer", fd->name);
		json_int_t i = json_integer_value(v);
		if (i < fd->min || i > fd->max)
			return tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, fd->name,
			                     "%s must be between %lld and %lld", fd->name,
			                     (long long)fd->min, (long long)fd->max);
		struct tc_jint *o = (struct tc_jint *)slot;
		o->set = true;
		o->v = i;
		return TC_ERR_OK;
	}
	case TC_JT_BOOL: {
		if (!json_is_boolean(v))
			return tc_fault_setf(f, a, TC_ERR_WRONG_TYPE, fd->name,
			                     "%s must be true or false", fd->name);
		struct tc_jbool *o = (struct tc_jbool *)slot;
		o->set = true;
		o->v = json_is_true(v);
		return TC_ERR_OK;
	}
	case TC_JT_END:
		break;
	}
	return tc_fault_internal(f, TC_ERR_INTERNAL, "bad jspec field type");
}

tc_err tc_jspec_parse(const char *body, size_t len, const struct tc_jfield *spec,
                      void *out, struct tc_arena *a, struct tc_fault *f)
{
	json_error_t jerr;
	json_t *root;
	const char *key;
	json_t *v;
	tc_err rc = TC_ERR_OK;

	if (len == 0)
		return tc_fault_set(f, TC_ERR_BAD_JSON, NULL,
		                    "the request body is empty; a JSON object is required");
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (root == NULL)
		return tc_fault_setf(f, a, TC_ERR_BAD_JSON, NULL,
		                     "malformed JSON at line %d, column %d: %s",
		                     jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		rc = tc_fault_set(f, TC_ERR_NOT_OBJECT, NULL, NULL);
		goto out;
	}
	json_object_foreach(root, key, v) {
		const struct tc_jfield *fd = find_field(spec, key);
		if (fd == NULL) {
			/* The key came from the client: echo at most 64 bytes of
			 * it, and only if that much is still valid text. */
			size_t kn = strlen(key);
			if (kn > 64)
				kn = 64;
			if (tc_utf8_check(key, kn, false) < 0) {
				rc = tc_fault_set(f, TC_ERR_UNKNOWN_FIELD, NULL,
				                  "the request has a field with an invalid name");
			} else {
				const char *k = tc_arena_strndup(a, key, kn);
				rc = tc_fault_setf(f, a, TC_ERR_UNKNOWN_FIELD, k,
				                   "unknown field '%s'", k);
			}
			goto out;
		}
		if (json_is_null(v))
			continue; /* an explicit null means absent */
		rc = take_field(fd, v, out, a, f);
		if (rc != TC_ERR_OK)
			goto out;
	}
	for (const struct tc_jfield *fd = spec; fd->type != TC_JT_END; fd++) {
		json_t *given = json_object_get(root, fd->name);
		if ((fd->flags & TC_JF_REQUIRED) && (given == NULL || json_is_null(given))) {
			rc = tc_fault_setf(f, a, TC_ERR_MISSING_FIELD, fd->name,
			                   "%s is required", fd->name);
			goto out;
		}
	}
out:
	json_decref(root);
	return rc;
}

/* One element of the list, by spec, into `slot`. */
static tc_err parse_element(json_t *v, const char *key, size_t i,
                            const struct tc_jfield *item_spec, void *slot,
                            struct tc_arena *a, struct tc_fault *f)
{
	char *text;
	tc_err rc;

	if (!json_is_object(v))
		return tc_fault_setf(f, a, TC_ERR_WRONG_TYPE,
		                     tc_arena_printf(a, "%s[%zu]", key, i),
		                     "%s[%zu] must be an object", key, i);
	text = json_dumps(v, JSON_COMPACT);
	if (text == NULL)
		return tc_fault_internal(f, TC_ERR_INTERNAL, "json_dumps");
	rc = tc_jspec_parse(text, strlen(text), item_spec, slot, a, f);
	free(text);
	if (rc != TC_ERR_OK && f->field)
		f->field = tc_arena_printf(a, "%s[%zu].%s", key, i, f->field);
	return rc;
}

tc_err tc_jspec_parse_list(const char *body, size_t len, const struct tc_jfield *spec,
                           void *out, const char *key, const struct tc_jfield *item_spec,
                           size_t item_size, size_t max_items, void **items,
                           size_t *nitems, struct tc_arena *a, struct tc_fault *f)
{
	json_error_t jerr;
	json_t *root, *arr = NULL, *v;
	char *rest = NULL;
	size_t k;
	tc_err rc = TC_ERR_OK;

	*items = NULL;
	*nitems = 0;
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return tc_fault_setf(f, a, TC_ERR_BAD_JSON, NULL,
		                     "malformed JSON at line %d, column %d: %s", jerr.line,
		                     jerr.column, jerr.text);
	if (!json_is_object(root)) {
		rc = tc_fault_set(f, TC_ERR_NOT_OBJECT, NULL, NULL);
		goto out;
	}
	arr = json_incref(json_object_get(root, key));
	json_object_del(root, key);
	if (arr == NULL || json_is_null(arr)) {
		rc = tc_fault_setf(f, a, TC_ERR_MISSING_FIELD, key, "%s is required", key);
		goto out;
	}
	if (!json_is_array(arr)) {
		rc = tc_fault_setf(f, a, TC_ERR_WRONG_TYPE, key, "%s must be a list", key);
		goto out;
	}
	if (json_array_size(arr) == 0 || json_array_size(arr) > max_items) {
		rc = tc_fault_setf(f, a, TC_ERR_INVALID_FIELD, key,
		                   "%s must be a list of 1 to %zu objects", key, max_items);
		goto out;
	}
	*items = tc_arena_zalloc(a, item_size * json_array_size(arr));
	json_array_foreach(arr, k, v)
	{
		rc = parse_element(v, key, k, item_spec, (char *)*items + k * item_size, a, f);
		if (rc != TC_ERR_OK)
			goto out;
	}
	rest = json_dumps(root, JSON_COMPACT);
	if (rest == NULL) {
		rc = tc_fault_internal(f, TC_ERR_INTERNAL, "json_dumps");
		goto out;
	}
	rc = tc_jspec_parse(rest, strlen(rest), spec, out, a, f);
	if (rc == TC_ERR_OK)
		*nitems = json_array_size(arr);
out:
	free(rest);
	json_decref(arr);
	json_decref(root);
	if (rc != TC_ERR_OK)
		*items = NULL;
	return rc;
}
