/* Every handler and scope resolver named in the route table. */
#ifndef TC_API_H
#define TC_API_H

#include "request.h"

tc_err tc_api_healthz(struct tc_req *r);
tc_err tc_api_metrics(struct tc_req *r);

tc_err tc_api_login(struct tc_req *r);
tc_err tc_api_logout(struct tc_req *r);
tc_err tc_api_me(struct tc_req *r);

tc_err tc_api_units_list(struct tc_req *r);
tc_err tc_api_unit_get(struct tc_req *r);

tc_err tc_api_facilities_list(struct tc_req *r);
tc_err tc_api_facility_get(struct tc_req *r);
tc_err tc_api_facility_create(struct tc_req *r);

tc_err tc_api_users_list(struct tc_req *r);
tc_err tc_api_user_get(struct tc_req *r);
tc_err tc_api_user_create(struct tc_req *r);
tc_err tc_api_user_patch(struct tc_req *r);

tc_err tc_api_audit_list(struct tc_req *r);

tc_err tc_api_citizen_create(struct tc_req *r);
tc_err tc_api_citizens_list(struct tc_req *r);
tc_err tc_api_citizen_get(struct tc_req *r);
tc_err tc_api_citizen_patch(struct tc_req *r);
tc_err tc_api_duplicates_list(struct tc_req *r);
tc_err tc_api_citizen_qr_svg(struct tc_req *r);
tc_err tc_api_citizen_qr_png(struct tc_req *r);
tc_err tc_api_citizen_qr_rotate(struct tc_req *r);
tc_err tc_api_checkin(struct tc_req *r);
tc_err tc_api_import_citizens(struct tc_req *r);
tc_err tc_api_imports_list(struct tc_req *r);
tc_err tc_api_import_get(struct tc_req *r);
tc_err tc_api_import_rejects(struct tc_req *r);

tc_err tc_api_otp_send(struct tc_req *r);
tc_err tc_api_otp_verify(struct tc_req *r);
tc_err tc_api_me_people(struct tc_req *r);
tc_err tc_api_me_register(struct tc_req *r);
tc_err tc_api_me_qr_svg(struct tc_req *r);
tc_err tc_api_me_qr_png(struct tc_req *r);
tc_err tc_api_me_logout(struct tc_req *r);

/* Scope resolvers: set r->target_scope (and r->target). */
tc_err tc_scope_user_id(struct tc_req *r);
tc_err tc_scope_facility_id(struct tc_req *r);
tc_err tc_scope_query_place(struct tc_req *r);
tc_err tc_scope_citizen_id(struct tc_req *r);
tc_err tc_scope_import_id(struct tc_req *r);

/* registrations, vaccination sessions, vaccine products */
tc_err tc_api_registration_create(struct tc_req *r);
tc_err tc_api_registrations_list(struct tc_req *r);
tc_err tc_api_registration_get(struct tc_req *r);
tc_err tc_api_registrations_approve(struct tc_req *r);
tc_err tc_api_registrations_reject(struct tc_req *r);
tc_err tc_api_registrations_allocate(struct tc_req *r);
tc_err tc_api_registrations_schedule(struct tc_req *r);
tc_err tc_api_registrations_cancel(struct tc_req *r);
tc_err tc_api_me_registrations(struct tc_req *r);
tc_err tc_api_me_registration_create(struct tc_req *r);
tc_err tc_api_vsession_create(struct tc_req *r);
tc_err tc_api_vsessions_list(struct tc_req *r);
tc_err tc_api_vsession_get(struct tc_req *r);
tc_err tc_api_vsession_patch(struct tc_req *r);
tc_err tc_api_products_list(struct tc_req *r);
tc_err tc_scope_registration_id(struct tc_req *r);
tc_err tc_scope_vsession_id(struct tc_req *r);

/* the vaccine supply chain (docs/stock.md) */
tc_err tc_api_lot_create(struct tc_req *r);
tc_err tc_api_lots_list(struct tc_req *r);
tc_err tc_api_lot_get(struct tc_req *r);
tc_err tc_api_lot_quarantine(struct tc_req *r);
tc_err tc_api_lot_release(struct tc_req *r);
tc_err tc_api_stock_list(struct tc_req *r);
tc_err tc_api_stock_fefo(struct tc_req *r);
tc_err tc_api_stock_movements(struct tc_req *r);
tc_err tc_api_stock_movement_resolve(struct tc_req *r);
tc_err tc_api_stock_reconciliation(struct tc_req *r);
tc_err tc_api_stock_wastage_rates(struct tc_req *r);
tc_err tc_api_stock_receipt(struct tc_req *r);
tc_err tc_api_stock_adjustment(struct tc_req *r);
tc_err tc_api_stock_wastage(struct tc_req *r);
tc_err tc_api_stock_return(struct tc_req *r);
tc_err tc_api_stock_vial_open(struct tc_req *r);
tc_err tc_api_stock_vials_list(struct tc_req *r);
tc_err tc_api_stock_allocation_create(struct tc_req *r);
tc_err tc_api_stock_allocations_list(struct tc_req *r);
tc_err tc_api_transfer_ship(struct tc_req *r);
tc_err tc_api_transfers_list(struct tc_req *r);
tc_err tc_api_transfer_get(struct tc_req *r);
tc_err tc_api_transfer_receive(struct tc_req *r);
tc_err tc_scope_movement_id(struct tc_req *r);
tc_err tc_scope_transfer_id(struct tc_req *r);

/* vaccination at the site: visits, doses, adverse events, statistics
 * (docs/visits.md) */
tc_err tc_api_visit_checkin(struct tc_req *r);
tc_err tc_api_visits_list(struct tc_req *r);
tc_err tc_api_visit_get(struct tc_req *r);
tc_err tc_api_session_queue(struct tc_req *r);
tc_err tc_api_visit_cancel(struct tc_req *r);
tc_err tc_api_visit_complete(struct tc_req *r);
tc_err tc_api_screening_checklist(struct tc_req *r);
tc_err tc_api_visit_screening(struct tc_req *r);
tc_err tc_api_visit_injection(struct tc_req *r);
tc_err tc_api_visit_aefi(struct tc_req *r);
tc_err tc_api_dose_aefi(struct tc_req *r);
tc_err tc_api_alerts_list(struct tc_req *r);
tc_err tc_api_alert_ack(struct tc_req *r);
tc_err tc_api_citizen_doses(struct tc_req *r);
tc_err tc_api_lot_recipients(struct tc_req *r);
tc_err tc_api_stats_daily(struct tc_req *r);
tc_err tc_api_stats_coverage(struct tc_req *r);
tc_err tc_scope_visit_id(struct tc_req *r);
tc_err tc_scope_dose_id(struct tc_req *r);
tc_err tc_scope_alert_id(struct tc_req *r);
tc_err tc_scope_citizen_doses(struct tc_req *r);

#endif
