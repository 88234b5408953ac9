/* Arena: a bump allocator. One per request (released when libmicrohttpd
 * reports the request complete) or per batch of a long job (reset between
 * batches). Everything allocated from it lives until tc_arena_reset or
 * tc_arena_cleanup; nothing is freed one by one. Out of memory aborts. */
#ifndef TC_ARENA_H
#define TC_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct tc_arena_chunk;

struct tc_arena {
	struct tc_arena_chunk *head;
	size_t total; /* bytes held in chunks, for metrics and tests */
};

void tc_arena_init(struct tc_arena *a);
/* Frees every chunk; the arena may be used again. Idempotent. */
void tc_arena_cleanup(struct tc_arena *a);
/* Forgets every allocation but keeps the first chunk for reuse. */
void tc_arena_reset(struct tc_arena *a);

void *tc_arena_alloc(struct tc_arena *a, size_t n);  /* 16-byte aligned */
void *tc_arena_zalloc(struct tc_arena *a, size_t n); /* zeroed */
char *tc_arena_strdup(struct tc_arena *a, const char *s);
char *tc_arena_strndup(struct tc_arena *a, const char *s, size_t n);
char *tc_arena_printf(struct tc_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *tc_arena_vprintf(struct tc_arena *a, const char *fmt, va_list ap);

#define TC_NEW(a, T) ((T *)tc_arena_zalloc((a), sizeof(T)))
#define TC_NEWN(a, T, n) ((T *)tc_arena_zalloc((a), sizeof(T) * (n)))

#endif
