/* The HTTP server: libmicrohttpd with poll()-based internal threads,
 * suspend/resume for requests that wait on a durable commit, and a
 * graceful stop. */
#ifndef TC_SERVER_H
#define TC_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/config.h"

struct tc_authcache;
struct tc_db;
struct tc_server;
struct tc_vaxref;
struct tc_screen_checklist;

/* Starts listening. NULL with *why (malloc'd) on failure. */
struct tc_server *tc_server_start(const struct tc_config *cfg, struct tc_db *db,
                                  char **why);
uint16_t tc_server_port(const struct tc_server *s);
/* Stops accepting, lets in-flight requests finish (up to the configured
 * grace), drains the writer so every suspended request is resumed and
 * answered, then stops libmicrohttpd. The database stays open. */
void tc_server_stop(struct tc_server *s);

const struct tc_config *tc_server_config(const struct tc_server *s);
struct tc_db *tc_server_db(const struct tc_server *s);
struct tc_offload *tc_server_offload(const struct tc_server *s);
/* Staff sessions read recently (authcache.h). */
struct tc_authcache *tc_server_authcache(const struct tc_server *s);
/* The SMS delivery worker, or NULL without a gateway. */
struct tc_outbox *tc_server_outbox(const struct tc_server *s);
/* Import threads: begin refuses beyond `max` at once or while stopping;
 * a stop waits for every one to end (they stop between batches). */
bool tc_server_import_begin(struct tc_server *s, int max);
void tc_server_import_end(struct tc_server *s);
/* The products with their schedules and the mixing rules, and the
 * screening checklist, read at start (data directory and database). */
const struct tc_vaxref *tc_server_vaxref(const struct tc_server *s);
const struct tc_screen_checklist *tc_server_checklist(const struct tc_server *s);
/* True once a stop has begun. */
int tc_server_stopping(const struct tc_server *s);

#endif
