/* Fuzzes the jurisdiction rules tc_scope_level and tc_scope_contains
 * (src/domain/access.c), and tc_may_grant, which is built on them.
 *
 * The input is two paths, "OUTER\nINNER" (INNER is empty without a line
 * feed), each cut at its first NUL.
 *
 * tc_scope_level is compared with a reader written from the header's
 * description: "VN", then up to three unit codes of 2, 3 and 5 digits,
 * optionally followed by one facility segment "F<digits>" (after at least
 * "VN"). tc_scope_contains is compared with its definition (equal, or
 * continues after a '/'), and checked to be reflexive, antisymmetric, to
 * hold for OUTER/anything, and to order levels: a valid path strictly
 * inside another is at a deeper level. tc_may_grant must never grant
 * outside the actor's jurisdiction or a role at a level it does not
 * belong to. */
#include <stdbool.h>
#include <stdint.h>

#include "domain/access.h"
#include "fuzz.h"

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Reference: the level of a jurisdiction path, or -1. */
static int ref_level(const char *path)
{
	static const size_t unit_len[] = {2, 3, 5};
	const char *s = path;
	int depth = 0;

	if (strncmp(s, "VN", 2) != 0)
		return -1;
	s += 2;
	while (*s == '/') {
		const char *seg = s + 1;
		size_t n = strcspn(seg, "/");
		if (seg[0] == 'F') {
			/* a facility ends the path */
			return seg[n] == '\0' && all_digits(seg + 1, n - 1) ? TC_LEVEL_FACILITY
			                                                   : -1;
		}
		if (depth == 3 || n != unit_len[depth] || !all_digits(seg, n))
			return -1;
		depth++;
		s = seg + n;
	}
	return *s == '\0' ? depth : -1;
}

static bool ref_contains(const char *outer, const char *inner)
{
	size_t n = strlen(outer);
	return n > 0 && strlen(inner) >= n && memcmp(outer, inner, n) == 0 &&
	       (inner[n] == '\0' || inner[n] == '/');
}

static int level(const char *path)
{
	enum tc_level l;
	if (!tc_scope_level(path, &l))
		return -1;
	FUZZ_CHECK((unsigned)l < TC_LEVEL__COUNT);
	return (int)l;
}

static void check_path(const char *p)
{
	int got = level(p), want = ref_level(p);
	if (got != want)
		fprintf(stderr, "path '%s': tc_scope_level %d, reference %d\n", p, got, want);
	FUZZ_CHECK(got == want);
	FUZZ_CHECK(tc_scope_contains(p, p) == (*p != '\0'));
	FUZZ_CHECK(!tc_scope_contains(p, NULL) && !tc_scope_contains(NULL, p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_strndup(data, size);
	char *nl = strchr(buf, '\n');
	const char *outer = buf, *inner = "";
	int lo, li;

	if (nl) {
		*nl = '\0';
		inner = nl + 1;
	}
	check_path(outer);
	check_path(inner);

	bool c = tc_scope_contains(outer, inner);
	FUZZ_CHECK(c == ref_contains(outer, inner));
	if (c && tc_scope_contains(inner, outer))
		FUZZ_CHECK(strcmp(outer, inner) == 0);
	lo = level(outer);
	li = level(inner);
	if (c && lo >= 0 && li >= 0 && strcmp(outer, inner) != 0)
		FUZZ_CHECK(lo < li);

	/* OUTER/INNER is inside OUTER; OUTER followed by anything but '/' is
	 * not (unless it adds nothing). */
	size_t no = strlen(outer), ni = strlen(inner);
	char *joined = malloc(no + ni + 2);
	FUZZ_CHECK(joined != NULL);
	memcpy(joined, outer, no);
	joined[no] = '/';
	memcpy(joined + no + 1, inner, ni + 1);
	FUZZ_CHECK(tc_scope_contains(outer, joined) == (no > 0));
	memcpy(joined + no, inner, ni + 1);
	if (ni > 0 && inner[0] != '/')
		FUZZ_CHECK(!tc_scope_contains(outer, joined));
	free(joined);

	/* Granting never escapes the actor's jurisdiction or the role's levels. */
	for (int ar = 0; ar < TC_ROLE__COUNT; ar++) {
		for (int r = 0; r < TC_ROLE__COUNT; r++) {
			for (int l = 0; l < TC_LEVEL__COUNT; l++) {
				enum tc_grant g = tc_may_grant((enum tc_role)ar, outer,
				                               (enum tc_role)r, (enum tc_level)l,
				                               inner);
				if (g != TC_GRANT_OK)
					continue;
				FUZZ_CHECK(c);
				FUZZ_CHECK(tc_role_is_admin((enum tc_role)ar));
				FUZZ_CHECK(tc_role_allowed_at((enum tc_role)r, (enum tc_level)l));
			}
		}
	}
	free(buf);
	return 0;
}
