// Names for unit codes and facility ids, fetched once and remembered for
// the session, a few requests at a time. Lists the pages already loaded
// feed the cache through remember*().
import { api } from './api.js';

const units = new Map(); // code -> Promise<unit object>
const facilities = new Map(); // id -> Promise<facility object>
const MAX_PARALLEL = 4;
let running = 0;
const waiting = [];

function limited(fn) {
	return new Promise((resolve, reject) => {
		const go = () => {
			running++;
			fn().then(resolve, reject).finally(() => {
				running--;
				if (waiting.length)
					waiting.shift()();
			});
		};
		if (running < MAX_PARALLEL)
			go();
		else
			waiting.push(go);
	});
}

export function rememberUnit(u) {
	if (u && u.code && !units.has(u.code))
		units.set(u.code, Promise.resolve(u));
}

export function rememberFacility(f) {
	if (f && f.id)
		facilities.set(String(f.id), Promise.resolve(f));
}

// Resolves to the unit {code, name, name_with_type, level, path, ...}.
export function unit(code) {
	if (!units.has(code)) {
		const p = limited(() => api('GET', '/units/' + encodeURIComponent(code)))
			.then((r) => r.unit);
		p.catch(() => units.delete(code));
		units.set(code, p);
	}
	return units.get(code);
}

export function facility(id) {
	const key = String(id);
	if (!facilities.has(key)) {
		const p = limited(() => api('GET', '/facilities/' + encodeURIComponent(key)))
			.then((r) => r.facility);
		p.catch(() => facilities.delete(key));
		facilities.set(key, p);
	}
	return facilities.get(key);
}

export function forget() {
	units.clear();
	facilities.clear();
}
