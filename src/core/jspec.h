/* Declarative parsing of JSON request bodies. An endpoint describes the
 * object it takes as an array of tc_jfield; tc_jspec_parse checks types,
 * required fields, lengths and ranges, refuses unknown fields, and fills a
 * plain C struct. Each failure names the field and the reason.
 *
 *   struct body { const char *username; struct tc_jbool active; };
 *   static const struct tc_jfield spec[] = {
 *       TC_JSTR(struct body, username, TC_JF_REQUIRED, 3, 64),
 *       TC_JBOOL(struct body, active, 0),
 *       TC_JEND};
 */
#ifndef TC_JSPEC_H
#define TC_JSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct tc_arena;

enum tc_jtype { TC_JT_END, TC_JT_STRING, TC_JT_INT, TC_JT_BOOL };

enum {
	TC_JF_REQUIRED = 1u << 0,
	TC_JF_MULTILINE = 1u << 1, /* string may hold \n, \r and \t */
};

/* Optional scalars know whether they were given. */
struct tc_jbool {
	bool set;
	bool v;
};
struct tc_jint {
	bool set;
	int64_t v;
};

struct tc_jfield {
	const char *name;
	enum tc_jtype type;
	unsigned flags;
	size_t offset;
	int64_t min; /* strings: characters (code points); ints: value */
	int64_t max;
};

#define TC_JSTR(T, m, fl, lo, hi) {#m, TC_JT_STRING, (fl), offsetof(T, m), (lo), (hi)}
#define TC_JINT(T, m, fl, lo, hi) {#m, TC_JT_INT, (fl), offsetof(T, m), (lo), (hi)}
#define TC_JBOOL(T, m, fl) {#m, TC_JT_BOOL, (fl), offsetof(T, m), 0, 0}
#define TC_JEND {NULL, TC_JT_END, 0, 0, 0, 0}

/* Parses `body` (len bytes, need not be NUL-terminated) as one JSON object
 * described by `spec` into `out`. Strings are copied into `a` (NFC is the
 * caller's business). On failure fills `f` and returns its code; `out` may
 * then be partly filled and must not be used. */
tc_err tc_jspec_parse(const char *body, size_t len, const struct tc_jfield *spec,
                      void *out, struct tc_arena *a, struct tc_fault *f);

/* The same for an object that also holds a list of objects under `key`
 * (1 to `max_items` of them): the object without the list by `spec` into
 * `out`, each element by `item_spec` into an array of `item_size`-byte
 * structs from `a` (*items, *nitems). Faults name `key` or
 * "key[i].field". */
tc_err tc_jspec_parse_list(const char *body, size_t len, const struct tc_jfield *spec,
                           void *out, const char *key, const struct tc_jfield *item_spec,
                           size_t item_size, size_t max_items, void **items,
                           size_t *nitems, struct tc_arena *a, struct tc_fault *f);

/* Counts the code points of valid UTF-8 text, or returns -1 if it is not
 * valid UTF-8 or holds control characters other than those `multiline`
 * allows. */
long tc_utf8_check(const char *s, size_t n, bool multiline);

#endif
