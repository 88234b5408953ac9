/* Small helpers every module uses: allocation that aborts on out-of-memory,
 * fatal errors, secure wiping, growable byte buffers. */
#ifndef TC_UTIL_H
#define TC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void tc_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *tc_xmalloc(size_t n);
void *tc_xcalloc(size_t n, size_t size);
void *tc_xrealloc(void *p, size_t n);
char *tc_xstrdup(const char *s);

/* A growable byte buffer, always NUL-terminated. Owns its memory:
 * release with tc_buf_cleanup (idempotent). */
struct tc_buf {
	char *data;
	size_t len;
	size_t cap;
};

void tc_buf_init(struct tc_buf *b);
void tc_buf_cleanup(struct tc_buf *b);
void tc_buf_reset(struct tc_buf *b);
/* Room for extra more bytes and the NUL after them. */
void tc_buf_reserve(struct tc_buf *b, size_t extra);
void tc_buf_append(struct tc_buf *b, const void *p, size_t n);
void tc_buf_puts(struct tc_buf *b, const char *s);
void tc_buf_printf(struct tc_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parses a whole decimal integer in [min, max]; false if anything else. */
bool tc_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Lower-case hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void tc_hex(const unsigned char *p, size_t n, char *out);

/* FNV-1a, for the program's own hash tables: h (TC_FNV_BASIS to start)
 * carried over s and its terminating NUL, so that fields hashed one after
 * another never run together; tc_fnv1a_u64 carries it over a number. */
#define TC_FNV_BASIS 14695981039346656037ULL
uint64_t tc_fnv1a(uint64_t h, const char *s);
uint64_t tc_fnv1a_u64(uint64_t h, uint64_t v);

#endif
