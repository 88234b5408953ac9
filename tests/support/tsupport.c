#include "tsupport.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

char *ts_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

unsigned ts_rand(void)
{
	static unsigned seed;
	if (seed == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (unsigned)(ts.tv_nsec ^ (getpid() << 8));
	}
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) & 0xffffff;
}

/* ---- databases --------------------------------------------------------- */

bool ts_is_pg(void)
{
	const char *b = getenv("TC_TEST_BACKEND");
	return b && strcmp(b, "pg") == 0;
}

static char *tmp_root(void)
{
	const char *t = getenv("TMPDIR");
	return ts_fmt("%s/tctest.XXXXXX", t && *t ? t : "/tmp");
}

static void pg_admin(const char *sql)
{
	const char *base = getenv("TC_TEST_PG");
	char *url;
	PGconn *c;
	PGresult *res;

	assert_non_null(base);
	url = ts_fmt("%s/postgres", base);
	c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot reach the test PostgreSQL at %s: %s", base, PQerrorMessage(c));
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
	free(url);
}

char *ts_db_new(void)
{
	static int n;

	if (ts_is_pg()) {
		char *name = ts_fmt("tct_%d_%d_%u", (int)getpid(), ++n, ts_rand());
		char *sql = ts_fmt("CREATE DATABASE %s", name);
		char *url = ts_fmt("%s/%s", getenv("TC_TEST_PG"), name);
		pg_admin(sql);
		free(sql);
		free(name);
		return url;
	}
	char *dir = tmp_root();
	if (mkdtemp(dir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	char *path = ts_fmt("%s/test.db", dir);
	free(dir);
	return path;
}

void ts_db_drop(const char *where)
{
	if (where == NULL)
		return;
	if (strncmp(where, "postgresql://", 13) == 0) {
		const char *name = strrchr(where, '/') + 1;
		char *sql = ts_fmt("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
		pg_admin(sql);
		free(sql);
		return;
	}
	char *cmd = ts_fmt("rm -rf '%.*s'", (int)(strrchr(where, '/') - where), where);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", where);
	free(cmd);
}

void ts_db_seed(const char *where)
{
	char *out = NULL;
	int rc = ts_run(NULL, &out, "migrate", "--db", where, NULL);
	if (rc != 0)
		fail_msg("migrate failed (%d): %s", rc, out ? out : "");
	free(out);
	out = NULL;
	rc = ts_run(NULL, &out, "seed-demo", "--db", where, NULL);
	if (rc != 0)
		fail_msg("seed-demo failed (%d): %s", rc, out ? out : "");
	free(out);
}

/* ---- processes --------------------------------------------------------- */

const char *ts_bin(void)
{
	const char *b = getenv("TIEMCHUNG_BIN");
	return b && *b ? b : "build/asan/tiemchung";
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

int ts_run(const char *input, char **out, const char *arg, ...)
{
	const char *argv[32];
	int n = 0, in[2], outp[2];
	va_list ap;
	pid_t pid;

	argv[n++] = ts_bin();
	va_start(ap, arg);
	for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	if (pipe(in) != 0 || pipe(outp) != 0)
		abort();
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		dup2(outp[1], 2);
		close(in[1]);
		close(outp[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	if (input) {
		size_t len = strlen(input);
		if (write(in[1], input, len) != (ssize_t)len)
			fprintf(stderr, "short write to child\n");
	}
	close(in[1]);
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t got;
	while ((got = read(outp[0], buf + len, cap - len - 1)) > 0) {
		len += (size_t)got;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	close(outp[0]);
	if (out)
		*out = buf;
	else
		free(buf);
	return wait_status(pid);
}

void ts_server_start(struct ts_server *s, const char *db, ...)
{
	const char *argv[48];
	int n = 0, outp[2], logfd;
	va_list ap;
	char *dir = tmp_root();

	memset(s, 0, sizeof(*s));
	s->db = strdup(db);
	if (mkdtemp(dir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(s->log, sizeof(s->log), "%s/server.log", dir);
	free(dir);
	argv[n++] = ts_bin();
	argv[n++] = "serve";
	argv[n++] = "--db";
	argv[n++] = db;
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--web";
	argv[n++] = "web";
	argv[n++] = "--threads";
	argv[n++] = "4";
	va_start(ap, db);
	for (const char *a = va_arg(ap, const char *); a && n < 46; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	logfd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (logfd < 0 || pipe(outp) != 0)
		abort();
	s->pid = fork();
	if (s->pid == 0) {
		dup2(outp[1], 1);
		dup2(logfd, 2);
		close(outp[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(outp[1]);
	close(logfd);
	/* Wait for "listening on http://127.0.0.1:PORT". */
	char line[256];
	size_t len = 0;
	while (len < sizeof(line) - 1) {
		ssize_t got = read(outp[0], line + len, 1);
		if (got <= 0) {
			char *log = ts_server_log(s);
			fail_msg("server did not start: %s", log ? log : "");
		}
		if (line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	close(outp[0]);
	const char *colon = strrchr(line, ':');
	if (strncmp(line, "listening on ", 13) != 0 || colon == NULL)
		fail_msg("unexpected first line: %s", line);
	s->port = atoi(colon + 1);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
}

int ts_server_stop_log(struct ts_server *s, char **log)
{
	char *text, *slash;
	int st;

	if (log)
		*log = NULL;
	if (s->pid <= 0)
		return -1;
	kill(s->pid, SIGTERM);
	st = wait_status(s->pid);
	s->pid = 0;
	text = ts_server_log(s);
	if (st != 0)
		fprintf(stderr, "server exited with %d; log:\n%s\n", st,
		        text ? text : "");
	/* The log's directory is this server's own; nothing is left in TMPDIR. */
	unlink(s->log);
	slash = strrchr(s->log, '/');
	if (slash) {
		*slash = '\0';
		rmdir(s->log);
		*slash = '/';
	}
	if (log)
		*log = text;
	else
		free(text);
	free(s->db);
	s->db = NULL;
	return st;
}

int ts_server_stop(struct ts_server *s)
{
	return ts_server_stop_log(s, NULL);
}

char *ts_server_log(const struct ts_server *s)
{
	FILE *fp = fopen(s->log, "rb");
	char *buf;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	n = (long)fread(buf, 1, (size_t)n, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* ---- HTTP -------------------------------------------------------------- */

struct ts_http {
	CURL *curl;
	char base[64];
	long connects;
};

struct grow {
	char *p;
	size_t n;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct grow *g = ud;
	size_t k = size * nmemb;
	g->p = realloc(g->p, g->n + k + 1);
	memcpy(g->p + g->n, ptr, k);
	g->n += k;
	g->p[g->n] = '\0';
	return k;
}

struct ts_http *ts_http_new(const struct ts_server *s)
{
	struct ts_http *h = calloc(1, sizeof(*h));
	static bool inited;

	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = true;
	}
	h->curl = curl_easy_init();
	snprintf(h->base, sizeof(h->base), "%s", s->base);
	return h;
}

void ts_http_free(struct ts_http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	free(h);
}

long ts_http_connects(struct ts_http *h)
{
	return h->connects;
}

struct ts_resp ts_req_ct(struct ts_http *h, const char *method, const char *path,
                         const char *token, const char *ctype, const char *body,
                         size_t len, const char *extra_header)
{
	struct ts_resp r = {0};
	struct grow b = {0}, hd = {0};
	struct curl_slist *hl = NULL;
	char *url = ts_fmt("%s%s", h->base, path);
	CURL *c = h->curl;
	CURLcode cc;
	long conns = 0;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hd);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (token) {
		char *a = ts_fmt("Authorization: Bearer %s", token);
		hl = curl_slist_append(hl, a);
		free(a);
	}
	if (extra_header)
		hl = curl_slist_append(hl, extra_header);
	hl = curl_slist_append(hl, "Expect:");
	if (body) {
		char *ct = ts_fmt("Content-Type: %s", ctype ? ctype : "application/json");
		hl = curl_slist_append(hl, ct);
		free(ct);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	/* A server may answer (413) and close before the upload ends. */
	if (cc != CURLE_OK && !(cc == CURLE_SEND_ERROR && r.status != 0))
		fail_msg("%s %s: %s", method, path, curl_easy_strerror(cc));
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &conns);
	h->connects += conns;
	curl_slist_free_all(hl);
	free(url);
	r.body = b.p ? b.p : strdup("");
	r.len = b.n;
	r.headers = hd.p ? hd.p : strdup("");
	r.json = json_loadb(r.body, r.len, 0, NULL);
	return r;
}

struct ts_resp ts_req(struct ts_http *h, const char *method, const char *path,
                      const char *token, const char *body)
{
	return ts_req_ct(h, method, path, token, NULL, body, body ? strlen(body) : 0,
	                 NULL);
}

void ts_resp_free(struct ts_resp *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

const char *ts_err_code(const struct ts_resp *r)
{
	json_t *e = json_object_get(r->json, "error");
	const char *s = json_string_value(json_object_get(e, "code"));
	return s ? s : "";
}

const char *ts_err_field(const struct ts_resp *r)
{
	json_t *e = json_object_get(r->json, "error");
	const char *s = json_string_value(json_object_get(e, "field"));
	return s ? s : "";
}

void ts_expect_at(struct ts_resp r, long status, const char *code,
                  const char *field, const char *file, int line)
{
	if (r.status != status || (code && strcmp(ts_err_code(&r), code) != 0) ||
	    (field && strcmp(ts_err_field(&r), field) != 0)) {
		char msg[1200];
		snprintf(msg, sizeof(msg),
		         "%s:%d: expected %ld %s %s, got %ld: %.900s", file, line, status,
		         code ? code : "", field ? field : "", r.status, r.body);
		ts_resp_free(&r);
		fail_msg("%s", msg);
	}
	ts_resp_free(&r);
}

char *ts_login(struct ts_http *h, const char *user, const char *password)
{
	char *body = ts_fmt("{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
	struct ts_resp r = ts_req(h, "POST", "/api/v1/auth/login", NULL, body);
	free(body);
	if (r.status != 200)
		fail_msg("login %s: %ld %s", user, r.status, r.body);
	char *tok = strdup(json_string_value(json_object_get(r.json, "token")));
	ts_resp_free(&r);
	return tok;
}

/* ---- an SMS gateway ------------------------------------------------------ */

#define SMS_MAX 256

struct ts_sms {
	int fd;
	char url[64];
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	json_t *msgs[SMS_MAX];
	bool taken[SMS_MAX];
	int n;
	bool stop;
};

/* One request per connection: read headers and the body, keep the body,
 * answer 200. */
static void sms_serve(struct ts_sms *g, int c)
{
	char buf[8192];
	size_t len = 0;
	char *hdr_end = NULL;
	long clen = -1;

	while (len < sizeof(buf) - 1) {
		ssize_t k = read(c, buf + len, sizeof(buf) - 1 - len);
		if (k <= 0)
			break;
		len += (size_t)k;
		buf[len] = '\0';
		if (!hdr_end && (hdr_end = strstr(buf, "\r\n\r\n")) != NULL) {
			const char *cl = strcasestr(buf, "Content-Length:");
			clen = cl ? strtol(cl + 15, NULL, 10) : 0;
		}
		if (hdr_end && (long)(len - (size_t)(hdr_end + 4 - buf)) >= clen)
			break;
	}
	if (hdr_end) {
		json_t *j = json_loadb(hdr_end + 4, len - (size_t)(hdr_end + 4 - buf), 0, NULL);
		pthread_mutex_lock(&g->mu);
		if (j && g->n < SMS_MAX)
			g->msgs[g->n++] = j;
		else
			json_decref(j);
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
	}
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	if (write(c, ok, sizeof(ok) - 1) < 0) {
		/* the server retries */
	}
	close(c);
}

static void *sms_main(void *arg)
{
	struct ts_sms *g = arg;
	for (;;) {
		int c = accept(g->fd, NULL, NULL);
		pthread_mutex_lock(&g->mu);
		bool stop = g->stop;
		pthread_mutex_unlock(&g->mu);
		if (stop) {
			if (c >= 0)
				close(c);
			break;
		}
		if (c >= 0)
			sms_serve(g, c);
	}
	return NULL;
}

struct ts_sms *ts_sms_start(void)
{
	struct ts_sms *g = calloc(1, sizeof(*g));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t sl = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (g->fd < 0 || bind(g->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(g->fd, 16) != 0 || getsockname(g->fd, (struct sockaddr *)&sa, &sl) != 0)
		fail_msg("sms gateway: %s", strerror(errno));
	snprintf(g->url, sizeof(g->url), "http://127.0.0.1:%u/sms", ntohs(sa.sin_port));
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	pthread_create(&g->thread, NULL, sms_main, g);
	return g;
}

const char *ts_sms_url(const struct ts_sms *g)
{
	return g->url;
}

char *ts_sms_wait(struct ts_sms *g, const char *to, int ms)
{
	struct timespec ts;
	char *text = NULL;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&g->mu);
	for (;;) {
		for (int i = 0; i < g->n && !text; i++) {
			const char *who = json_string_value(json_object_get(g->msgs[i], "to"));
			if (!g->taken[i] && who && strcmp(who, to) == 0) {
				g->taken[i] = true;
				text = strdup(json_string_value(json_object_get(g->msgs[i], "text")));
			}
		}
		if (text || pthread_cond_timedwait(&g->cv, &g->mu, &ts) != 0)
			break;
	}
	pthread_mutex_unlock(&g->mu);
	return text;
}

const char *ts_sms_code(const char *text)
{
	static char code[7];
	code[0] = '\0';
	for (const char *p = text; p && *p; p++) {
		if (strspn(p, "0123456789") == 6 && (p == text || !isdigit((unsigned char)p[-1]))) {
			memcpy(code, p, 6);
			code[6] = '\0';
			break;
		}
	}
	return code;
}

void ts_sms_stop(struct ts_sms *g)
{
	int c;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	pthread_mutex_lock(&g->mu);
	g->stop = true;
	pthread_mutex_unlock(&g->mu);
	/* wake accept() with one last connection */
	getsockname(g->fd, (struct sockaddr *)&sa, &sl);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (c >= 0) {
		if (connect(c, (struct sockaddr *)&sa, sl) != 0) {
			/* accept() then wakes on shutdown below */
		}
		close(c);
	}
	shutdown(g->fd, SHUT_RDWR);
	pthread_join(g->thread, NULL);
	close(g->fd);
	for (int i = 0; i < g->n; i++)
		json_decref(g->msgs[i]);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	free(g);
}

json_t *ts_call(struct ts_http *h, const char *method, const char *path,
                const char *token, const char *body, long want)
{
	struct ts_resp r = ts_req(h, method, path, token, body);
	if (r.status != want)
		fail_msg("%s %s %s: %ld %s", method, path, body ? body : "", r.status,
		         r.body);
	json_t *j = json_incref(r.json);
	ts_resp_free(&r);
	return j;
}

void ts_vn_day(int delta, char out[11])
{
	time_t t = time(NULL) + 7 * 3600 + (time_t)delta * 86400;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

long long ts_on_hand(struct ts_http *h, const char *token, long long facility, long long lot)
{
	char *path = ts_fmt("/api/v1/stock?facility=%lld&all=1", facility);
	json_t *j = ts_call(h, "GET", path, token, NULL, 200), *row;
	long long n = -1;
	size_t i;

	json_array_foreach(json_object_get(j, "stock"), i, row)
	{
		if (json_integer_value(json_object_get(row, "lot_id")) == lot)
			n = json_integer_value(json_object_get(row, "on_hand"));
	}
	json_decref(j);
	free(path);
	return n;
}
