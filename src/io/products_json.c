#include "products_json.h"

#include <jansson.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/jspec.h"
#include "../crypto/secret.h"
#include "units_csv.h"

#define MAX_TEXT 100

static bool clean_text(const char *s)
{
	long n = tc_utf8_check(s, strlen(s), false);
	return n >= 1 && n <= MAX_TEXT;
}

tc_err tc_valueset_parse(const char *file, const char *json, size_t len,
                         struct tc_arena *a, struct tc_product **out, size_t *n,
                         struct tc_fault *f)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *values, *v;
	const char *code;
	size_t i = 0;
	tc_err rc = TC_ERR_OK;

	*out = NULL;
	*n = 0;
	if (root == NULL)
		return tc_fault_setf(f, a, TC_ERR_IO, "file", "%s: malformed JSON at line %d: %s",
		                     file, jerr.line, jerr.text);
	values = json_object_get(root, "valueSetValues");
	if (!json_is_object(values) || json_object_size(values) == 0) {
		rc = tc_fault_setf(f, a, TC_ERR_IO, "file",
		                   "%s: no valueSetValues object with values", file);
		goto out;
	}
	*out = TC_NEWN(a, struct tc_product, json_object_size(values));
	json_object_foreach(values, code, v)
	{
		json_t *display = json_object_get(v, "display");
		json_t *active = json_object_get(v, "active");
		if (!clean_text(code) || !json_is_string(display) ||
		    !clean_text(json_string_value(display)) || !json_is_boolean(active)) {
			rc = tc_fault_setf(f, a, TC_ERR_IO, "file",
			                   "%s: value %zu needs a code, a display name "
			                   "(1 to 100 characters) and active true or false",
			                   file, i + 1);
			goto out;
		}
		(*out)[i++] = (struct tc_product){
			.code = tc_arena_strdup(a, code),
			.name = tc_arena_strdup(a, json_string_value(display)),
			.active = json_is_true(active),
		};
	}
	*n = i;
out:
	json_decref(root);
	return rc;
}

tc_err tc_products_parse(const char *json, size_t len, struct tc_arena *a,
                         struct tc_product **out, size_t *n, struct tc_fault *f)
{
	return tc_valueset_parse(TC_DCC_PRODUCTS_FILE, json, len, a, out, n, f);
}

tc_err tc_valueset_load(const char *dir, const char *file, struct tc_arena *a,
                        struct tc_product **out, size_t *n, const char **sha256,
                        struct tc_fault *f)
{
	char *data, *hex = tc_arena_alloc(a, TC_SHA256_HEX);
	size_t len;
	tc_err rc = tc_read_file(tc_arena_printf(a, "%s/%s", dir, file), 4u << 20, a, &data,
	                         &len, f);

	if (rc != TC_ERR_OK)
		return rc;
	tc_sha256_hex(data, len, hex);
	*sha256 = hex;
	return tc_valueset_parse(file, data, len, a, out, n, f);
}
