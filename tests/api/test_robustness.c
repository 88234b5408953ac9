/* Robustness: more than 10,000 malformed or random requests against a
 * live server: raw garbage, broken HTTP, random paths and query strings,
 * mutated JSON bodies on every route that takes one. Afterwards the server
 * must still answer, never have answered 5xx, and the database must hold
 * exactly the writes it acknowledged. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tsupport.h"

#define THREADS 4
#define PER_THREAD 2700 /* 10,800 requests in all */

struct shared {
	int port;
	const char *token;     /* national admin */
	long long user_id;     /* an account to PATCH */
	atomic_int sent, answered, resets, created, server_errors;
	atomic_int by_class[6];
	char bad[512];         /* first 5xx seen, for the failure message */
	pthread_mutex_t mu;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int dial(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct timeval tv = {5, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Reads one response; returns its status, 0 when the connection ended
 * without one. Sets *close when the server will not keep the connection. */
static int read_response(int fd, char *body, size_t cap, bool *close_after)
{
	char buf[65536];
	size_t len = 0;
	char *end = NULL;
	*close_after = true;
	while (!(end = memmem(buf, len, "\r\n\r\n", 4))) {
		if (len == sizeof(buf))
			return 0;
		ssize_t r = recv(fd, buf + len, sizeof(buf) - len, 0);
		if (r <= 0)
			return 0;
		len += (size_t)r;
	}
	int status = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return 0;
	size_t hlen = (size_t)(end - buf) + 4, clen = 0;
	char *cl = memmem(buf, hlen, "Content-Length: ", 16);
	if (cl)
		clen = (size_t)strtoul(cl + 16, NULL, 10);
	*close_after = memmem(buf, hlen, "Connection: close", 17) != NULL;
	size_t have = len - hlen;
	if (have > clen)
		have = clen;
	size_t keep = have < cap - 1 ? have : cap - 1;
	memcpy(body, buf + hlen, keep);
	while (have < clen) {
		char tmp[8192];
		ssize_t r = recv(fd, tmp, sizeof(tmp), 0);
		if (r <= 0)
			return 0;
		size_t k = (size_t)r;
		if (keep < cap - 1) {
			size_t c = k < cap - 1 - keep ? k : cap - 1 - keep;
			memcpy(body + keep, tmp, c);
			keep += c;
		}
		have += k;
	}
	body[keep] = '\0';
	return status;
}

static void note(struct shared *sh, int status, const char *what, const char *body)
{
	atomic_fetch_add(&sh->answered, 1);
	atomic_fetch_add(&sh->by_class[status / 100 < 6 ? status / 100 : 0], 1);
	/* 505 is libmicrohttpd's right answer to "HTTP/9.9", not a fault */
	if (status >= 500 && status != 505) {
		atomic_fetch_add(&sh->server_errors, 1);
		pthread_mutex_lock(&sh->mu);
		if (sh->bad[0] == '\0')
			snprintf(sh->bad, sizeof(sh->bad), "%d for %.200s: %.200s", status, what, body);
		pthread_mutex_unlock(&sh->mu);
	}
}

/* ---- generators ------------------------------------------------------------- */

static const char *const templates[] = {
	"{\"kind\":\"vaccination_site\",\"name\":\"R%llu\",\"unit\":\"00001\",\"daily_capacity\":5}",
	"{\"username\":\"r%llu\",\"password\":\"long enough pw\",\"role\":\"viewer\",\"unit\":\"01\"}",
	"{\"active\":true,\"role\":\"viewer\",\"unit\":\"01\",\"x%llu\":1}",
	"{\"username\":\"\",\"password\":\"%llu\",\"junk\":1}",
};
static const char *const routes[][2] = {
	{"POST", "/api/v1/facilities"},
	{"POST", "/api/v1/users"},
	{"PATCH", "/api/v1/users/%lld"},
	{"POST", "/api/v1/auth/login"},
};

static const char *const junk_values[] = {
	"null", "true", "false", "0", "-1", "1e999", "9223372036854775808", "[]", "{}",
	"\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"Đặng Thị Ánh\"", "\"\\n\\t\"", "[[[[[[[[[[]]]]]]]]]]",
	"\"00001\"", "\"VN\"", "\"national_admin\"", "123456789012345", "\"\xff\xfe\"",
};

static size_t mutate(uint64_t *s, char *out, size_t cap, int which, unsigned long long n)
{
	int len = snprintf(out, cap, templates[which], n);
	int ops = 1 + (int)(rnd(s) % 4);
	for (int k = 0; k < ops && len > 0; k++) {
		size_t pos = rnd(s) % (size_t)len;
		switch (rnd(s) % 8) {
		case 0: /* delete a byte */
			memmove(out + pos, out + pos + 1, (size_t)len - pos);
			len--;
			break;
		case 1: /* insert a random byte */
			if ((size_t)len + 2 < cap) {
				memmove(out + pos + 1, out + pos, (size_t)len - pos + 1);
				out[pos] = (char)(rnd(s) & 0xff);
				len++;
			}
			break;
		case 2: /* truncate */
			len = (int)pos;
			out[len] = '\0';
			break;
		case 3: { /* replace a value after a colon */
			char *colon = strchr(out + pos, ':');
			if (colon) {
				char *endv = strpbrk(colon + 1, ",}");
				const char *v = junk_values[rnd(s) % (sizeof(junk_values) / sizeof(*junk_values))];
				if (endv && (size_t)len + strlen(v) + 2 < cap) {
					size_t tail = strlen(endv);
					memmove(colon + 1 + strlen(v), endv, tail + 1);
					memcpy(colon + 1, v, strlen(v));
					len = (int)strlen(out);
				}
			}
			break;
		}
		case 4: /* duplicate the body's first key */
			if ((size_t)len * 2 + 4 < cap && out[0] == '{') {
				char *comma = strchr(out, ',');
				if (comma) {
					size_t klen = (size_t)(comma - out);
					memmove(out + klen + 1, out + 1, (size_t)len);
					memcpy(out + 1, out + 1 + klen, klen - 1);
					out[klen] = ',';
					len = (int)strlen(out);
				}
			}
			break;
		case 5: /* a very long string value */
			if (cap > 70000) {
				len = snprintf(out, cap, "{\"name\":\"");
				for (int i = 0; i < 60000; i++)
					out[len++] = (char)('a' + i % 26);
				len += snprintf(out + len, cap - (size_t)len, "\"}");
			}
			break;
		default: /* flip a bit */
			out[pos] ^= (char)(1u << (rnd(s) % 8));
			break;
		}
	}
	return (size_t)(len > 0 ? len : 0);
}

static void random_path(uint64_t *s, char *out, size_t cap)
{
	static const char *const roots[] = {"/api/v1/", "/api/v1/users/", "/api/v1/facilities/",
	                                    "/api/v1/units/", "/", "/api/", "/api/v1/auth/",
	                                    "/js/", "/healthz"};
	size_t n = (size_t)snprintf(out, cap, "%s", roots[rnd(s) % 9]);
	int k = (int)(rnd(s) % 40);
	for (int i = 0; i < k && n + 4 < cap; i++) {
		unsigned c = (unsigned)(rnd(s) & 0xff);
		if (c > 0x20 && c < 0x7f && c != '?' && c != '#' && c != '%')
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, cap - n, "%%%02X", c);
	}
	if (rnd(s) % 2) {
		n += (size_t)snprintf(out + n, cap - n, "?parent=%%%02X%llu&limit=%lld&unit=",
		                      (unsigned)(rnd(s) & 0xff), (unsigned long long)rnd(s) % 100,
		                      (long long)(rnd(s) % 3000) - 1000);
		for (int i = 0; i < 5 && n + 4 < cap; i++)
			n += (size_t)snprintf(out + n, cap - n, "%%%02X", (unsigned)(rnd(s) & 0xff));
	}
	out[n] = '\0';
}

static size_t garbage(uint64_t *s, char *out, size_t cap, int port)
{
	static const char *const broken[] = {
		"GET / HTTP/1.1\r\n\r\n",                          /* no Host */
		"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
		"\r\n\r\n\r\n",
		"POST /api/v1/facilities HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
		"POST /api/v1/facilities HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"POST /api/v1/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
		"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"a\"",
		"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n\r\n",
		"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Zm9vOmJhcg==\r\n\r\n",
		"GET /api/v1/units?parent=%00 HTTP/1.1\r\nHost: x\r\n\r\n",
		"BREW /coffee HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4, ::1, garbage\r\n\r\n",
		"GET /\x01\x02 HTTP/1.1\r\nHost: x\r\n\r\n",
		"G",
	};
	size_t n;
	switch (rnd(s) % 4) {
	case 0: /* random bytes */
		n = 1 + rnd(s) % 2000;
		if (n > cap)
			n = cap;
		for (size_t i = 0; i < n; i++)
			out[i] = (char)(rnd(s) & 0xff);
		return n;
	case 1: { /* a huge header */
		n = (size_t)snprintf(out, cap, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
		size_t big = 70000 + rnd(s) % 30000;
		while (n < big && n + 8 < cap)
			out[n++] = 'A';
		n += (size_t)snprintf(out + n, cap - n, "\r\n\r\n");
		return n;
	}
	default: {
		const char *b = broken[rnd(s) % (sizeof(broken) / sizeof(*broken))];
		(void)port;
		n = strlen(b);
		memcpy(out, b, n);
		return n;
	}
	}
}

/* ---- the workers --------------------------------------------------------------- */

struct worker {
	pthread_t th;
	struct shared *sh;
	uint64_t seed;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	uint64_t *s = &w->seed;
	size_t cap = 120000;
	char *req = malloc(cap), *body = malloc(cap), *resp = malloc(4096), path[512];
	int fd = -1;

	for (int i = 0; i < PER_THREAD; i++) {
		int kind = (int)(rnd(s) % 10);
		bool close_after = true;
		atomic_fetch_add(&sh->sent, 1);
		if (kind < 3) {
			/* raw garbage on a fresh connection; the server may say 400 or just close */
			int g = dial(sh->port);
			if (g < 0)
				continue;
			size_t n = garbage(s, req, cap, sh->port);
			send_all(g, req, n);
			shutdown(g, SHUT_WR);
			int st = read_response(g, resp, 4096, &close_after);
			if (st)
				note(sh, st, "garbage", resp);
			else
				atomic_fetch_add(&sh->resets, 1);
			close(g);
			continue;
		}
		size_t hlen, blen = 0;
		const char *method = "GET";
		char what[300];
		if (kind < 6) {
			static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"};
			method = methods[rnd(s) % 7];
			random_path(s, path, sizeof(path));
			if (rnd(s) % 2)
				blen = mutate(s, body, cap, (int)(rnd(s) % 4), (unsigned long long)rnd(s));
		} else {
			int which = (int)(rnd(s) % 4);
			method = routes[which][0];
			snprintf(path, sizeof(path), routes[which][1], sh->user_id);
			blen = mutate(s, body, cap, which, (unsigned long long)rnd(s));
		}
		bool with_token = rnd(s) % 8 != 0;
		hlen = (size_t)snprintf(req, cap,
		                        "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s"
		                        "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		                        method, path, with_token ? "Authorization: Bearer " : "",
		                        with_token ? sh->token : "", with_token ? "\r\n" : "", blen);
		if (hlen + blen >= cap)
			continue;
		memcpy(req + hlen, body, blen);
		snprintf(what, sizeof(what), "%s %.200s", method, path);
		for (int attempt = 0; attempt < 2; attempt++) {
			if (fd < 0)
				fd = dial(sh->port);
			if (fd < 0)
				break;
			if (!send_all(fd, req, hlen + blen)) {
				close(fd);
				fd = -1;
				continue;
			}
			int st = strcmp(method, "HEAD") == 0 ? 0 : read_response(fd, resp, 4096, &close_after);
			if (strcmp(method, "HEAD") == 0) {
				/* no body follows a HEAD answer: take the headers only */
				close(fd);
				fd = -1;
				break;
			}
			if (st == 0) {
				close(fd);
				fd = -1;
				atomic_fetch_add(&sh->resets, 1);
				break;
			}
			note(sh, st, what, resp);
			if (st == 201 && strcmp(path, "/api/v1/facilities") == 0)
				atomic_fetch_add(&sh->created, 1);
			if (close_after) {
				close(fd);
				fd = -1;
			}
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	free(req);
	free(body);
	free(resp);
	return NULL;
}

static long long count_facilities(struct ts_http *h, const char *token)
{
	long long total = 0;
	for (int off = 0;; off += 1000) {
		char *p = ts_fmt("/api/v1/facilities?limit=1000&offset=%d", off);
		struct ts_resp r = ts_req(h, "GET", p, token, NULL);
		free(p);
		assert_int_equal(r.status, 200);
		size_t n = json_array_size(json_object_get(r.json, "facilities"));
		total += (long long)n;
		ts_resp_free(&r);
		if (n < 1000)
			break;
	}
	return total;
}

static void test_garbage_in(void **state)
{
	(void)state;
	char *db = ts_db_new();
	ts_db_seed(db);
	struct ts_server s;
	ts_server_start(&s, db, "--access-log", "off", NULL);
	struct ts_http *h = ts_http_new(&s);
	char *token = ts_login(h, "admin", TS_DEMO_PASSWORD);
	struct ts_resp r = ts_req(h, "POST", "/api/v1/users", token,
	                          "{\"username\":\"robust.target\",\"password\":\"long enough pw\","
	                          "\"role\":\"viewer\",\"unit\":\"01\"}");
	assert_int_equal(r.status, 201);
	struct shared sh = {.port = s.port, .token = token,
	                    .user_id = json_integer_value(json_object_get(json_object_get(r.json, "user"), "id"))};
	ts_resp_free(&r);
	pthread_mutex_init(&sh.mu, NULL);
	long long before = count_facilities(h, token);

	struct worker ws[THREADS];
	uint64_t seed = (uint64_t)ts_rand() * 2654435761u + 1;
	print_message("seed %llu\n", (unsigned long long)seed);
	for (int i = 0; i < THREADS; i++) {
		ws[i] = (struct worker){.sh = &sh, .seed = seed + (uint64_t)i * 7919};
		pthread_create(&ws[i].th, NULL, work, &ws[i]);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(ws[i].th, NULL);
	print_message("sent %d, answered %d (2xx %d, 4xx %d, 5xx %d), closed without answer %d\n",
	              sh.sent, sh.answered, sh.by_class[2], sh.by_class[4], sh.by_class[5], sh.resets);
	assert_true(sh.sent >= 10000);
	if (sh.server_errors)
		fail_msg("%d answers were 5xx; first: %s", sh.server_errors, sh.bad);

	/* Still answering, still correct. */
	ts_expect(ts_req(h, "GET", "/healthz", NULL, NULL), 200, NULL, NULL);
	char *t2 = ts_login(h, "hanoi", TS_DEMO_PASSWORD);
	ts_expect(ts_req(h, "GET", "/api/v1/units?parent=01", t2, NULL), 200, NULL, NULL);
	/* exactly the acknowledged facility writes were kept */
	assert_int_equal(count_facilities(h, token), before + sh.created);
	free(t2);
	ts_http_free(h);
	assert_int_equal(ts_server_stop(&s), 0);
	if (!ts_is_pg()) {
		sqlite3 *d;
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(d, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
		sqlite3_finalize(st);
		sqlite3_close(d);
	}
	pthread_mutex_destroy(&sh.mu);
	free(token);
	ts_db_drop(db);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_garbage_in),
	};
	return cmocka_run_group_tests_name(ts_is_pg() ? "robustness (postgresql)"
	                                              : "robustness (sqlite)",
	                                   tests, NULL, NULL);
}
