#include "router.h"

#include <string.h>

/* Matches one pattern against a path, segment by segment. */
static bool match(const char *pattern, const char *path,
                  const char *params[TC_MAX_PATH_PARAMS], struct tc_arena *a)
{
	int np = 0;
	const char *p = pattern, *s = path;

	while (*p && *s) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			size_t n = se ? (size_t)(se - s) : strlen(s);
			if (pe == NULL || n == 0 || np == TC_MAX_PATH_PARAMS)
				return false;
			if (params)
				params[np] = a ? tc_arena_strndup(a, s, n) : NULL;
			np++;
			p = pe + 1;
			s += n;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

int tc_route_match(const char *method, const char *path,
                   const char *params[TC_MAX_PATH_PARAMS], struct tc_arena *a,
                   bool *path_known, const char **allow)
{
	*path_known = false;
	*allow = NULL;
	for (int i = 0; i < tc_nroutes; i++) {
		if (!match(tc_routes[i].pattern, path, NULL, NULL))
			continue;
		if (strcmp(tc_routes[i].method, method) == 0) {
			match(tc_routes[i].pattern, path, params, a);
			return i;
		}
		*path_known = true;
		*allow = *allow ? tc_arena_printf(a, "%s, %s", *allow, tc_routes[i].method)
		                : tc_routes[i].method;
	}
	return -1;
}
