/* SQLite's CHECK constraints with a list, rewritten as comparisons.
 *
 * SQLite 3.40 evaluates `x IN ('a', 'b', 'c')` with three or more
 * constants by building a temporary b-tree of the list, at every row it
 * checks: 1.8 us an insert on this machine, five times over for an
 * injection (the dose's source and review, the movement's kind, the
 * visit's status), a fifth of the writer's work. `(x = 'a' OR x = 'b' OR
 * x = 'c')` means the same, NULL included (NULL passes both), and costs a
 * comparison or three. After migrating, src/db/migrate.c rewrites the
 * tables' stored definitions this way in place (SQLite's documented
 * writable_schema procedure, allowed because neither the stored rows nor
 * their format change), so every table, old or added later, is checked
 * the fast way. PostgreSQL needs none of it. */
#ifndef TC_CHECKLISTS_H
#define TC_CHECKLISTS_H

#include "../core/arena.h"

/* `sql` (a CREATE TABLE statement) with every `name IN (literal, ...)` of
 * three or more literals (quoted strings or numbers) written as `(name =
 * literal OR ...)`; NULL when there is none. Only a column's name alone
 * on the left (after '(' or ',' or AND, OR, NOT, WHEN, THEN, ELSE) and
 * a list followed by ')' or ',' or AND, OR, WHEN, THEN, ELSE, END are
 * taken: NOT IN, expressions, qualified names, COLLATE, comments in
 * between are left as they are. Text inside quotes and comments is never
 * touched. */
char *tc_check_lists_rewrite(const char *sql, struct tc_arena *a);

#endif
