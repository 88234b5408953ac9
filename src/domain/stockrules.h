/* Rules of the stock ledger with no I/O: where stock may go on whose
 * order, the reasons and sources a movement may give, what "today" is. */
#ifndef TC_STOCKRULES_H
#define TC_STOCKRULES_H

#include <stdbool.h>
#include <stdint.h>

/* Whether stock may go from a facility at `from_scope` to one at
 * `to_scope` on the order of someone whose jurisdiction is `actor_scope`
 * (facility scopes are "<unit path>/F<id>"): the sender must lie inside
 * the jurisdiction, and the receiver either inside it as well or up the
 * sender's chain, at a facility of a unit that contains the sender's or
 * is the same (a return). *is_return says the transfer goes back up:
 * out of the jurisdiction, or to a unit above the sender's. */
bool tc_stock_route_ok(const char *actor_scope, const char *from_scope,
                       const char *to_scope, bool *is_return);

/* Today's date in Vietnam is tc_vn_day (birthdate.h). */

/* Where vaccine from outside comes from: covax, donation, purchase, other. */
bool tc_stock_source_ok(const char *source);
/* Why doses are written off: opened_vial_expired, breakage, cold_chain,
 * vvm, expired, recall, other. "expired" is an expiry write-off, the rest
 * wastage. */
bool tc_stock_writeoff_reason_ok(const char *reason);

#endif
