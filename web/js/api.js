// Calls to /api/v1: adds the bearer token, turns error bodies into
// ApiError (code, field, message, status), and reports an ended session
// once to whoever registered with onSessionEnd().

const TOKEN_KEY = 'tiemchung.token';
const SESSION_KEY = 'tiemchung.session';

export class ApiError extends Error {
	constructor(status, code, message, field) {
		super(message || code);
		this.name = 'ApiError';
		this.status = status;
		this.code = code;
		this.field = field || null;
	}
}

let sessionEndHandler = null;
let activityHandler = null;

// fn(code) runs when a call answers 401 token_expired or unauthenticated.
export function onSessionEnd(fn) {
	sessionEndHandler = fn;
}

// fn() runs after every call that the server answered while signed in,
// since any such call counts as activity for the idle timeout.
export function onActivity(fn) {
	activityHandler = fn;
}

export function token() {
	try {
		return sessionStorage.getItem(TOKEN_KEY);
	} catch (e) {
		return null;
	}
}

// The login answer without the token: {user, expires_at, idle_seconds}.
export function session() {
	try {
		return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
	} catch (e) {
		return null;
	}
}

export function saveSession(login) {
	sessionStorage.setItem(TOKEN_KEY, login.token);
	sessionStorage.setItem(SESSION_KEY, JSON.stringify({
		user: login.user,
		expires_at: login.expires_at,
		idle_seconds: login.idle_seconds,
	}));
}

export function clearSession() {
	try {
		sessionStorage.removeItem(TOKEN_KEY);
		sessionStorage.removeItem(SESSION_KEY);
	} catch (e) {
		// nothing to clear
	}
}

// api('GET', '/units', {query: {parent: '01'}}) or
// api('POST', '/facilities', {body: {...}}). Resolves to the parsed JSON.
export async function api(method, path, opts = {}) {
	let url = '/api/v1' + path;
	if (opts.query) {
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(opts.query))
			if (v !== undefined && v !== null && v !== '')
				q.set(k, String(v));
		const s = q.toString();
		if (s)
			url += '?' + s;
	}
	const headers = { Accept: 'application/json' };
	const tok = token();
	if (tok && !opts.anonymous)
		headers.Authorization = 'Bearer ' + tok;
	let body;
	if (opts.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(opts.body);
	}

	let res;
	try {
		res = await fetch(url, { method, headers, body, cache: 'no-store', credentials: 'omit' });
	} catch (e) {
		throw new ApiError(0, 'network', e.message);
	}
	let data = null;
	const text = await res.text();
	if (text) {
		try {
			data = JSON.parse(text);
		} catch (e) {
			data = null;
		}
	}
	if (res.ok) {
		if (tok && !opts.anonymous && activityHandler)
			activityHandler();
		return data;
	}
	const err = data && data.error ? data.error : {};
	const code = err.code || (res.status >= 500 ? 'internal_error' : 'bad_request');
	const e = new ApiError(res.status, code, err.message, err.field);
	if (res.status === 401 && (code === 'token_expired' || code === 'unauthenticated') &&
	    tok && !opts.anonymous) {
		clearSession();
		if (sessionEndHandler)
			sessionEndHandler(code);
	}
	throw e;
}
