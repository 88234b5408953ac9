/* crash: SIGKILL the server while many clients record injections, restart
 * it, and check that nothing acknowledged was lost or doubled.
 *
 * Each round: C client threads, each on its own keep-alive connection,
 * post POST /api/v1/visits/{id}/injection for visits screened eligible
 * (distinct people, each visit once, with an Idempotency-Key), keeping
 * the dose id of every 201. After a moment the server gets SIGKILL. It is
 * started again on the same database, and then:
 *   - every acknowledged dose is stored, valid, for its visit, once;
 *   - no visit has more than one valid dose;
 *   - no half-written visit: every vaccinated visit has its dose, every
 *     valid dose given at a visit has the visit vaccinated with it, and
 *     every such dose has its 'administered' stock movement;
 *   - the requests that got no answer (in flight at the kill) are sent
 *     again with the same Idempotency-Key: each answers 201 or 409
 *     wrong_state (already given), never a second dose;
 *   - a fresh injection succeeds (the restarted server writes).
 * At the end the server stops on SIGTERM and `tiemchung stock check`
 * (and `stats rebuild` when the program has it) must pass.
 *
 * Prints TAP lines (tests/run.sh counts them) and the counts per round.
 *
 * usage: crash --bin PATH --db PATH|URL [--rounds R] [--clients C]
 *              [--visits N] [--kill-ms MS] [--citizens N] */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/tctime.h"
#include "db/dbi.h"
#include "dose_prep.h"

static const char *bin, *where;
static int tap_n, tap_failed;

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;
	printf("%s %d - ", ok ? "ok" : "not ok", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

static void die(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

/* ---- the server ------------------------------------------------------------- */

static pid_t server_pid;
static int server_port;

static void server_start(void)
{
	int out[2];
	char line[256];

	if (pipe(out) != 0)
		die("pipe");
	server_pid = fork();
	if (server_pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		int null = open("/dev/null", O_WRONLY);
		if (getenv("CRASH_SERVER_LOG") == NULL && null >= 0)
			dup2(null, 2);
		execl(bin, bin, "serve", "--db", where, "--listen", "127.0.0.1:0",
		      "--access-log", "off", "--threads", "4", "--shutdown-grace", "5",
		      (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	FILE *fp = fdopen(out[0], "r");
	server_port = 0;
	while (fp && fgets(line, sizeof line, fp))
		if (sscanf(line, "listening on http://127.0.0.1:%d", &server_port) == 1)
			break;
	if (fp)
		fclose(fp); /* the server's later output goes nowhere (SIGPIPE ignored there) */
	if (server_port == 0)
		die("the server did not start");
}

static int server_wait(void)
{
	int st = 0;
	waitpid(server_pid, &st, 0);
	server_pid = 0;
	return st;
}

/* ---- a tiny HTTP/1.1 client -------------------------------------------------- */

struct http {
	int fd;
	char buf[65536];
};

static bool http_open(struct http *h)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		                  .sin_port = htons((uint16_t)server_port) };
	int one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->fd < 0)
		return false;
	setsockopt(h->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(h->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(h->fd);
		h->fd = -1;
		return false;
	}
	return true;
}

static void http_close(struct http *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

/* One request; the status (0: no answer: the connection broke) and the
 * body (NUL-terminated, in h->buf). */
static int http_do(struct http *h, const char *method, const char *path,
                   const char *token, const char *idem, const char *body,
                   const char **out)
{
	char req[2048];
	int n = snprintf(
	        req, sizeof req,
	        "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
	        "%s%s%s%s%s%sContent-Length: %zu\r\n\r\n%s",
	        method, path, token ? "Authorization: Bearer " : "", token ? token : "",
	        token ? "\r\n" : "", idem ? "Idempotency-Key: " : "", idem ? idem : "",
	        idem ? "\r\n" : "", body ? strlen(body) : 0, body ? body : "");
	size_t got = 0;
	*out = "";
	if (h->fd < 0 && !http_open(h))
		return 0;
	if (send(h->fd, req, (size_t)n, MSG_NOSIGNAL) != n)
		goto broken;
	for (;;) {
		ssize_t r = recv(h->fd, h->buf + got, sizeof h->buf - 1 - got, 0);
		if (r <= 0)
			goto broken;
		got += (size_t)r;
		h->buf[got] = '\0';
		char *end = strstr(h->buf, "\r\n\r\n");
		if (!end)
			continue;
		char *cl = strcasestr(h->buf, "\r\ncontent-length:");
		size_t len = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
		if (got < (size_t)(end + 4 - h->buf) + len)
			continue;
		int status = atoi(h->buf + 9);
		*out = end + 4;
		if (strcasestr(h->buf, "\r\nconnection: close") &&
		    strcasestr(h->buf, "\r\nconnection: close") < end)
			http_close(h);
		return status;
	}
broken:
	http_close(h);
	return 0;
}

static int64_t json_i64_after(const char *s, const char *key1, const char *key2)
{
	const char *p = strstr(s, key1);
	if (!p)
		return 0;
	p = strstr(p, key2);
	return p ? strtoll(p + strlen(key2), NULL, 10) : 0;
}

static char token[256];

static void login(void)
{
	struct http h = { .fd = -1 };
	const char *body, *p;
	int st = http_do(
	        &h, "POST", "/api/v1/auth/login", NULL, NULL,
	        "{\"username\":\"phucxa.staff\",\"password\":\"tiemchung-demo\"}", &body);
	http_close(&h);
	if (st != 200 || !(p = strstr(body, "\"token\"")) || !(p = strchr(p + 7, '"')))
		die("login as phucxa.staff failed");
	const char *e = strchr(p + 1, '"');
	if (!e || (size_t)(e - p - 1) >= sizeof token)
		die("login: bad token");
	memcpy(token, p + 1, (size_t)(e - p - 1));
	token[e - p - 1] = '\0';
}

/* ---- the clients ------------------------------------------------------------- */

enum outcome { NOT_SENT, ACKED, REFUSED, NO_ANSWER };

struct visit_state {
	enum outcome o;
	int status;
	int64_t dose_id;
};

static struct visit_state *vs; /* per visit of the round */
static int64_t round_first, round_n, lot_id;
static int nclients = 64;
static atomic_bool stop_clients;
static int round_no;

static void idem_key(char *out, size_t n, int64_t visit)
{
	snprintf(out, n, "crash-%d-%lld", (int)getpid(), (long long)visit);
}

static int inject(struct http *h, int64_t visit, int64_t *dose_id)
{
	char path[96], body[64], key[64];
	const char *ans;

	snprintf(path, sizeof path, "/api/v1/visits/%lld/injection", (long long)visit);
	snprintf(body, sizeof body, "{\"lot_id\":%lld}", (long long)lot_id);
	idem_key(key, sizeof key, visit);
	int st = http_do(h, "POST", path, token, key, body, &ans);
	*dose_id = st == 201 ? json_i64_after(ans, "\"dose\"", "\"id\":") : 0;
	if (st == 409 && strstr(ans, "wrong_state"))
		return -409; /* already given */
	return st;
}

static void *client_main(void *arg)
{
	int k = (int)(intptr_t)arg;
	struct http h = { .fd = -1 };

	for (int64_t i = k; i < round_n && !atomic_load(&stop_clients); i += nclients) {
		int64_t dose = 0;
		int st = inject(&h, round_first + i, &dose);
		vs[i].status = st;
		if (st == 0) {
			vs[i].o = NO_ANSWER;
			break; /* the server is gone */
		}
		vs[i].o = st == 201 && dose > 0 ? ACKED : REFUSED;
		vs[i].dose_id = dose;
	}
	http_close(&h);
	return NULL;
}

/* ---- the checks, with the db layer -------------------------------------------- */

static struct tc_db *db;

struct q1 {
	struct tc_sql *q;
	struct tc_dbv p[2];
	int np;
	int64_t v;
};

static tc_err q1_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct q1 *q = cls;
	enum tc_qs qs = tc_exec(c, q->q, q->p, q->np, tc_rows_i64, &q->v);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static int64_t count(struct tc_sql *q, int np, int64_t a, int64_t b)
{
	struct q1 x = { .q = q, .p = { TC_P_I64(a), TC_P_I64(b) }, .np = np };
	struct tc_fault f = { 0 };
	if (tc_db_run(db, q1_run, &x, &f) != TC_ERR_OK)
		die("a check's query failed");
	return x.v;
}

static struct tc_sql q_acked = TC_SQL("SELECT COUNT(*) FROM doses WHERE id = $1 AND "
                                      "visit_id = $2 AND status = 'valid'");
static struct tc_sql q_doubled = TC_SQL(
        "SELECT COUNT(*) FROM (SELECT visit_id FROM doses WHERE visit_id IS NOT NULL"
        " AND status = 'valid' GROUP BY visit_id HAVING COUNT(*) > 1) x");
static struct tc_sql q_half_visit = TC_SQL(
        "SELECT COUNT(*) FROM visits v WHERE v.status = 'vaccinated' AND NOT EXISTS"
        " (SELECT 1 FROM doses d WHERE d.id = v.dose_id AND d.visit_id = v.id"
        " AND d.status = 'valid')");
static struct tc_sql q_half_dose =
        TC_SQL("SELECT COUNT(*) FROM doses d LEFT JOIN visits v ON v.id = d.visit_id"
               " WHERE d.visit_id IS NOT NULL AND d.status = 'valid'"
               " AND (v.id IS NULL OR v.status <> 'vaccinated' OR v.dose_id IS NULL OR "
               "v.dose_id <> d.id)");
static struct tc_sql q_no_movement = TC_SQL(
        "SELECT COUNT(*) FROM doses d WHERE d.visit_id IS NOT NULL AND d.status = 'valid'"
        " AND NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.dose_id = d.id"
        " AND m.kind = 'administered')");
static struct tc_sql q_doses =
        TC_SQL("SELECT COUNT(*) FROM doses WHERE status = 'valid'");

static void check_round(int64_t *acked_out)
{
	int64_t acked = 0, missing = 0, refused = 0, lost = 0, sent = 0;

	for (int64_t i = 0; i < round_n; i++) {
		if (vs[i].o == NOT_SENT)
			continue;
		sent++;
		if (vs[i].o == REFUSED) {
			if (refused++ == 0)
				printf("# first refusal: visit %lld status %d\n",
				       (long long)(round_first + i), vs[i].status);
		}
		if (vs[i].o == NO_ANSWER)
			lost++;
		if (vs[i].o != ACKED)
			continue;
		acked++;
		if (count(&q_acked, 2, vs[i].dose_id, round_first + i) != 1 &&
		    missing++ < 5)
			printf("# acknowledged dose %lld of visit %lld is missing\n",
			       (long long)vs[i].dose_id, (long long)(round_first + i));
	}
	printf("# round %d: %lld requests sent, %lld acknowledged, %lld refused, %lld "
	       "without an"
	       " answer (in flight at the kill)\n",
	       round_no, (long long)sent, (long long)acked, (long long)refused,
	       (long long)lost);
	tap(acked > 0, "round %d: the clients got answers before the kill (%lld)",
	    round_no, (long long)acked);
	tap(missing == 0,
	    "round %d: every acknowledged dose is stored once (%lld missing)", round_no,
	    (long long)missing);
	tap(refused == 0, "round %d: no injection refused before the kill (%lld)",
	    round_no, (long long)refused);
	int64_t doubled = count(&q_doubled, 0, 0, 0), hv = count(&q_half_visit, 0, 0, 0),
	        hd = count(&q_half_dose, 0, 0, 0), nm = count(&q_no_movement, 0, 0, 0);
	tap(doubled == 0, "round %d: no visit has two doses (%lld)", round_no,
	    (long long)doubled);
	tap(hv == 0 && hd == 0 && nm == 0,
	    "round %d: no half-written visit (%lld vaccinated without a dose, %lld doses "
	    "without"
	    " their visit, %lld without their stock movement)",
	    round_no, (long long)hv, (long long)hd, (long long)nm);

	/* the unanswered ones again, as a tablet would retry them */
	struct http h = { .fd = -1 };
	int64_t again = 0, bad = 0, newly = 0, before = 0;
	for (int64_t i = 0; i < round_n; i++) {
		if (vs[i].o != NO_ANSWER)
			continue;
		int64_t dose = 0;
		int st = inject(&h, round_first + i, &dose);
		again++;
		if (st == 201 && dose > 0) {
			vs[i].o = ACKED;
			vs[i].dose_id = dose;
			newly++;
		} else if (st == -409) {
			before++; /* given before the kill, the answer lost */
		} else {
			if (bad++ == 0)
				printf("# retry of visit %lld answered %d\n",
				       (long long)(round_first + i), st);
		}
	}
	http_close(&h);
	doubled = count(&q_doubled, 0, 0, 0);
	tap(bad == 0 && doubled == 0,
	    "round %d: %lld unanswered requests retried with their key: %lld given now, "
	    "the rest"
	    " already given (%lld), none twice",
	    round_no, (long long)again, (long long)newly, (long long)before);
	*acked_out = acked + newly + before;
}

/* ---- main ----------------------------------------------------------------------- */

static int run_cmd(const char *sub, const char *extra)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "'%s' %s --db '%s' %s >/dev/null 2>&1", bin, sub, where,
	         extra ? extra : "");
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int main(int argc, char **argv)
{
	int rounds = 2, kill_ms = 1500;
	int64_t per_round = 20000, citizens = 0;
	static const struct option opts[] = { { "bin", required_argument, 0, 'b' },
		                              { "db", required_argument, 0, 'd' },
		                              { "rounds", required_argument, 0, 'r' },
		                              { "clients", required_argument, 0, 'c' },
		                              { "visits", required_argument, 0, 'v' },
		                              { "kill-ms", required_argument, 0, 'k' },
		                              { "citizens", required_argument, 0, 'C' },
		                              { 0, 0, 0, 0 } };
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'b': bin = optarg; break;
		case 'd': where = optarg; break;
		case 'r': rounds = atoi(optarg); break;
		case 'c': nclients = atoi(optarg); break;
		case 'v': per_round = atoll(optarg); break;
		case 'k': kill_ms = atoi(optarg); break;
		case 'C': citizens = atoll(optarg); break;
		default: fprintf(stderr, "usage: see tests/crash/crash.c\n"); return 2;
		}
	}
	if (!bin || !where || rounds < 1 || nclients < 1 || per_round < 1)
		die("usage: crash --bin PATH --db PATH|URL [--rounds R] [--clients C] "
		    "...");
	if (citizens < per_round * rounds + rounds + 10)
		citizens = per_round * rounds + rounds + 10;
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%d\n", rounds * 6 + 3);

	if (run_cmd("migrate", NULL) != 0 || run_cmd("seed-demo", NULL) != 0)
		die("migrate / seed-demo failed");
	struct tc_db_options opt = { .no_writer = true };
	char *why = NULL;
	struct tc_fault f = { 0 };
	struct dp_place place;
	int64_t have = 0, first_person, first_visit;
	if (!(db = tc_db_open(where, &opt, &why)))
		die(why ? why : "cannot open the database");
	if (dp_count_citizens(db, &have, &f) != TC_ERR_OK ||
	    (have < citizens &&
	     dp_citizens(db, citizens - have, &first_person, &f) != TC_ERR_OK) ||
	    dp_place(db, "EU/1/20/1528", per_round * rounds + 1000, &place, &f) !=
	            TC_ERR_OK ||
	    dp_visits(db, &place, per_round * rounds + rounds, &first_visit, &f) !=
	            TC_ERR_OK)
		die(f.message ? f.message : "set-up failed");
	lot_id = place.lot_id;
	vs = calloc((size_t)per_round, sizeof *vs);
	pthread_t *th = calloc((size_t)nclients, sizeof *th);
	int64_t total_acked = 0, next_visit = first_visit;

	server_start();
	login();
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (round_no = 1; round_no <= rounds; round_no++) {
		round_first = next_visit;
		round_n = per_round;
		next_visit += per_round;
		memset(vs, 0, (size_t)per_round * sizeof *vs);
		atomic_store(&stop_clients, false);
		for (int k = 0; k < nclients; k++)
			pthread_create(&th[k], NULL, client_main, (void *)(intptr_t)k);
		/* kill somewhere in [kill_ms / 2, kill_ms * 3 / 2) */
		int ms = kill_ms / 2 + rand() % (kill_ms > 0 ? kill_ms : 1);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		kill(server_pid, SIGKILL);
		server_wait();
		atomic_store(&stop_clients, true);
		for (int k = 0; k < nclients; k++)
			pthread_join(th[k], NULL);
		printf("# round %d: SIGKILL after %d ms\n", round_no, ms);
		server_start();
		int64_t acked = 0;
		check_round(&acked);
		total_acked += acked;
	}
	/* the restarted server writes: one more injection */
	{
		struct http h = { .fd = -1 };
		int64_t dose = 0;
		int st = inject(&h, next_visit, &dose);
		http_close(&h);
		tap(st == 201 && dose > 0,
		    "after the last restart a new injection answers 201 (%d)", st);
		if (st == 201)
			total_acked++;
	}
	kill(server_pid, SIGTERM);
	int st = server_wait();
	int64_t doses = count(&q_doses, 0, 0, 0);
	printf("# %d rounds: %lld doses acknowledged or confirmed on retry, %lld "
	       "stored\n",
	       rounds, (long long)total_acked, (long long)doses);
	tap(WIFEXITED(st) && WEXITSTATUS(st) == 0 && doses == total_acked,
	    "the server stops cleanly, and the doses stored are the ones acknowledged");
	tc_db_close(db);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "'%s' stock check --db '%s' >/dev/null 2>&1", bin,
	         where);
	int s2 = system(cmd);
	int sc = WIFEXITED(s2) ? WEXITSTATUS(s2) : 128;
	int rb = -1;
	{
		snprintf(cmd, sizeof cmd, "'%s' stats --help >/dev/null 2>&1", bin);
		if (system(cmd) == 0) {
			snprintf(cmd, sizeof cmd,
			         "'%s' stats rebuild --db '%s' >/dev/null 2>&1", bin,
			         where);
			int s3 = system(cmd);
			rb = WIFEXITED(s3) ? WEXITSTATUS(s3) : 128;
		}
	}
	tap(sc == 0 && (rb == -1 || rb == 0),
	    "tiemchung stock check passes (exit %d); stats rebuild %s (exit %d)", sc,
	    rb == -1 ? "not in this build" : "agrees", rb);
	free(vs);
	free(th);
	return tap_failed ? 1 : 0;
}
