/* Delivery of the outbox: messages to people (SMS) are written to the
 * outbox table in the transaction that decides to send them; this worker
 * posts them to the configured HTTP gateway and records the outcome,
 * retrying with backoff. Without a gateway the messages wait in the
 * table (development, or a gateway that reads the table itself). */
#ifndef TC_OUTBOX_H
#define TC_OUTBOX_H

struct tc_db;
struct tc_outbox;

/* Starts the worker for `url` (NULL: returns NULL, nothing to deliver). */
struct tc_outbox *tc_outbox_start(struct tc_db *db, const char *url);
/* Something was queued: look now rather than at the next tick. NULL-safe. */
void tc_outbox_kick(struct tc_outbox *ob);
/* Finishes the message in hand and stops. NULL-safe. */
void tc_outbox_stop(struct tc_outbox *ob);

#endif
