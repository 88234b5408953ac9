/* loadgen: a lean HTTP/1.1 keep-alive load generator.
 *
 * C connections spread over T threads (default 2), each thread running
 * its own epoll loop. Every connection is closed-loop: it sends one
 * request, reads the whole answer, records the latency, and sends the
 * next. "{n}" in the path, body or a header becomes a counter unique within the
 * run (add a run id to the template to make it unique across runs).
 * --bodies FILE takes the bodies from a file instead, one a line, each
 * request the next line (cycled, in the file's order across all
 * connections), sent as they are. --script FILE mixes requests: each
 * line is "METHOD PATH [BODY]" (PATH on the URL's host; the URL's own path
 * is then unused), taken in turn the same way, so that one run can post
 * to several endpoints.
 *
 * Responses are read by Content-Length, chunked encoding, or up to EOF
 * when neither is given. An answer carrying "Connection: close" (or an
 * HTTP/1.0 answer without keep-alive) closes the socket; the connection
 * is reopened and counted as a reconnect. A socket the server closes or
 * resets while a request is outstanding counts as an error and is
 * reopened too.
 *
 * The last line of the output is machine-readable:
 *   RESULT requests=... rps=... p50_us=... ... errors=...
 * Only requests both sent and answered inside the measured window count;
 * the warm-up (-w) is excluded. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- latency histogram --------------------------------------------------
 * Values in microseconds; exact below 256 us, then 128 sub-buckets per
 * power of two (under 0.8% relative error). */

#define H_SUB      128
#define H_MAXSHIFT 40
#define H_LEN      (H_SUB * (H_MAXSHIFT + 2))

struct hist {
	uint64_t n[H_LEN];
	uint64_t count;
	uint64_t sum;
	uint64_t max;
};

static int h_index(uint64_t v)
{
	if (v < 2 * H_SUB)
		return (int)v;
	int e = 63 - __builtin_clzll(v);
	int shift = e - 7;
	if (shift > H_MAXSHIFT)
		return H_LEN - 1;
	return H_SUB * shift + (int)(v >> shift);
}

/* The middle of the bucket: the value reported for a percentile. */
static uint64_t h_value(int i)
{
	if (i < 2 * H_SUB)
		return (uint64_t)i;
	int shift = i / H_SUB - 1;
	uint64_t top = (uint64_t)(i - H_SUB * shift);
	return (top << shift) + ((1ull << shift) >> 1);
}

static void h_add(struct hist *h, uint64_t v)
{
	h->n[h_index(v)]++;
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

static void h_merge(struct hist *into, const struct hist *h)
{
	for (int i = 0; i < H_LEN; i++)
		into->n[i] += h->n[i];
	into->count += h->count;
	into->sum += h->sum;
	if (h->max > into->max)
		into->max = h->max;
}

static uint64_t h_percentile(const struct hist *h, double p)
{
	uint64_t want, seen = 0;

	if (h->count == 0)
		return 0;
	want = (uint64_t)(p / 100.0 * (double)h->count + 0.5);
	if (want < 1)
		want = 1;
	for (int i = 0; i < H_LEN; i++) {
		seen += h->n[i];
		if (seen >= want) {
			uint64_t v = h_value(i);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

/* ---- options and shared state ---------------------------------------- */

#define MAX_HEADERS 32
#define MAX_SECONDS 3600

static struct {
	const char *host;
	const char *port;
	const char *path;
	const char *method;
	const char *body;
	const char *bodies_file;
	const char *script_file;
	const char *headers[MAX_HEADERS];
	int nheaders;
	int conns;
	int threads;
	double duration;
	double warmup;
	long long nrequests;
	double timeout;
	bool print_body;
	bool timeline;
	bool quiet;
	const char *label;
} opt = {
	.method = "GET",
	.conns = 64,
	.threads = 2,
	.duration = 10,
	.timeout = 30,
	.label = "loadgen",
};

static struct addrinfo *target;
static char *req_prefix; /* request line + fixed headers, no Content-Length */
static size_t req_prefix_len;
static bool prefix_has_n; /* a header carries "{n}" (an Idempotency-Key) */
static bool path_has_n;

/* --bodies: the lines of the file, read once (the file's buffer is kept). */
struct line {
	const char *s;
	size_t n;
};
static struct line *bodies;
static size_t nbodies;
/* --script: the same lines, split into method, path and body. */
struct script_line {
	struct line method, path, body;
};
static struct script_line *script;
static size_t nscript;

enum phase { WARMUP, MEASURE, STOP };
static _Atomic int phase = WARMUP;
static atomic_llong issued;  /* requests begun, for -n */
static atomic_llong counter; /* the value of {n} */
static atomic_int stop_signal;
static int64_t measure_start_us;

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- per connection ---------------------------------------------------- */

enum cstate { C_CONNECTING, C_WRITING, C_READING, C_IDLE };

struct conn {
	int fd;
	enum cstate st;
	bool want_out;
	bool reused; /* has answered at least one request on this socket */
	char *out;
	size_t out_len, out_off;
	char *in;
	size_t in_len, in_cap;
	/* response parse state */
	size_t hdr_len; /* 0 until the header block is complete */
	int status;
	long long clen; /* -1 unknown */
	bool chunked;
	bool close_after;
	size_t chunk_pos; /* next unparsed byte in chunked body */
	int64_t sent_us;
	bool counted; /* sent inside the measured window */
};

struct worker {
	pthread_t th;
	int id;
	int ep;
	struct conn *c;
	int nc;
	struct hist h;
	uint64_t status[6]; /* 1xx..5xx by first digit, [0] = other */
	uint64_t codes[600];
	uint64_t ok, reconnects, conn_close, errors, timeouts;
	uint64_t per_sec[MAX_SECONDS];
	uint64_t bytes_in;
	char first_bad[400];
	char last_body[1 << 16];
	size_t last_body_len;
	long long done_total; /* including warm-up, for -n */
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "loadgen: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static void append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 256;
		while (*len + n + 1 > c)
			c *= 2;
		char *b = realloc(*buf, c);
		if (b == NULL)
			die("%s", "out of memory");
		*buf = b;
		*cap = c;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* Copies template t into the buffer with every "{n}" replaced by num. */
static void append_tpl(char **buf, size_t *len, size_t *cap, const char *t, long long num)
{
	char nb[24];
	int nl = snprintf(nb, sizeof(nb), "%lld", num);

	for (;;) {
		const char *m = strstr(t, "{n}");
		if (m == NULL) {
			append(buf, len, cap, t, strlen(t));
			return;
		}
		append(buf, len, cap, t, (size_t)(m - t));
		append(buf, len, cap, nb, (size_t)nl);
		t = m + 3;
	}
}

static void build_request(struct conn *c)
{
	static _Thread_local char *body;
	static _Thread_local size_t body_cap;
	size_t body_len = 0, len = 0, cap = 0;
	long long num = atomic_fetch_add(&counter, 1);
	char cl[64];
	char *out = NULL;

	const struct script_line *sl = NULL;
	if (nscript) {
		sl = &script[(unsigned long long)num % nscript];
		append(&body, &body_len, &body_cap, sl->body.s, sl->body.n);
	} else if (nbodies) {
		const struct line *l = &bodies[(unsigned long long)num % nbodies];
		append(&body, &body_len, &body_cap, l->s, l->n);
	} else if (opt.body) {
		append_tpl(&body, &body_len, &body_cap, opt.body, num);
	}
	if (sl) {
		append(&out, &len, &cap, sl->method.s, sl->method.n);
		append(&out, &len, &cap, " ", 1);
		append(&out, &len, &cap, sl->path.s, sl->path.n);
	} else {
		append(&out, &len, &cap, opt.method, strlen(opt.method));
		append(&out, &len, &cap, " ", 1);
		if (path_has_n)
			append_tpl(&out, &len, &cap, opt.path, num);
		else
			append(&out, &len, &cap, opt.path, strlen(opt.path));
	}
	if (prefix_has_n)
		append_tpl(&out, &len, &cap, req_prefix, num);
	else
		append(&out, &len, &cap, req_prefix, req_prefix_len);
	if (opt.body || nbodies || (sl && sl->body.n)) {
		int n = snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n\r\n", body_len);
		append(&out, &len, &cap, cl, (size_t)n);
		append(&out, &len, &cap, body, body_len);
	} else {
		append(&out, &len, &cap, "\r\n", 2);
	}
	free(c->out);
	c->out = out;
	c->out_len = len;
	c->out_off = 0;
}

static void set_events(struct worker *w, struct conn *c, bool out)
{
	struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0u),
		                  .data.ptr = c };
	if (c->want_out == out)
		return;
	c->want_out = out;
	if (epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		die("epoll_ctl: %s", strerror(errno));
}

static void conn_open(struct worker *w, struct conn *c)
{
	int one = 1;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };

	c->fd = socket(target->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	               target->ai_protocol);
	if (c->fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, target->ai_addr, target->ai_addrlen) != 0 &&
	    errno != EINPROGRESS)
		die("connect: %s", strerror(errno));
	c->st = C_CONNECTING;
	c->want_out = true;
	c->reused = false;
	c->in_len = 0;
	c->hdr_len = 0;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0)
		die("epoll_ctl: %s", strerror(errno));
}

static void conn_close(struct worker *w, struct conn *c)
{
	epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

static bool may_issue(void)
{
	if (atomic_load(&phase) == STOP)
		return false;
	if (opt.nrequests > 0 && atomic_fetch_add(&issued, 1) >= opt.nrequests)
		return false;
	return true;
}

static void on_writable(struct worker *w, struct conn *c);

/* Starts the next request, or parks the connection when the run is over. */
static void conn_next(struct worker *w, struct conn *c)
{
	if (!may_issue()) {
		c->st = C_IDLE;
		set_events(w, c, false);
		return;
	}
	build_request(c);
	c->sent_us = now_us();
	c->counted = atomic_load(&phase) == MEASURE;
	c->st = C_WRITING;
	c->in_len = 0;
	c->hdr_len = 0;
	/* Written at once: the socket almost always takes it, and waiting for
	 * EPOLLOUT cost two epoll_ctl calls and a wake-up a request (a quarter
	 * of loadgen's CPU, which shares the cores with the server). Only a
	 * request the socket does not take whole waits for EPOLLOUT. */
	on_writable(w, c);
}

/* The server dropped the socket: count it, reopen, resend later. */
static void conn_failed(struct worker *w, struct conn *c, const char *why)
{
	if (c->st == C_CONNECTING)
		die("cannot connect: %s", why); /* the server is gone */
	if (c->st == C_WRITING || c->st == C_READING) {
		w->errors++;
		if (w->first_bad[0] == '\0')
			snprintf(w->first_bad, sizeof(w->first_bad),
			         "connection failed mid-request: %s", why);
		if (opt.nrequests > 0)
			atomic_fetch_sub(&issued, 1);
	}
	conn_close(w, c);
	w->reconnects++;
	if (atomic_load(&phase) == STOP) {
		c->st = C_IDLE;
		return;
	}
	conn_open(w, c);
}

static bool header_is(const char *line, size_t n, const char *name, const char **val)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return false;
	*val = line + k + 1;
	while (**val == ' ' || **val == '\t')
		(*val)++;
	return true;
}

static bool value_has(const char *v, const char *end, const char *token)
{
	size_t k = strlen(token);
	for (const char *p = v; p + k <= end; p++)
		if (strncasecmp(p, token, k) == 0)
			return true;
	return false;
}

/* Parses the header block once it is complete. Returns false on garbage. */
static bool parse_head(struct conn *c)
{
	char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
	bool http10;
	bool keep_alive = false;

	if (end == NULL)
		return true;
	c->hdr_len = (size_t)(end - c->in) + 4;
	if (c->in_len < 12 || strncmp(c->in, "HTTP/1.", 7) != 0)
		return false;
	http10 = c->in[7] == '0';
	c->status = atoi(c->in + 9);
	c->clen = -1;
	c->chunked = false;
	c->close_after = false;
	char *line = memchr(c->in, '\n', c->hdr_len) + 1;
	while (line < c->in + c->hdr_len - 2) {
		char *eol = memchr(line, '\r', (size_t)(c->in + c->hdr_len - line));
		const char *v;
		size_t n = (size_t)(eol - line);
		if (header_is(line, n, "content-length", &v))
			c->clen = atoll(v);
		else if (header_is(line, n, "transfer-encoding", &v))
			c->chunked = value_has(v, eol, "chunked");
		else if (header_is(line, n, "connection", &v)) {
			if (value_has(v, eol, "close"))
				c->close_after = true;
			if (value_has(v, eol, "keep-alive"))
				keep_alive = true;
		}
		line = eol + 2;
	}
	if (http10 && !keep_alive)
		c->close_after = true;
	if (c->status == 204 || c->status == 304 ||
	    (c->status >= 100 && c->status < 200) || strncmp(opt.method, "HEAD", 4) == 0)
		c->clen = 0;
	c->chunk_pos = c->hdr_len;
	return true;
}

/* Returns 1 when the chunked body is complete, 0 when more is needed,
 * -1 on garbage. */
static int chunked_done(struct conn *c)
{
	for (;;) {
		char *p = c->in + c->chunk_pos;
		size_t avail = c->in_len - c->chunk_pos;
		char *eol = memmem(p, avail, "\r\n", 2);
		if (eol == NULL)
			return 0;
		if (!isxdigit((unsigned char)*p))
			return -1;
		unsigned long long sz = strtoull(p, NULL, 16);
		if (sz == 0) {
			/* trailers end with an empty line */
			char *fin = memmem(eol, (size_t)(c->in + c->in_len - eol),
			                   "\r\n\r\n", 4);
			if (fin == NULL)
				return 0;
			c->chunk_pos = (size_t)(fin - c->in) + 4;
			return 1;
		}
		size_t need = (size_t)(eol - p) + 2 + sz + 2;
		if (avail < need)
			return 0;
		c->chunk_pos += need;
	}
}

static void record(struct worker *w, struct conn *c, int64_t t)
{
	int st = c->status;
	int64_t lat = t - c->sent_us;

	w->done_total++;
	if (st >= 200 && st < 300)
		w->ok++;
	if (!c->counted || atomic_load(&phase) != MEASURE)
		return;
	h_add(&w->h, (uint64_t)(lat > 0 ? lat : 0));
	w->status[st >= 100 && st < 600 ? st / 100 : 0]++;
	if (st >= 0 && st < 600)
		w->codes[st]++;
	int64_t sec = (t - measure_start_us) / 1000000;
	if (sec >= 0 && sec < MAX_SECONDS)
		w->per_sec[sec]++;
}

static void response_done(struct worker *w, struct conn *c, size_t body_end, int64_t t)
{
	const char *body = c->in + c->hdr_len;
	size_t blen = body_end - c->hdr_len;

	record(w, c, t);
	if ((c->status < 200 || c->status >= 300) && w->first_bad[0] == '\0')
		snprintf(w->first_bad, sizeof(w->first_bad), "HTTP %d: %.*s", c->status,
		         (int)(blen > 300 ? 300 : blen), body);
	if (opt.print_body) {
		size_t n = blen < sizeof(w->last_body) ? blen : sizeof(w->last_body);
		memcpy(w->last_body, body, n);
		w->last_body_len = n;
	}
	if (body_end != c->in_len) {
		w->errors++;
		if (w->first_bad[0] == '\0')
			snprintf(w->first_bad, sizeof(w->first_bad),
			         "%zu unexpected bytes after a response",
			         c->in_len - body_end);
		c->close_after = true;
	}
	c->reused = true;
	if (c->close_after) {
		w->conn_close++;
		w->reconnects++;
		conn_close(w, c);
		if (atomic_load(&phase) == STOP) {
			c->st = C_IDLE;
			return;
		}
		conn_open(w, c);
		return;
	}
	conn_next(w, c);
}

static void on_readable(struct worker *w, struct conn *c)
{
	for (;;) {
		if (c->in_cap - c->in_len < 16384) {
			c->in_cap = c->in_cap ? c->in_cap * 2 : 65536;
			c->in = realloc(c->in, c->in_cap);
			if (c->in == NULL)
				die("%s", "out of memory");
		}
		ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			/* EOF: it ends a response without a length, else it is a drop. */
			if (n == 0 && c->st == C_READING && c->hdr_len && c->clen < 0 &&
			    !c->chunked) {
				c->close_after = true;
				response_done(w, c, c->in_len, now_us());
				return;
			}
			conn_failed(w, c, n == 0 ? "EOF" : strerror(errno));
			return;
		}
		w->bytes_in += (uint64_t)n;
		c->in_len += (size_t)n;
		if (c->st != C_READING) {
			if (c->st == C_WRITING)
				continue; /* an early answer; parsed once the request is out */
			conn_failed(w, c, "bytes while idle");
			return;
		}
		if (c->hdr_len == 0 && !parse_head(c)) {
			conn_failed(w, c, "not an HTTP response");
			return;
		}
		if (c->hdr_len == 0)
			continue;
		if (c->chunked) {
			int r = chunked_done(c);
			if (r < 0) {
				conn_failed(w, c, "bad chunked encoding");
				return;
			}
			if (r == 1) {
				response_done(w, c, c->chunk_pos, now_us());
				return;
			}
		} else if (c->clen >= 0 && c->in_len >= c->hdr_len + (size_t)c->clen) {
			response_done(w, c, c->hdr_len + (size_t)c->clen, now_us());
			return;
		}
	}
}

static void on_writable(struct worker *w, struct conn *c)
{
	if (c->st == C_CONNECTING) {
		int err = 0;
		socklen_t el = sizeof(err);
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err != 0)
			die("connect: %s", strerror(err));
		conn_next(w, c); /* writes the request */
		return;
	}
	if (c->st != C_WRITING) {
		set_events(w, c, false);
		return;
	}
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			set_events(w, c, true);
			return;
		}
		if (n < 0) {
			conn_failed(w, c, strerror(errno));
			return;
		}
		c->out_off += (size_t)n;
	}
	c->st = C_READING;
	set_events(w, c, false);
	if (c->in_len > 0) { /* bytes that arrived while writing */
		if (!parse_head(c)) {
			conn_failed(w, c, "not an HTTP response");
			return;
		}
		if (c->hdr_len && !c->chunked && c->clen >= 0 &&
		    c->in_len >= c->hdr_len + (size_t)c->clen)
			response_done(w, c, c->hdr_len + (size_t)c->clen, now_us());
	}
}

static bool worker_finished(struct worker *w)
{
	for (int i = 0; i < w->nc; i++)
		if (w->c[i].fd >= 0 && w->c[i].st != C_IDLE)
			return false;
	return true;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[256];
	int64_t last_check = 0;

	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (w->ep < 0)
		die("epoll_create1: %s", strerror(errno));
	for (int i = 0; i < w->nc; i++)
		conn_open(w, &w->c[i]);
	for (;;) {
		int n = epoll_wait(w->ep, evs, 256, 50);
		int64_t t;
		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c->fd < 0)
				continue;
			if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				on_readable(w, c);
			if (c->fd >= 0 && (evs[i].events & EPOLLOUT))
				on_writable(w, c);
		}
		if (atomic_load(&phase) == STOP)
			break;
		if (opt.nrequests > 0 && worker_finished(w))
			break;
		t = now_us();
		if (t - last_check < 100000)
			continue;
		last_check = t;
		for (int i = 0; i < w->nc; i++) {
			struct conn *c = &w->c[i];
			if (c->fd >= 0 && (c->st == C_WRITING || c->st == C_READING) &&
			    t - c->sent_us > (int64_t)(opt.timeout * 1e6)) {
				w->timeouts++;
				conn_failed(w, c, "timeout");
			}
		}
	}
	for (int i = 0; i < w->nc; i++)
		if (w->c[i].fd >= 0)
			conn_close(w, &w->c[i]);
	close(w->ep);
	return NULL;
}

/* ---- main -------------------------------------------------------------- */

static void usage(FILE *to)
{
	fputs("usage: loadgen [options] URL\n"
	      "  URL                 http://HOST:PORT/PATH ({n} allowed in PATH)\n"
	      "  -c, --connections N keep-alive connections (default 64)\n"
	      "  -t, --threads N     epoll threads (default 2)\n"
	      "  -d, --duration S    measured seconds (default 10)\n"
	      "  -w, --warmup S      seconds before measuring (default 0)\n"
	      "  -n, --requests N    stop after N requests instead of a duration\n"
	      "  -m, --method M      request method (default GET)\n"
	      "  -H, --header 'K: V' extra header (repeatable); {n} becomes the counter\n"
	      "  -b, --body TEXT     request body; {n} becomes a unique counter\n"
	      "      --bodies FILE   request bodies, one a line, taken in turn (cycled)\n"
	      "      --script FILE   requests, one a line: METHOD PATH [BODY], taken in\n"
	      "                      turn (cycled); PATH goes to the URL's host\n"
	      "      --timeout S     give up on an answer after S seconds (default 30)\n"
	      "      --label NAME    name printed with the results\n"
	      "      --timeline      print the answers completed in each second\n"
	      "      --print-body    print the body of the last answer to stdout\n"
	      "                      (the only output besides errors; for -n 1 calls)\n"
	      "Last line: RESULT key=value ... (requests, rps, latency in us, statuses,\n"
	      "reconnects, conn_close, errors).\n",
	      to);
}

static void parse_url(char *url)
{
	char *p;

	if (strncmp(url, "http://", 7) != 0)
		die("only http:// URLs: %s", url);
	url += 7;
	p = strchr(url, '/');
	opt.path = p ? strdup(p) : "/";
	if (p)
		*p = '\0';
	if (url[0] == '[') {
		char *rb = strchr(url, ']');
		if (rb == NULL)
			die("bad host in URL: %s", url);
		*rb = '\0';
		opt.host = url + 1;
		opt.port = rb[1] == ':' ? rb + 2 : "80";
	} else {
		p = strrchr(url, ':');
		opt.host = url;
		opt.port = "80";
		if (p) {
			*p = '\0';
			opt.port = p + 1;
		}
	}
}

/* Reads FILE whole and indexes its non-empty lines (without their \r\n). */
static void load_bodies(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n, lcap = 0;
	char chunk[1 << 16];

	if (fp == NULL)
		die("cannot read %s", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		append(&buf, &len, &cap, chunk, n);
	fclose(fp);
	for (size_t i = 0; i < len;) {
		char *eol = memchr(buf + i, '\n', len - i);
		size_t end = eol ? (size_t)(eol - buf) : len, k = end;
		while (k > i && buf[k - 1] == '\r')
			k--;
		if (k > i) {
			if (nbodies == lcap) {
				lcap = lcap ? lcap * 2 : 1024;
				bodies = realloc(bodies, lcap * sizeof(*bodies));
				if (bodies == NULL)
					die("%s", "out of memory");
			}
			bodies[nbodies++] = (struct line){ buf + i, k - i };
		}
		i = end + 1;
	}
	if (nbodies == 0)
		die("no lines in %s", path);
}

/* Splits the lines load_bodies read into METHOD PATH [BODY]. */
static void load_script(const char *path)
{
	load_bodies(path);
	script = calloc(nbodies, sizeof(*script));
	if (script == NULL)
		die("%s", "out of memory");
	for (size_t i = 0; i < nbodies; i++) {
		const char *s = bodies[i].s, *end = s + bodies[i].n;
		const char *sp1 = memchr(s, ' ', bodies[i].n), *sp2;
		if (sp1 == NULL || sp1[1] != '/')
			die("a --script line is METHOD PATH [BODY]: %s", path);
		sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
		script[i].method = (struct line){ s, (size_t)(sp1 - s) };
		script[i].path = (struct line){ sp1 + 1,
			                        (size_t)((sp2 ? sp2 : end) - sp1 - 1) };
		script[i].body = sp2 ? (struct line){ sp2 + 1, (size_t)(end - sp2 - 1) }
		                     : (struct line){ "", 0 };
	}
	nscript = nbodies;
	nbodies = 0;
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_signal, 1);
}

static void sleep_until(int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_us();
		if (left <= 0 || atomic_load(&stop_signal))
			return;
		if (left > 50000)
			left = 50000;
		struct timespec ts = { left / 1000000, (left % 1000000) * 1000 };
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = { { "connections", required_argument, 0,
		                                 'c' },
		                               { "threads", required_argument, 0, 't' },
		                               { "duration", required_argument, 0, 'd' },
		                               { "warmup", required_argument, 0, 'w' },
		                               { "requests", required_argument, 0, 'n' },
		                               { "method", required_argument, 0, 'm' },
		                               { "header", required_argument, 0, 'H' },
		                               { "body", required_argument, 0, 'b' },
		                               { "bodies", required_argument, 0, 'B' },
		                               { "script", required_argument, 0, 'R' },
		                               { "timeout", required_argument, 0, 'T' },
		                               { "label", required_argument, 0, 'L' },
		                               { "print-body", no_argument, 0, 'P' },
		                               { "timeline", no_argument, 0, 'S' },
		                               { "help", no_argument, 0, 'h' },
		                               { 0, 0, 0, 0 } };
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct worker *ws;
	struct hist *all;
	size_t cap = 0;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "c:t:d:w:n:m:H:b:h", lopts, NULL)) != -1) {
		switch (ch) {
		case 'c': opt.conns = atoi(optarg); break;
		case 't': opt.threads = atoi(optarg); break;
		case 'd': opt.duration = atof(optarg); break;
		case 'w': opt.warmup = atof(optarg); break;
		case 'n': opt.nrequests = atoll(optarg); break;
		case 'm': opt.method = optarg; break;
		case 'H':
			if (opt.nheaders == MAX_HEADERS)
				die("at most %s headers", "32");
			opt.headers[opt.nheaders++] = optarg;
			break;
		case 'b': opt.body = optarg; break;
		case 'B': opt.bodies_file = optarg; break;
		case 'R': opt.script_file = optarg; break;
		case 'T': opt.timeout = atof(optarg); break;
		case 'L': opt.label = optarg; break;
		case 'S': opt.timeline = true; break;
		case 'P':
			opt.print_body = true;
			opt.quiet = true;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (opt.conns < 1 || opt.threads < 1 || opt.duration <= 0 || opt.warmup < 0)
		die("%s", "bad -c, -t, -d or -w");
	if (opt.nrequests > 0 && opt.nrequests < opt.conns)
		opt.conns = (int)opt.nrequests;
	if (opt.threads > opt.conns)
		opt.threads = opt.conns;
	if (opt.bodies_file && opt.script_file)
		die("%s", "--bodies or --script, not both");
	if (opt.bodies_file)
		load_bodies(opt.bodies_file);
	if (opt.script_file)
		load_script(opt.script_file);
	parse_url(argv[optind]);
	path_has_n = strstr(opt.path, "{n}") != NULL;
	rc = getaddrinfo(opt.host, opt.port, &hints, &target);
	if (rc != 0)
		die("cannot resolve host: %s", gai_strerror(rc));

	/* " HTTP/1.1\r\nHost: ...\r\n<headers>\r\n" */
	size_t plen = 0;
	char hostline[300];
	append(&req_prefix, &plen, &cap, " HTTP/1.1\r\n", 11);
	snprintf(hostline, sizeof(hostline), "Host: %s:%s\r\n", opt.host, opt.port);
	append(&req_prefix, &plen, &cap, hostline, strlen(hostline));
	for (int i = 0; i < opt.nheaders; i++) {
		append(&req_prefix, &plen, &cap, opt.headers[i], strlen(opt.headers[i]));
		append(&req_prefix, &plen, &cap, "\r\n", 2);
	}
	req_prefix_len = plen;
	prefix_has_n = strstr(req_prefix, "{n}") != NULL;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	ws = calloc((size_t)opt.threads, sizeof(*ws));
	if (ws == NULL)
		die("%s", "out of memory");
	for (int i = 0; i < opt.threads; i++) {
		struct worker *w = &ws[i];
		w->id = i;
		w->nc = opt.conns / opt.threads + (i < opt.conns % opt.threads);
		w->c = calloc((size_t)w->nc, sizeof(*w->c));
		if (w->c == NULL)
			die("%s", "out of memory");
		for (int k = 0; k < w->nc; k++)
			w->c[k].fd = -1;
	}

	int64_t t0 = now_us();
	if (opt.warmup == 0 || opt.nrequests > 0) {
		measure_start_us = t0;
		atomic_store(&phase, MEASURE);
	}
	for (int i = 0; i < opt.threads; i++)
		if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0)
			die("%s", "cannot start a thread");
	if (atomic_load(&phase) == WARMUP) {
		sleep_until(t0 + (int64_t)(opt.warmup * 1e6));
		measure_start_us = now_us();
		atomic_store(&phase, MEASURE);
	}
	int64_t t1 = measure_start_us;
	if (opt.nrequests > 0) {
		/* workers stop on their own once every request is answered */
		for (int i = 0; i < opt.threads; i++)
			pthread_join(ws[i].th, NULL);
	} else {
		sleep_until(t1 + (int64_t)(opt.duration * 1e6));
	}
	int64_t t2 = now_us();
	atomic_store(&phase, STOP);
	if (opt.nrequests <= 0)
		for (int i = 0; i < opt.threads; i++)
			pthread_join(ws[i].th, NULL);

	/* ---- results ---- */
	all = calloc(1, sizeof(*all));
	uint64_t status[6] = { 0 }, codes[600] = { 0 }, ok = 0, reconnects = 0,
	         conn_closes = 0, errors = 0, timeouts = 0, bytes = 0;
	uint64_t per_sec[MAX_SECONDS] = { 0 };
	const char *first_bad = NULL;
	struct worker *last = NULL;
	for (int i = 0; i < opt.threads; i++) {
		struct worker *w = &ws[i];
		h_merge(all, &w->h);
		for (int k = 0; k < 6; k++)
			status[k] += w->status[k];
		for (int k = 0; k < 600; k++)
			codes[k] += w->codes[k];
		for (int k = 0; k < MAX_SECONDS; k++)
			per_sec[k] += w->per_sec[k];
		ok += w->ok;
		reconnects += w->reconnects;
		conn_closes += w->conn_close;
		errors += w->errors;
		timeouts += w->timeouts;
		bytes += w->bytes_in;
		if (first_bad == NULL && w->first_bad[0])
			first_bad = w->first_bad;
		if (w->last_body_len)
			last = w;
	}
	double secs = (double)(t2 - t1) / 1e6;
	double rps = secs > 0 ? (double)all->count / secs : 0;
	/* Slowest and fastest whole second of the window: a stall shows here. */
	int whole = (int)secs;
	uint64_t min_sec = UINT64_MAX, max_sec = 0;
	for (int k = 0; k < whole && k < MAX_SECONDS; k++) {
		if (per_sec[k] < min_sec)
			min_sec = per_sec[k];
		if (per_sec[k] > max_sec)
			max_sec = per_sec[k];
	}
	if (whole == 0)
		min_sec = 0;
	uint64_t non2xx = all->count - status[2];
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;

	if (opt.print_body) {
		if (last)
			fwrite(last->last_body, 1, last->last_body_len, stdout);
		if (errors || non2xx) {
			fprintf(stderr, "loadgen: %s\n",
			        first_bad ? first_bad : "failed");
			return 1;
		}
		return 0;
	}
	if (nscript)
		printf("%s: %d connections, %d threads, %zu requests from %s in turn\n",
		       opt.label, opt.conns, opt.threads, nscript, opt.script_file);
	else
		printf("%s: %d connections, %d threads, %s %s%s\n", opt.label, opt.conns,
		       opt.threads, opt.method, opt.path,
		       nbodies    ? " (bodies from a file)"
		       : opt.body ? " (with body)"
		                  : "");
	printf("  %.2f s measured (after %.1f s warm-up): %llu answers, %.0f req/s, "
	       "%.1f MB/s in\n",
	       secs, opt.warmup, (unsigned long long)all->count, rps,
	       (double)bytes / 1e6 / ((double)(t2 - t0) / 1e6));
	printf("  latency  mean %.2f ms  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  "
	       "p99.9 %.2f ms  max %.2f ms\n",
	       all->count ? (double)all->sum / (double)all->count / 1e3 : 0.0,
	       (double)h_percentile(all, 50) / 1e3, (double)h_percentile(all, 90) / 1e3,
	       (double)h_percentile(all, 99) / 1e3, (double)h_percentile(all, 99.9) / 1e3,
	       (double)all->max / 1e3);
	if (whole > 0)
		printf("  per whole second: min %llu, max %llu answers\n",
		       (unsigned long long)min_sec, (unsigned long long)max_sec);
	if (opt.timeline && whole > 0) {
		printf("  timeline (answers per second):");
		for (int k = 0; k < whole && k < MAX_SECONDS; k++)
			printf(" %llu", (unsigned long long)per_sec[k]);
		printf("\n");
	}
	printf("  statuses:");
	for (int k = 0; k < 600; k++)
		if (codes[k])
			printf(" %d=%llu", k, (unsigned long long)codes[k]);
	if (status[0])
		printf(" other=%llu", (unsigned long long)status[0]);
	printf("\n  loadgen CPU %.2f s (warm-up included), %.1f us per answer\n", cpu,
	       all->count ? cpu * 1e6 / (double)all->count : 0.0);
	printf("  reconnects %llu (Connection: close %llu), errors %llu "
	       "(timeouts %llu)\n",
	       (unsigned long long)reconnects, (unsigned long long)conn_closes,
	       (unsigned long long)errors, (unsigned long long)timeouts);
	if (first_bad)
		printf("  first problem: %s\n", first_bad);
	printf("RESULT label=%s conns=%d threads=%d seconds=%.3f requests=%llu rps=%.1f "
	       "mean_us=%.1f p50_us=%llu p90_us=%llu p99_us=%llu p999_us=%llu "
	       "max_us=%llu "
	       "min_sec=%llu max_sec=%llu s2xx=%llu s3xx=%llu s4xx=%llu s5xx=%llu "
	       "non2xx=%llu reconnects=%llu conn_close=%llu errors=%llu timeouts=%llu "
	       "cpu_s=%.2f\n",
	       opt.label, opt.conns, opt.threads, secs, (unsigned long long)all->count,
	       rps, all->count ? (double)all->sum / (double)all->count : 0.0,
	       (unsigned long long)h_percentile(all, 50),
	       (unsigned long long)h_percentile(all, 90),
	       (unsigned long long)h_percentile(all, 99),
	       (unsigned long long)h_percentile(all, 99.9), (unsigned long long)all->max,
	       (unsigned long long)min_sec, (unsigned long long)max_sec,
	       (unsigned long long)status[2], (unsigned long long)status[3],
	       (unsigned long long)status[4], (unsigned long long)status[5],
	       (unsigned long long)non2xx, (unsigned long long)reconnects,
	       (unsigned long long)conn_closes, (unsigned long long)errors,
	       (unsigned long long)timeouts, cpu);
	(void)ok;
	return 0;
}
