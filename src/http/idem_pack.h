/* Idempotency answers as the database keeps them (src/http/idem.c).
 *
 * Every write a client may retry stores its first answer with the key,
 * inside the write's own transaction: for an injection that is the
 * visit with its screening and its dose, 1.6 KB of JSON, a third of all
 * the pages a dose writes to SQLite's log. Packed with zstd against a
 * dictionary of such answers it is 60 to 300 bytes, stored as text
 * ("z1:" and base64), so both backends keep it in the same column and a
 * stored answer stays readable with sqlite3 or psql tools. An answer
 * that does not pack smaller is stored as it is; a stored answer that
 * does not begin with the prefix is plain JSON (no JSON text begins with
 * "z"), so rows written before packing existed read as they did. */
#ifndef TC_IDEM_PACK_H
#define TC_IDEM_PACK_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/arena.h"
#include "../core/util.h"

/* body (len bytes) as the text to store, in a; NULL when packing it
 * would not make it smaller (store body itself then). */
const char *tc_idem_pack(const char *body, size_t len, struct tc_arena *a);

/* A stored answer appended to out: a packed one unpacked, any other as
 * it is. false, out unchanged, when a packed one is damaged. */
bool tc_idem_unpack(const char *stored, struct tc_buf *out);

#endif
