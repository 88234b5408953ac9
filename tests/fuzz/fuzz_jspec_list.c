/* Fuzzes tc_jspec_parse_list (src/core/jspec.c) with bodies like those of
 * POST /api/v1/stock/transfers and .../receive: an object with an "items"
 * list of objects. Checked against jansson's own reading of the bytes:
 *   - success: the body is an object with a list of 1 to MAX objects under
 *     "items", every element's lot_id and quantity were given in range
 *     and landed in the right slot, and the rest of the object's fields
 *     are known ones;
 *   - failure: a client error (4xx), nothing handed out, and a field name
 *     that is "items", "items[i]...", or a field of the object.
 * Memory comes from an arena released per input, so leaks show. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/jspec.h"
#include "fuzz.h"

#define MAX_ITEMS 100

/* As in src/http/api_transfers.c. */
struct ship_body {
	struct tc_jint from_facility, to_facility, allocation_id;
	const char *note;
};
struct ship_item {
	struct tc_jint lot_id, quantity;
};

static const struct tc_jfield ship_spec[] = {
	TC_JINT(struct ship_body, from_facility, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct ship_body, to_facility, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct ship_body, allocation_id, 0, 1, INT64_MAX),
	TC_JSTR(struct ship_body, note, TC_JF_MULTILINE, 0, 1000),
	TC_JEND,
};
static const struct tc_jfield item_spec[] = {
	TC_JINT(struct ship_item, lot_id, TC_JF_REQUIRED, 1, INT64_MAX),
	TC_JINT(struct ship_item, quantity, TC_JF_REQUIRED, 1, 100000000),
	TC_JEND,
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(1);
	return 0;
}

static bool known(const char *name)
{
	for (const struct tc_jfield *fd = ship_spec; fd->type != TC_JT_END; fd++)
		if (strcmp(fd->name, name) == 0)
			return true;
	return false;
}

static bool key_starts(json_t *root, const char *field)
{
	const char *key;
	json_t *v;

	if (!json_is_object(root))
		return false;
	json_object_foreach(root, key, v)
	{
		if (strncmp(key, field, strlen(field)) == 0)
			return true;
	}
	return false;
}

static void check_success(json_t *root, const struct ship_body *b,
                          const struct ship_item *items, size_t n)
{
	json_t *arr;

	FUZZ_CHECK(root != NULL && json_is_object(root));
	arr = json_object_get(root, "items");
	FUZZ_CHECK(json_is_array(arr));
	FUZZ_CHECK(json_array_size(arr) == n && n >= 1 && n <= MAX_ITEMS);
	FUZZ_CHECK(items != NULL);
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(arr, i);
		FUZZ_CHECK(json_is_object(e));
		FUZZ_CHECK(items[i].lot_id.set && items[i].quantity.set);
		FUZZ_CHECK(json_integer_value(json_object_get(e, "lot_id")) == items[i].lot_id.v);
		FUZZ_CHECK(json_integer_value(json_object_get(e, "quantity")) ==
		           items[i].quantity.v);
		FUZZ_CHECK(items[i].quantity.v >= 1 && items[i].quantity.v <= 100000000);
	}
	FUZZ_CHECK(b->from_facility.set && b->to_facility.set);
	FUZZ_CHECK(json_integer_value(json_object_get(root, "from_facility")) ==
	           b->from_facility.v);
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		FUZZ_CHECK(strcmp(key, "items") == 0 || known(key));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tc_arena a;
	struct tc_fault f = {0};
	struct ship_body b = {0};
	void *items = (void *)1;
	size_t n = 99;
	json_error_t jerr;
	json_t *root;
	tc_err rc;

	tc_arena_init(&a);
	rc = tc_jspec_parse_list((const char *)data, size, ship_spec, &b, "items", item_spec,
	                         sizeof(struct ship_item), MAX_ITEMS, &items, &n, &a, &f);
	root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (rc == TC_ERR_OK) {
		check_success(root, &b, items, n);
	} else {
		FUZZ_CHECK(rc == f.code);
		FUZZ_CHECK(tc_err_status(rc) >= 400 && tc_err_status(rc) < 500);
		FUZZ_CHECK(items == NULL && n == 0);
		/* the field named is the list, one of its elements, a field of
		 * the spec, or (the start of) a key the body has */
		if (f.field)
			FUZZ_CHECK(strncmp(f.field, "items", 5) == 0 || known(f.field) ||
			           key_starts(root, f.field));
		if (root == NULL)
			FUZZ_CHECK(rc == TC_ERR_BAD_JSON);
	}
	json_decref(root);
	tc_arena_cleanup(&a);
	return 0;
}
