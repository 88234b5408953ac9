/* Fuzzes the router, tc_route_match (src/http/router.c) over the real
 * route table (src/http/routes.c), linked with the whole server library.
 *
 * The input reads like an HTTP request line: "METHOD PATH" (split at the
 * first space; without one, the method is GET and the input is the path),
 * cut at the first NUL as libmicrohttpd would hand it over.
 *
 * The answer is compared with a second matcher that splits pattern and
 * path at '/' and matches segment by segment ({name} takes one non-empty
 * segment):
 *   - a match is the first route with that method whose pattern fits, and
 *     its captures put back into the pattern give the path exactly;
 *   - no match: path_known tells whether another method's route fits, and
 *     the Allow text lists those methods, in table order. */
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "http/router.h"
#include "fuzz.h"

/* Segment-wise match; fills caps (pointers into path, with lengths). */
static bool seg_match(const char *pattern, const char *path, const char **cap,
                      size_t *caplen, int *ncap)
{
	const char *p = pattern, *s = path;

	*ncap = 0;
	for (;;) {
		size_t pn = strcspn(p, "/"), sn = strcspn(s, "/");
		if (pn > 1 && p[0] == '{' && p[pn - 1] == '}') {
			if (sn == 0 || *ncap == TC_MAX_PATH_PARAMS)
				return false;
			cap[*ncap] = s;
			caplen[*ncap] = sn;
			(*ncap)++;
		} else if (pn != sn || memcmp(p, s, pn) != 0) {
			return false;
		}
		if (p[pn] == '\0' || s[sn] == '\0')
			return p[pn] == '\0' && s[sn] == '\0';
		p += pn + 1;
		s += sn + 1;
	}
}

/* The pattern with each {name} replaced by the captures, in order. */
static char *fill(const char *pattern, const char *const *params)
{
	size_t cap = strlen(pattern) + 1;
	int i = 0;

	for (int k = 0; k < TC_MAX_PATH_PARAMS; k++)
		cap += params[k] ? strlen(params[k]) : 0;
	char *out = malloc(cap), *o = out;
	FUZZ_CHECK(out != NULL);
	for (const char *p = pattern; *p;) {
		if (*p == '{') {
			FUZZ_CHECK(i < TC_MAX_PATH_PARAMS && params[i] != NULL);
			size_t n = strlen(params[i]);
			memcpy(o, params[i++], n);
			o += n;
			p = strchr(p, '}');
			FUZZ_CHECK(p != NULL);
			p++;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	for (; i < TC_MAX_PATH_PARAMS; i++)
		FUZZ_CHECK(params[i] == NULL); /* no capture left over */
	return out;
}

static void check(const char *method, const char *path)
{
	struct tc_arena a;
	const char *params[TC_MAX_PATH_PARAMS] = {NULL};
	const char *cap[TC_MAX_PATH_PARAMS];
	size_t caplen[TC_MAX_PATH_PARAMS];
	bool known = false, want_known = false;
	const char *allow = NULL;
	int ncap, want = -1, got;
	char want_allow[512] = "";
	size_t wl = 0;

	tc_arena_init(&a);
	got = tc_route_match(method, path, params, &a, &known, &allow);
	FUZZ_CHECK(got >= -1 && got < tc_nroutes);

	for (int i = 0; i < tc_nroutes; i++) {
		if (!seg_match(tc_routes[i].pattern, path, cap, caplen, &ncap))
			continue;
		if (strcmp(tc_routes[i].method, method) == 0) {
			want = i;
			break;
		}
		want_known = true;
		wl += (size_t)snprintf(want_allow + wl, sizeof(want_allow) - wl, "%s%s",
		                       wl ? ", " : "", tc_routes[i].method);
		FUZZ_CHECK(wl < sizeof(want_allow));
	}
	if (got != want)
		fprintf(stderr, "method '%s' path '%s': router %d, reference %d\n",
		        method, path, got, want);
	FUZZ_CHECK(got == want);
	if (got >= 0) {
		FUZZ_CHECK(seg_match(tc_routes[got].pattern, path, cap, caplen, &ncap));
		for (int k = 0; k < ncap; k++) {
			FUZZ_CHECK(params[k] != NULL && strlen(params[k]) == caplen[k]);
			FUZZ_CHECK(memcmp(params[k], cap[k], caplen[k]) == 0);
			FUZZ_CHECK(strchr(params[k], '/') == NULL);
		}
		char *back = fill(tc_routes[got].pattern, params);
		FUZZ_CHECK(strcmp(back, path) == 0);
		free(back);
	} else {
		FUZZ_CHECK(known == want_known);
		if (known)
			FUZZ_CHECK(allow != NULL && strcmp(allow, want_allow) == 0);
		else
			FUZZ_CHECK(allow == NULL);
		for (int k = 0; k < TC_MAX_PATH_PARAMS; k++)
			FUZZ_CHECK(params[k] == NULL);
	}
	tc_arena_cleanup(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_strndup(data, size);
	char *sp = strchr(line, ' ');

	if (sp) {
		*sp = '\0';
		check(line, sp + 1);
	} else {
		check("GET", line);
	}
	free(line);
	return 0;
}
