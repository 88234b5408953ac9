/* Every route of the server. The router checks the bearer token and the
 * role listed here, then runs the scope resolver and checks that what it
 * found lies inside the caller's jurisdiction, before the handler runs. */
#include "api.h"
#include "router.h"

#define ANY TC_ROLES_ANY
#define ADMINS TC_ROLES_ADMIN
#define R(x) TC_ROLE_BIT(TC_ROLE_##x)
/* who registers people: sites (walk-ins) and the health offices */
#define REGISTRARS                                                               \
	(R(NATIONAL_ADMIN) | R(PROVINCE_HEALTH) | R(DISTRICT_CENTRE) | R(SITE_MANAGER) | \
	 R(SITE_STAFF) | R(COMMUNE_OFFICER))
/* who reads people's records (inside their jurisdiction): not viewers */
#define PEOPLE_READERS (TC_ROLES_ANY & ~R(VIEWER))
/* who corrects people's records: the offices and the commune groups */
#define CLEANERS                                                                  \
	(R(NATIONAL_ADMIN) | R(PROVINCE_HEALTH) | R(DISTRICT_CENTRE) | R(COMMUNE_OFFICER) | \
	 R(MCC_AGENT))
/* who imports lists of people: the offices, communes and site managers */
#define IMPORTERS                                                                 \
	(R(NATIONAL_ADMIN) | R(PROVINCE_HEALTH) | R(DISTRICT_CENTRE) | R(COMMUNE_OFFICER) | \
	 R(SITE_MANAGER))
/* who registers people for vaccination: the offices and the communes */
#define REG_STAFF                                                                 \
	(R(NATIONAL_ADMIN) | R(PROVINCE_HEALTH) | R(DISTRICT_CENTRE) | R(COMMUNE_OFFICER))
/* the province's steps, and the steps the district centre takes as well */
#define OFFICES (R(NATIONAL_ADMIN) | R(PROVINCE_HEALTH))
#define CENTRES (OFFICES | R(DISTRICT_CENTRE))
/* who looks people up to vaccinate them */
#define CHECKERS                                                                  \
	(R(NATIONAL_ADMIN) | R(PROVINCE_HEALTH) | R(DISTRICT_CENTRE) | R(SITE_MANAGER) | \
	 R(SITE_STAFF))
/* the supply chain (docs/stock.md): who moves stock of the facilities in
 * their jurisdiction, who also opens vials and records wastage at a site,
 * and who reads it */
#define STOCK_WRITERS (CENTRES | R(SITE_MANAGER))
#define SITE_HANDS (STOCK_WRITERS | R(SITE_STAFF))
#define STOCK_READERS (SITE_HANDS | R(VIEWER))

/* who records doses given elsewhere: sites, offices, communes and the
 * response centre (people's reports of missing doses) */
#define DOSE_RECORDERS (CHECKERS | R(COMMUNE_OFFICER) | R(MCC_AGENT))
/* who approves a correction: the site manager or the district and above */
#define DOSE_APPROVERS (CENTRES | R(SITE_MANAGER))
/* who works through the doses flagged for review */
#define DOSE_REVIEWERS (CLEANERS | R(SITE_MANAGER))

const struct tc_route tc_routes[] = {
	{"GET", "/healthz", tc_api_healthz, TC_PUBLIC, 0, NULL},
	{"GET", "/metrics", tc_api_metrics, TC_PUBLIC, 0, NULL},

	{"POST", "/api/v1/auth/login", tc_api_login, TC_PUBLIC, 4096, NULL},
	{"POST", "/api/v1/auth/logout", tc_api_logout, ANY, 1024, NULL},
	{"GET", "/api/v1/me", tc_api_me, ANY, 0, NULL},

	/* citizens, signed in by a code sent to their phone */
	{"POST", "/api/v1/auth/otp", tc_api_otp_send, TC_PUBLIC, 1024, NULL},
	{"POST", "/api/v1/auth/otp/verify", tc_api_otp_verify, TC_PUBLIC, 1024, NULL},
	{"GET", "/api/v1/me/people", tc_api_me_people, TC_CITIZEN_ONLY, 0, NULL},
	{"POST", "/api/v1/me/people", tc_api_me_register, TC_CITIZEN_ONLY, 8192, NULL},
	{"GET", "/api/v1/me/people/{id}/qr.svg", tc_api_me_qr_svg, TC_CITIZEN_ONLY, 0, NULL},
	{"GET", "/api/v1/me/people/{id}/qr.png", tc_api_me_qr_png, TC_CITIZEN_ONLY, 0, NULL},
	{"POST", "/api/v1/me/logout", tc_api_me_logout, TC_CITIZEN_ONLY, 1024, NULL},

	{"GET", "/api/v1/units", tc_api_units_list, ANY, 0, NULL},
	{"GET", "/api/v1/units/{code}", tc_api_unit_get, ANY, 0, NULL},
	/* the same reference data for the citizen portal, without an account */
	{"GET", "/api/v1/public/units", tc_api_units_list, TC_PUBLIC, 0, NULL},

	{"GET", "/api/v1/facilities", tc_api_facilities_list, ANY, 0, tc_scope_query_place},
	{"POST", "/api/v1/facilities", tc_api_facility_create,
	 R(NATIONAL_ADMIN) | R(PROVINCE_HEALTH) | R(DISTRICT_CENTRE), 16384, NULL},
	{"GET", "/api/v1/facilities/{id}", tc_api_facility_get, ANY, 0, tc_scope_facility_id},

	{"GET", "/api/v1/users", tc_api_users_list, ADMINS, 0, tc_scope_query_place},
	{"POST", "/api/v1/users", tc_api_user_create, ADMINS, 8192, NULL},
	{"GET", "/api/v1/users/{id}", tc_api_user_get, ADMINS, 0, tc_scope_user_id},
	{"PATCH", "/api/v1/users/{id}", tc_api_user_patch, ADMINS, 8192, tc_scope_user_id},

	{"GET", "/api/v1/audit", tc_api_audit_list, ADMINS, 0, NULL},

	{"POST", "/api/v1/citizens", tc_api_citizen_create, REGISTRARS, 16384, NULL},
	{"GET", "/api/v1/citizens", tc_api_citizens_list, PEOPLE_READERS, 0,
	 tc_scope_query_place},
	{"GET", "/api/v1/citizens/duplicates", tc_api_duplicates_list, CLEANERS, 0,
	 tc_scope_query_place},
	{"GET", "/api/v1/citizens/{id}", tc_api_citizen_get, PEOPLE_READERS, 0,
	 tc_scope_citizen_id},
	{"PATCH", "/api/v1/citizens/{id}", tc_api_citizen_patch, CLEANERS, 16384,
	 tc_scope_citizen_id},
	{"GET", "/api/v1/citizens/{id}/qr.svg", tc_api_citizen_qr_svg, PEOPLE_READERS, 0,
	 tc_scope_citizen_id},
	{"GET", "/api/v1/citizens/{id}/qr.png", tc_api_citizen_qr_png, PEOPLE_READERS, 0,
	 tc_scope_citizen_id},
	{"POST", "/api/v1/citizens/{id}/qr/rotate", tc_api_citizen_qr_rotate, CLEANERS, 1024,
	 tc_scope_citizen_id},
	{"POST", "/api/v1/checkin", tc_api_checkin, CHECKERS, 4096, NULL},
	{"POST", "/api/v1/imports/citizens", tc_api_import_citizens, IMPORTERS, 1024u << 20,
	 NULL},
	{"GET", "/api/v1/imports", tc_api_imports_list, IMPORTERS, 0, tc_scope_query_place},
	{"GET", "/api/v1/imports/{id}", tc_api_import_get, IMPORTERS, 0, tc_scope_import_id},
	{"GET", "/api/v1/imports/{id}/rejects.csv", tc_api_import_rejects, IMPORTERS, 0,
	 tc_scope_import_id},

	/* registrations: the province approves and allocates, the district
	 * centre schedules (src/domain/regflow.c says who takes which step) */
	{"POST", "/api/v1/registrations", tc_api_registration_create, REG_STAFF, 1024, NULL},
	{"GET", "/api/v1/registrations", tc_api_registrations_list, REG_STAFF | R(MCC_AGENT), 0,
	 tc_scope_query_place},
	{"POST", "/api/v1/registrations/approve", tc_api_registrations_approve, OFFICES,
	 65536, NULL},
	{"POST", "/api/v1/registrations/reject", tc_api_registrations_reject, CENTRES, 65536,
	 NULL},
	{"POST", "/api/v1/registrations/allocate", tc_api_registrations_allocate, OFFICES,
	 65536, NULL},
	{"POST", "/api/v1/registrations/schedule", tc_api_registrations_schedule, CENTRES,
	 65536, NULL},
	{"POST", "/api/v1/registrations/cancel", tc_api_registrations_cancel, CENTRES, 65536,
	 NULL},
	{"GET", "/api/v1/registrations/{id}", tc_api_registration_get,
	 REG_STAFF | R(MCC_AGENT), 0, tc_scope_registration_id},
	{"GET", "/api/v1/me/registrations", tc_api_me_registrations, TC_CITIZEN_ONLY, 0, NULL},
	{"POST", "/api/v1/me/registrations", tc_api_me_registration_create, TC_CITIZEN_ONLY,
	 1024, NULL},

	/* vaccination sessions at the sites, and the vaccines they give */
	{"POST", "/api/v1/sessions", tc_api_vsession_create, CENTRES, 4096, NULL},
	{"GET", "/api/v1/sessions", tc_api_vsessions_list, ANY, 0, tc_scope_query_place},
	{"GET", "/api/v1/sessions/{id}", tc_api_vsession_get, ANY, 0, tc_scope_vsession_id},
	{"PATCH", "/api/v1/sessions/{id}", tc_api_vsession_patch, CENTRES, 4096,
	 tc_scope_vsession_id},
	{"GET", "/api/v1/products", tc_api_products_list, ANY, 0, NULL},

	/* the vaccine supply chain: lots, stock, transfers, allocations. The
	 * facilities named in a write's body are checked by its handler. */
	{"POST", "/api/v1/lots", tc_api_lot_create, OFFICES, 4096, NULL},
	{"GET", "/api/v1/lots", tc_api_lots_list, STOCK_READERS, 0, NULL},
	{"GET", "/api/v1/lots/{id}", tc_api_lot_get, STOCK_READERS, 0, NULL},
	{"POST", "/api/v1/lots/{id}/quarantine", tc_api_lot_quarantine, OFFICES, 4096, NULL},
	{"POST", "/api/v1/lots/{id}/release", tc_api_lot_release, R(NATIONAL_ADMIN), 4096,
	 NULL},
	{"GET", "/api/v1/stock", tc_api_stock_list, STOCK_READERS, 0, tc_scope_query_place},
	{"GET", "/api/v1/stock/fefo", tc_api_stock_fefo, STOCK_READERS, 0,
	 tc_scope_query_place},
	{"GET", "/api/v1/stock/movements", tc_api_stock_movements, STOCK_READERS, 0,
	 tc_scope_query_place},
	{"POST", "/api/v1/stock/movements/{id}/resolve", tc_api_stock_movement_resolve,
	 STOCK_WRITERS, 4096, tc_scope_movement_id},
	{"GET", "/api/v1/stock/reconciliation", tc_api_stock_reconciliation, STOCK_READERS,
	 0, tc_scope_query_place},
	{"GET", "/api/v1/stock/wastage-rates", tc_api_stock_wastage_rates, STOCK_READERS, 0,
	 tc_scope_query_place},
	{"POST", "/api/v1/stock/receipts", tc_api_stock_receipt, STOCK_WRITERS, 4096, NULL},
	{"POST", "/api/v1/stock/transfers", tc_api_transfer_ship, STOCK_WRITERS, 65536,
	 NULL},
	{"GET", "/api/v1/stock/transfers", tc_api_transfers_list, STOCK_READERS, 0,
	 tc_scope_query_place},
	{"GET", "/api/v1/stock/transfers/{id}", tc_api_transfer_get, STOCK_READERS, 0,
	 tc_scope_transfer_id},
	{"POST", "/api/v1/stock/transfers/{id}/receive", tc_api_transfer_receive,
	 STOCK_WRITERS, 65536, NULL},
	{"POST", "/api/v1/stock/adjustments", tc_api_stock_adjustment, STOCK_WRITERS, 4096,
	 NULL},
	{"POST", "/api/v1/stock/wastage", tc_api_stock_wastage, SITE_HANDS, 4096, NULL},
	{"POST", "/api/v1/stock/returns", tc_api_stock_return, STOCK_WRITERS, 4096, NULL},
	{"POST", "/api/v1/stock/vials", tc_api_stock_vial_open, SITE_HANDS, 4096, NULL},
	{"GET", "/api/v1/stock/vials", tc_api_stock_vials_list, STOCK_READERS, 0,
	 tc_scope_query_place},
	{"POST", "/api/v1/stock/allocations", tc_api_stock_allocation_create, STOCK_WRITERS,
	 4096, NULL},
	{"GET", "/api/v1/stock/allocations", tc_api_stock_allocations_list, STOCK_READERS,
	 0, tc_scope_query_place},

	/* doses recorded from elsewhere, corrections (approved by the site
	 * manager or the district) and the review list */
	{"POST", "/api/v1/doses", tc_api_dose_record, DOSE_RECORDERS, 4096, NULL},
	{"POST", "/api/v1/imports/doses", tc_api_import_doses, IMPORTERS, 1024u << 20, NULL},
	{"GET", "/api/v1/doses/review", tc_api_doses_review, DOSE_REVIEWERS, 0,
	 tc_scope_query_place},
	{"POST", "/api/v1/doses/{id}/void", tc_api_dose_void, DOSE_APPROVERS, 4096,
	 tc_scope_dose_id},
	{"POST", "/api/v1/doses/{id}/correct", tc_api_dose_correct, DOSE_APPROVERS, 4096,
	 tc_scope_dose_id},
	{"POST", "/api/v1/doses/{id}/review", tc_api_dose_reviewed, DOSE_REVIEWERS, 1024,
	 tc_scope_dose_id},

	/* vaccination at the site (docs/visits.md): the site's staff at their
	 * own site, the district centre and the offices above at the sites of
	 * their jurisdiction. A check-in names its session in the body and is
	 * checked by its handler; every other record is in the path. The steps
	 * that change a visit read it and check the jurisdiction in their own
	 * job (tc_visit_read), not before on the HTTP thread. */
	{"POST", "/api/v1/visits", tc_api_visit_checkin, CHECKERS, 4096, NULL},
	{"GET", "/api/v1/visits", tc_api_visits_list, CHECKERS, 0, NULL},
	{"GET", "/api/v1/visits/{id}", tc_api_visit_get, CHECKERS, 0, tc_scope_visit_id},
	{"POST", "/api/v1/visits/{id}/cancel", tc_api_visit_cancel, CHECKERS, 4096, NULL},
	{"POST", "/api/v1/visits/{id}/screening", tc_api_visit_screening, CHECKERS, 16384, NULL},
	{"POST", "/api/v1/visits/{id}/injection", tc_api_visit_injection, CHECKERS, 4096, NULL},
	{"POST", "/api/v1/visits/{id}/complete", tc_api_visit_complete, CHECKERS, 1024, NULL},
	{"POST", "/api/v1/visits/{id}/aefi", tc_api_visit_aefi, CHECKERS, 16384,
	 tc_scope_visit_id},
	{"GET", "/api/v1/sessions/{id}/queue", tc_api_session_queue, CHECKERS, 0,
	 tc_scope_vsession_id},
	{"GET", "/api/v1/screening/checklist", tc_api_screening_checklist, CHECKERS, 0, NULL},
	{"POST", "/api/v1/doses/{id}/aefi", tc_api_dose_aefi, CHECKERS, 16384,
	 tc_scope_dose_id},
	/* whoever reads people's records reads their doses (audited alike) */
	{"GET", "/api/v1/citizens/{id}/doses", tc_api_citizen_doses, PEOPLE_READERS, 0,
	 tc_scope_citizen_doses},
	{"GET", "/api/v1/lots/{id}/recipients", tc_api_lot_recipients, CHECKERS, 0, NULL},
	/* what happened where: the alerts and the counters, for viewers too */
	{"GET", "/api/v1/alerts", tc_api_alerts_list, CHECKERS | R(VIEWER), 0,
	 tc_scope_query_place},
	{"POST", "/api/v1/alerts/{id}/ack", tc_api_alert_ack, CHECKERS, 1024,
	 tc_scope_alert_id},
	{"GET", "/api/v1/stats/daily", tc_api_stats_daily, CHECKERS | R(VIEWER), 0,
	 tc_scope_query_place},
	{"GET", "/api/v1/stats/coverage", tc_api_stats_coverage, CHECKERS | R(VIEWER), 0,
	 tc_scope_query_place},
};

const int tc_nroutes = (int)(sizeof(tc_routes) / sizeof(tc_routes[0]));

bool tc_route_spools(const struct tc_route *r)
{
	return r->handler == tc_api_import_citizens || r->handler == tc_api_import_doses;
}
