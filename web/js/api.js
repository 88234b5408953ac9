// Calls to /api/v1: adds the bearer token, turns error bodies into
// ApiError (code, field, message, status), and reports an ended session
// once to whoever registered with onSessionEnd().

// The staff pages keep their token under these keys; the citizen portal
// switches to its own with useStore(), so the two never mix.
let TOKEN_KEY = 'tiemchung.token';
let SESSION_KEY = 'tiemchung.session';

export function useStore(tokenKey, sessionKey) {
	TOKEN_KEY = tokenKey;
	SESSION_KEY = sessionKey;
}

export class ApiError extends Error {
	constructor(status, code, message, field, extra = {}) {
		super(message || code);
		this.name = 'ApiError';
		this.status = status;
		this.code = code;
		this.field = field || null;
		// A staff 409 names the record already on file (the citizen portal's
		// does not); 429 says when to retry.
		this.existingId = extra.existingId ?? null;
		this.retryAfter = extra.retryAfter ?? null;
		// A 409 schedule (docs/visits.md) says why and from which day.
		this.reason = extra.reason ?? null;
		this.earliest = extra.earliest ?? null;
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
		phone: login.phone,
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

function apiUrl(path, query) {
	let url = '/api/v1' + path;
	if (query) {
		const q = new URLSearchParams();
		for (const [k, v] of Object.entries(query))
			if (v !== undefined && v !== null && v !== '')
				q.set(k, String(v));
		const s = q.toString();
		if (s)
			url += '?' + s;
	}
	return url;
}

async function send(method, path, opts, accept) {
	const headers = { ...opts.headers, Accept: accept };
	const tok = token();
	if (tok && !opts.anonymous)
		headers.Authorization = 'Bearer ' + tok;
	let body;
	if (opts.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(opts.body);
	} else if (opts.file !== undefined) {
		// a file sent as it is (an upload): its bytes are the body
		headers['Content-Type'] = opts.file.type || 'application/octet-stream';
		body = opts.file;
	}
	let res;
	try {
		res = await fetch(apiUrl(path, opts.query), { method, headers, body, cache: 'no-store', credentials: 'omit' });
	} catch (e) {
		throw new ApiError(0, 'network', e.message);
	}
	if (res.ok && tok && !opts.anonymous && activityHandler)
		activityHandler();
	return { res, tok };
}

async function failure(res, tok, opts) {
	let data = null;
	try {
		data = JSON.parse(await res.text());
	} catch (e) {
		data = null;
	}
	const err = data && data.error ? data.error : {};
	const code = err.code || (res.status >= 500 ? 'internal_error' : 'bad_request');
	const retry = Number(res.headers.get('Retry-After'));
	const e = new ApiError(res.status, code, err.message, err.field, {
		existingId: err.existing_id,
		reason: err.reason,
		earliest: err.earliest,
		retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
	});
	if (res.status === 401 && (code === 'token_expired' || code === 'unauthenticated') &&
	    tok && !opts.anonymous) {
		clearSession();
		if (sessionEndHandler)
			sessionEndHandler(code);
	}
	return e;
}

// api('GET', '/units', {query: {parent: '01'}}),
// api('POST', '/facilities', {body: {...}}) (with more request headers in
// opts.headers: {'Idempotency-Key': ...}) or, to send a File or Blob as
// the body, api('POST', '/imports/citizens', {file, query}). Resolves to
// the parsed JSON.
export async function api(method, path, opts = {}) {
	const { res, tok } = await send(method, path, opts, 'application/json');
	if (!res.ok)
		throw await failure(res, tok, opts);
	const text = await res.text();
	try {
		return text ? JSON.parse(text) : null;
	} catch (e) {
		return null;
	}
}

// A file behind the bearer token (a QR code, a CSV), as a Blob.
export async function apiBlob(path, opts = {}) {
	const { res, tok } = await send('GET', path, opts, '*/*');
	if (!res.ok)
		throw await failure(res, tok, opts);
	return res.blob();
}

// The same as an object URL for <img src>. The caller revokes it when the
// image goes.
export async function apiObjectUrl(path, opts = {}) {
	return URL.createObjectURL(await apiBlob(path, opts));
}
