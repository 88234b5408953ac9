/* A small JSON writer for answers and audit records: appends to a tc_buf
 * with no allocation per value (jansson's dump costs more than the rest
 * of a request on hot paths). Commas are placed by the writer. Strings
 * must be valid UTF-8 (everything we store is checked on the way in);
 * quotes, backslashes and control characters are escaped.
 *
 *   tc_jw_obj(&w);
 *   tc_jw_key(&w, "id"); tc_jw_int(&w, 7);
 *   tc_jw_key(&w, "name"); tc_jw_str(&w, "Phúc Xá");
 *   tc_jw_end(&w);
 */
#ifndef TC_JW_H
#define TC_JW_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define TC_JW_DEPTH 32

struct tc_jw {
	struct tc_buf *b;
	int depth;
	bool need_comma[TC_JW_DEPTH];
	char close[TC_JW_DEPTH];
};

void tc_jw_init(struct tc_jw *w, struct tc_buf *b);
void tc_jw_obj(struct tc_jw *w);
void tc_jw_arr(struct tc_jw *w);
void tc_jw_end(struct tc_jw *w); /* closes the innermost object or array */
void tc_jw_key(struct tc_jw *w, const char *key);
void tc_jw_str(struct tc_jw *w, const char *s); /* NULL writes null */
void tc_jw_int(struct tc_jw *w, int64_t v);
void tc_jw_bool(struct tc_jw *w, bool v);
void tc_jw_null(struct tc_jw *w);
void tc_jw_time(struct tc_jw *w, int64_t us); /* 0 writes null */
/* Appends JSON text that is already valid (NULL writes null). */
void tc_jw_raw(struct tc_jw *w, const char *json);

/* key + value in one call */
void tc_jw_kstr(struct tc_jw *w, const char *key, const char *s);
void tc_jw_kint(struct tc_jw *w, const char *key, int64_t v);
void tc_jw_kbool(struct tc_jw *w, const char *key, bool v);

#endif
