/* Shared by the libFuzzer targets in tests/fuzz/.
 *
 * FUZZ_CHECK states an invariant of the code under test. It holds in every
 * build (it is not assert, so NDEBUG cannot remove it) and aborts with the
 * file, line and condition, which libFuzzer reports as a crash and saves
 * the input that caused it. */
#ifndef TC_FUZZ_H
#define TC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c) ((c) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #c))

static inline void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

/* A NUL-terminated copy of n bytes in its own heap block, so AddressSanitizer
 * sees a read past its end. The caller frees it. */
static inline char *fuzz_strndup(const void *p, size_t n)
{
	char *s = malloc(n + 1);
	if (s == NULL)
		abort();
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* A copy of exactly n bytes (no terminator), for length-taking parsers:
 * reading s[n] is then a heap overflow AddressSanitizer reports. */
static inline char *fuzz_memdup(const void *p, size_t n)
{
	char *s = malloc(n ? n : 1);
	if (s == NULL)
		abort();
	if (n)
		memcpy(s, p, n);
	return s;
}

/* Whether the environment variable `name` is set to something other than
 * "" or "0" (used for opt-in strict checks). */
static inline int fuzz_env_flag(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
}

#endif
