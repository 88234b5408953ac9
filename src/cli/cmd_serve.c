/* tiemchung serve: the API and the web pages until SIGTERM or SIGINT. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/config.h"
#include "../core/log.h"
#include "../db/db.h"
#include "../http/metrics.h"
#include "../http/router.h"
#include "../http/server.h"
#include "cli.h"

static const char usage[] =
	"usage: tiemchung serve [options]\n"
	"  --listen ADDR:PORT     where to listen (default $TIEMCHUNG_LISTEN, else\n"
	"                         127.0.0.1:8080; port 0 picks a free port)\n"
	"  --db PATH|URL          SQLite file or postgresql:// URL (default\n"
	"                         $TIEMCHUNG_DB, else data/tiemchung.db)\n"
	"  --web DIR              static pages (default web)\n"
	"  --tls-cert FILE --tls-key FILE   serve HTTPS (PEM files)\n"
	"  --trusted-proxy ADDR   honour X-Forwarded-For from this address (repeatable)\n"
	"  --threads N            HTTP worker threads (default 4)\n"
	"  --access-log FILE|-|off  one line per request (default - : stderr)\n"
	"  --session-idle S       staff session idle timeout, seconds (default 1800)\n"
	"  --site-session-idle S  idle timeout on site tablets (default 600)\n"
	"  --session-max S        absolute session lifetime (default 43200)\n"
	"  --login-max-per-user N failed logins per username per window (default 5)\n"
	"  --login-max-per-addr N failed logins per client address (default 30)\n"
	"  --login-window S       failed-login window, seconds (default 900)\n"
	"  --sms-gateway URL      POST each queued SMS as JSON {\"to\",\"text\",...} to URL\n"
	"                         (default $TIEMCHUNG_SMS_GATEWAY; none: messages stay\n"
	"                         in the outbox table)\n"
	"  --otp-max-per-phone N  one-time codes per phone per login window (default 3)\n"
	"  --otp-max-per-addr N   one-time codes per client address (default 20)\n"
	"  --citizen-session-idle S  citizens' idle timeout, seconds (default 1800)\n"
	"  --node-id N            0..14: this server's part of the ids it draws, distinct\n"
	"                         per server sharing one PostgreSQL (default 0)\n"
	"  --body-limit BYTES     default request body limit (default 65536)\n"
	"  --shutdown-grace S     time in-flight requests get on SIGTERM (default 20)\n"
	"  --log-level LEVEL      debug, info, warn or error (default info)\n"
	"The database must be migrated ('tiemchung migrate'). On SIGTERM or SIGINT\n"
	"the server stops accepting, finishes what is in flight, commits every\n"
	"queued write, answers it, and closes the database.\n";

static bool int_arg(const char *name, const char *v, long lo, long hi, int *out)
{
	char *end;
	long x = strtol(v, &end, 10);
	if (*v == '\0' || *end || x < lo || x > hi) {
		fprintf(stderr, "tiemchung serve: %s takes a number from %ld to %ld\n",
		        name, lo, hi);
		return false;
	}
	*out = (int)x;
	return true;
}

int tc_cmd_serve(int argc, char **argv)
{
	enum { O_LISTEN = 256, O_DB, O_WEB, O_CERT, O_KEY, O_PROXY, O_THREADS,
	       O_ACCESS, O_IDLE, O_SITE_IDLE, O_MAX, O_LOGIN_USER, O_LOGIN_ADDR,
	       O_LOGIN_WINDOW, O_BODY, O_GRACE, O_LEVEL, O_SMS, O_OTP_PHONE, O_OTP_ADDR,
	       O_CIT_IDLE, O_NODE, O_HELP };
	static const struct option opts[] = {
		{"listen", required_argument, 0, O_LISTEN},
		{"db", required_argument, 0, O_DB},
		{"web", required_argument, 0, O_WEB},
		{"tls-cert", required_argument, 0, O_CERT},
		{"tls-key", required_argument, 0, O_KEY},
		{"trusted-proxy", required_argument, 0, O_PROXY},
		{"threads", required_argument, 0, O_THREADS},
		{"access-log", required_argument, 0, O_ACCESS},
		{"session-idle", required_argument, 0, O_IDLE},
		{"site-session-idle", required_argument, 0, O_SITE_IDLE},
		{"session-max", required_argument, 0, O_MAX},
		{"login-max-per-user", required_argument, 0, O_LOGIN_USER},
		{"login-max-per-addr", required_argument, 0, O_LOGIN_ADDR},
		{"login-window", required_argument, 0, O_LOGIN_WINDOW},
		{"body-limit", required_argument, 0, O_BODY},
		{"sms-gateway", required_argument, 0, O_SMS},
		{"otp-max-per-phone", required_argument, 0, O_OTP_PHONE},
		{"otp-max-per-addr", required_argument, 0, O_OTP_ADDR},
		{"citizen-session-idle", required_argument, 0, O_CIT_IDLE},
		{"node-id", required_argument, 0, O_NODE},
		{"shutdown-grace", required_argument, 0, O_GRACE},
		{"log-level", required_argument, 0, O_LEVEL},
		{"help", no_argument, 0, O_HELP},
		{0, 0, 0, 0}};
	struct tc_config cfg;
	struct tc_fault f = {0};
	struct tc_db *db;
	struct tc_server *srv;
	struct tc_db_options dbo = {0};
	sigset_t sigs;
	char *why = NULL;
	const char **route_names;
	int ch, sig, body = 0;

	tc_config_defaults(&cfg);
	cfg.db = tc_cli_default_db();
	if (getenv("TIEMCHUNG_LISTEN") && *getenv("TIEMCHUNG_LISTEN"))
		cfg.listen = getenv("TIEMCHUNG_LISTEN");
	if (getenv("TIEMCHUNG_SMS_GATEWAY") && *getenv("TIEMCHUNG_SMS_GATEWAY"))
		cfg.sms_gateway_url = getenv("TIEMCHUNG_SMS_GATEWAY");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		bool ok = true;
		switch (ch) {
		case O_LISTEN: cfg.listen = optarg; break;
		case O_DB: cfg.db = optarg; break;
		case O_WEB: cfg.web_dir = optarg; break;
		case O_CERT: cfg.tls_cert = optarg; break;
		case O_KEY: cfg.tls_key = optarg; break;
		case O_PROXY:
			if (cfg.ntrusted == TC_MAX_TRUSTED_PROXIES) {
				fprintf(stderr, "tiemchung serve: at most %d trusted proxies\n",
				        TC_MAX_TRUSTED_PROXIES);
				return 2;
			}
			cfg.trusted_proxies[cfg.ntrusted++] = optarg;
			break;
		case O_THREADS: ok = int_arg("--threads", optarg, 1, 256, &cfg.threads); break;
		case O_ACCESS: cfg.access_log = optarg; break;
		case O_IDLE: ok = int_arg("--session-idle", optarg, 1, 86400 * 7, &cfg.session_idle_s); break;
		case O_SITE_IDLE: ok = int_arg("--site-session-idle", optarg, 1, 86400 * 7, &cfg.site_session_idle_s); break;
		case O_MAX: ok = int_arg("--session-max", optarg, 1, 86400 * 30, &cfg.session_max_s); break;
		case O_LOGIN_USER: ok = int_arg("--login-max-per-user", optarg, 1, 100000, &cfg.login_max_per_user); break;
		case O_LOGIN_ADDR: ok = int_arg("--login-max-per-addr", optarg, 1, 1000000, &cfg.login_max_per_addr); break;
		case O_LOGIN_WINDOW: ok = int_arg("--login-window", optarg, 1, 86400, &cfg.login_window_s); break;
		case O_BODY: ok = int_arg("--body-limit", optarg, 1024, 1 << 30, &body); cfg.body_limit = (size_t)body; break;
		case O_SMS: cfg.sms_gateway_url = optarg; break;
		case O_OTP_PHONE: ok = int_arg("--otp-max-per-phone", optarg, 1, 100000, &cfg.otp_max_per_phone); break;
		case O_OTP_ADDR: ok = int_arg("--otp-max-per-addr", optarg, 1, 1000000, &cfg.otp_max_per_addr); break;
		case O_CIT_IDLE: ok = int_arg("--citizen-session-idle", optarg, 1, 86400, &cfg.citizen_session_idle_s); break;
		case O_NODE: ok = int_arg("--node-id", optarg, 0, 14, &cfg.node_id); break;
		case O_GRACE: ok = int_arg("--shutdown-grace", optarg, 0, 3600, &cfg.shutdown_grace_s); break;
		case O_LEVEL:
			if (strcmp(optarg, "debug") == 0) tc_log_set_level(TC_LOG_DEBUG);
			else if (strcmp(optarg, "info") == 0) tc_log_set_level(TC_LOG_INFO);
			else if (strcmp(optarg, "warn") == 0) tc_log_set_level(TC_LOG_WARN);
			else if (strcmp(optarg, "error") == 0) tc_log_set_level(TC_LOG_ERROR);
			else ok = false;
			break;
		case O_HELP: fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
		if (!ok)
			return 2;
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (cfg.sms_gateway_url && strncmp(cfg.sms_gateway_url, "http://", 7) != 0 &&
	    strncmp(cfg.sms_gateway_url, "https://", 8) != 0) {
		fprintf(stderr, "tiemchung serve: --sms-gateway takes an http:// or https:// URL\n");
		return 2;
	}
	if (tc_log_open_access(cfg.access_log) != 0) {
		fprintf(stderr, "tiemchung serve: cannot open access log %s\n", cfg.access_log);
		return 1;
	}
	/* Signals go to this thread only: block them before any thread exists. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	dbo.readers = cfg.threads + 4;
	dbo.node_id = cfg.node_id;
	db = tc_db_open(cfg.db, &dbo, &why);
	if (db == NULL) {
		fprintf(stderr, "tiemchung serve: %s\n", why ? why : "cannot open the database");
		free(why);
		return 1;
	}
	if (tc_db_check_schema(db, &f) != TC_ERR_OK) {
		fprintf(stderr, "tiemchung serve: %s\n", f.message);
		tc_db_close(db);
		return 1;
	}
	route_names = tc_xcalloc((size_t)tc_nroutes, sizeof(*route_names));
	for (int i = 0; i < tc_nroutes; i++) {
		size_t n = strlen(tc_routes[i].method) + strlen(tc_routes[i].pattern) + 2;
		char *s = tc_xmalloc(n);
		snprintf(s, n, "%s %s", tc_routes[i].method, tc_routes[i].pattern);
		route_names[i] = s;
	}
	tc_metrics_init(route_names, tc_nroutes);
	srv = tc_server_start(&cfg, db, &why);
	if (srv == NULL) {
		fprintf(stderr, "tiemchung serve: %s\n", why ? why : "cannot start");
		free(why);
		tc_db_close(db);
		return 1;
	}
	tc_info("serving %s database on port %u", tc_db_kind_name(db),
	        (unsigned)tc_server_port(srv));
	printf("listening on %s://%.*s:%u\n", cfg.tls_cert ? "https" : "http",
	       (int)(strrchr(cfg.listen, ':') - cfg.listen), cfg.listen,
	       (unsigned)tc_server_port(srv));
	fflush(stdout);

	while (sigwait(&sigs, &sig) != 0)
		;
	tc_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	tc_server_stop(srv);
	tc_db_close(db);
	tc_info("stopped; database closed");
	tc_metrics_free();
	for (int i = 0; i < tc_nroutes; i++)
		free((char *)route_names[i]);
	free(route_names);
	tc_log_close_access();
	return 0;
}
