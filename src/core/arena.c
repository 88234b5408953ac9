#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CHUNK_MIN 4096u

struct tc_arena_chunk {
	struct tc_arena_chunk *next;
	size_t size; /* usable bytes in data */
	size_t used;
	_Alignas(16) unsigned char data[];
};

void tc_arena_init(struct tc_arena *a)
{
	a->head = NULL;
	a->total = 0;
}

void tc_arena_cleanup(struct tc_arena *a)
{
	struct tc_arena_chunk *c = a->head;

	while (c) {
		struct tc_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}

void tc_arena_reset(struct tc_arena *a)
{
	struct tc_arena_chunk *keep = a->head, *c;

	/* Keep the newest chunk: chunks double, so it is the largest, and a
	 * batch like the last one then fits without asking for memory again
	 * (fresh pages cost a page fault each). */
	if (keep == NULL)
		return;
	c = keep->next;
	while (c) {
		struct tc_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	keep->next = NULL;
	keep->used = 0;
	a->head = keep;
	a->total = keep->size;
}

void *tc_arena_alloc(struct tc_arena *a, size_t n)
{
	struct tc_arena_chunk *c = a->head;
	size_t need = (n + 15u) & ~(size_t)15u;

	if (need < n)
		tc_die("arena: allocation of %zu bytes overflows", n);
	if (c == NULL || c->size - c->used < need) {
		size_t size = CHUNK_MIN;
		if (c && c->size < (SIZE_MAX >> 2))
			size = c->size * 2;
		if (size < need)
			size = need;
		c = tc_xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		a->total += size;
	}
	void *p = c->data + c->used;
	c->used += need;
	return p;
}

void *tc_arena_zalloc(struct tc_arena *a, size_t n)
{
	void *p = tc_arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *tc_arena_strndup(struct tc_arena *a, const char *s, size_t n)
{
	char *d = tc_arena_alloc(a, n + 1);
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *tc_arena_strdup(struct tc_arena *a, const char *s)
{
	return s ? tc_arena_strndup(a, s, strlen(s)) : NULL;
}

char *tc_arena_vprintf(struct tc_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *d;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		tc_die("arena: bad format '%s'", fmt);
	d = tc_arena_alloc(a, (size_t)n + 1);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	return d;
}

char *tc_arena_printf(struct tc_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *d;

	va_start(ap, fmt);
	d = tc_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return d;
}
