// What each role may see and do in the pages. This mirrors the server's
// rules (src/domain/access.c) only to choose what to show; the server
// decides, and its answer is what the user sees when the two differ.

export const LEVELS = ['country', 'province', 'district', 'commune', 'facility'];

export const ROLES = {
	national_admin: { rank: 4, levels: ['country'] },
	province_health: { rank: 3, levels: ['province'] },
	district_centre: { rank: 2, levels: ['district'] },
	site_manager: { rank: 1, levels: ['facility'] },
	site_staff: { rank: 0, levels: ['facility'] },
	commune_officer: { rank: 0, levels: ['commune'] },
	mcc_agent: { rank: 0, levels: ['country', 'province', 'district'] },
	viewer: { rank: 0, levels: ['country', 'province', 'district', 'commune', 'facility'] },
};

export const ROLE_NAMES = Object.keys(ROLES);

export const KINDS = {
	national_warehouse: { levels: ['country'], creators: ['national_admin'] },
	provincial_warehouse: { levels: ['province'], creators: ['national_admin', 'province_health'] },
	district_centre: { levels: ['district'], creators: ['national_admin', 'province_health'] },
	vaccination_site: {
		levels: ['district', 'commune'],
		creators: ['national_admin', 'province_health', 'district_centre'],
	},
};

export const KIND_NAMES = Object.keys(KINDS);

export function isAdmin(role) {
	return (ROLES[role]?.rank ?? 0) > 0;
}

export function canCreateFacilities(role) {
	return KIND_NAMES.some((k) => KINDS[k].creators.includes(role));
}

export function creatableKinds(role) {
	return KIND_NAMES.filter((k) => KINDS[k].creators.includes(role));
}

// The level of a scope path: VN, VN/01, VN/01/001, VN/01/001/00001, .../F4.
export function scopeLevel(scope) {
	const segs = String(scope || '').split('/');
	if (segs[segs.length - 1].startsWith('F'))
		return 'facility';
	return LEVELS[Math.min(segs.length - 1, 3)];
}

// The deepest administrative unit code in a scope path (a facility's
// scope ends with F<id>; its unit is the segment before).
export function scopeUnit(scope) {
	const segs = String(scope || 'VN').split('/').filter((s) => !s.startsWith('F'));
	return segs[segs.length - 1];
}

export function levelIndex(level) {
	return LEVELS.indexOf(level);
}

// Roles an actor may grant, given the actor's own scope: no higher rank,
// and placeable at or below the actor's level.
export function grantableRoles(role, scope) {
	const rank = ROLES[role]?.rank ?? 0;
	if (rank === 0)
		return [];
	const mine = levelIndex(scopeLevel(scope));
	return ROLE_NAMES.filter((r) => ROLES[r].rank <= rank &&
		ROLES[r].levels.some((l) => levelIndex(l) >= mine));
}

// The administrative levels (not facility) where a role may be placed,
// at or below the actor's level.
export function unitLevelsFor(levels, actorScope) {
	const mine = levelIndex(scopeLevel(actorScope));
	return levels.filter((l) => l !== 'facility' && levelIndex(l) >= mine);
}

// Who works with people's records (src/http/routes.c): registers them,
// corrects them, looks them up at a site. Site roles see only their
// facility's scope, where a list of residents is empty, so they look
// people up at check-in instead of browsing.
const REGISTRARS = ['national_admin', 'province_health', 'district_centre',
	'site_manager', 'site_staff', 'commune_officer'];
const CLEANERS = ['national_admin', 'province_health', 'district_centre',
	'commune_officer', 'mcc_agent'];
const CHECKERS = ['national_admin', 'province_health', 'district_centre',
	'site_manager', 'site_staff'];
const PEOPLE_BROWSERS = ['national_admin', 'province_health', 'district_centre',
	'commune_officer', 'mcc_agent'];
// Who imports lists of people from files: the offices, the communes and
// the site managers (sites import from anywhere, like they register).
const IMPORTERS = ['national_admin', 'province_health', 'district_centre',
	'commune_officer', 'site_manager'];

// The vaccination flow (src/http/routes.c, src/domain/regflow.c): the
// communes and the offices put people down for vaccination, the province
// approves and allocates them to a district, the district centre plans
// sessions and schedules people into them. The support centre follows
// registrations without acting on them; sites see their own sessions.
const REG_CREATORS = ['national_admin', 'province_health', 'district_centre', 'commune_officer'];
const REG_READERS = [...REG_CREATORS, 'mcc_agent'];
const OFFICES = ['national_admin', 'province_health'];
const CENTRES = [...OFFICES, 'district_centre'];
const SESSION_READERS = [...CENTRES, 'site_manager', 'site_staff'];

// The steps a role may take, in the order the page offers them.
export function regSteps(role) {
	if (OFFICES.includes(role))
		return ['approve', 'allocate', 'schedule', 'reject', 'cancel'];
	if (role === 'district_centre')
		return ['schedule', 'reject', 'cancel'];
	return [];
}

export function canCreateRegistrations(role) {
	return REG_CREATORS.includes(role);
}

export function canPlanSessions(role) {
	return CENTRES.includes(role);
}

export function canRegisterPeople(role) {
	return REGISTRARS.includes(role);
}

export function canCorrectPeople(role) {
	return CLEANERS.includes(role);
}

// Sites register whoever comes, from any commune.
export function canBrowsePeople(role) {
	return PEOPLE_BROWSERS.includes(role);
}

export function registersAnywhere(role) {
	return role === 'site_manager' || role === 'site_staff';
}

// The vaccine supply chain (docs/stock.md): the offices, the district
// centre and the site manager move stock in their jurisdiction; site
// staff record wastage at their site; viewers read. Lots are quarantined
// by national or provincial staff and released by national staff.
const STOCK_READERS = ['national_admin', 'province_health', 'district_centre',
	'site_manager', 'site_staff', 'viewer'];
const STOCK_MOVERS = ['national_admin', 'province_health', 'district_centre', 'site_manager'];

export function canMoveStock(role) {
	return STOCK_MOVERS.includes(role);
}

export function canWasteStock(role) {
	return STOCK_MOVERS.includes(role) || role === 'site_staff';
}

export function canQuarantineLots(role) {
	return OFFICES.includes(role);
}

export function canReleaseLots(role) {
	return role === 'national_admin';
}

// The pages in the menu, in order, for a role.
export function navFor(role) {
	const pages = ['overview'];
	if (CHECKERS.includes(role))
		pages.push('site', 'checkin');
	if (PEOPLE_BROWSERS.includes(role))
		pages.push('citizens');
	if (REG_READERS.includes(role))
		pages.push('registrations');
	if (SESSION_READERS.includes(role))
		pages.push('sessions');
	if (STOCK_READERS.includes(role))
		pages.push('stock');
	if (IMPORTERS.includes(role))
		pages.push('imports');
	pages.push('units', 'facilities');
	if (isAdmin(role))
		pages.push('users', 'audit');
	return pages;
}
