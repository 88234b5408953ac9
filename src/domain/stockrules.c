/* Rules of the stock ledger with no I/O (see stockrules.h). */
#include "stockrules.h"

#include <string.h>

/* The unit path a facility's scope lies under: "VN/01/F7" -> "VN/01". */
static size_t unit_part(const char *scope)
{
	const char *slash = strrchr(scope, '/');
	return slash ? (size_t)(slash - scope) : 0;
}

/* Whether `path` is `scope` (its first scope_len bytes) or lies under it. */
static bool path_under(const char *path, const char *scope, size_t scope_len)
{
	return strncmp(path, scope, scope_len) == 0 &&
	       (path[scope_len] == '\0' || path[scope_len] == '/');
}

bool tc_stock_route_ok(const char *actor_scope, const char *from_scope,
                       const char *to_scope, bool *is_return)
{
	size_t as = strlen(actor_scope), fu = unit_part(from_scope), tu = unit_part(to_scope);
	bool up_chain = tu > 0 && tu <= fu && path_under(from_scope, to_scope, tu);

	*is_return = false;
	if (!path_under(from_scope, actor_scope, as))
		return false;
	if (path_under(to_scope, actor_scope, as)) {
		*is_return = up_chain && tu < fu;
		return true;
	}
	*is_return = up_chain;
	return up_chain;
}

static bool one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

bool tc_stock_source_ok(const char *source)
{
	static const char *const sources[] = {"covax", "donation", "purchase", "other", NULL};
	return one_of(source, sources);
}

bool tc_stock_writeoff_reason_ok(const char *reason)
{
	static const char *const reasons[] = {"opened_vial_expired", "breakage", "cold_chain",
	                                      "vvm", "expired", "recall", "other", NULL};
	return one_of(reason, reasons);
}
