/* Settings of a running server: filled once from the command line and the
 * environment, then read-only. */
#ifndef TC_CONFIG_H
#define TC_CONFIG_H

#include <stddef.h>

#define TC_MAX_TRUSTED_PROXIES 8

struct tc_config {
	const char *listen;   /* "ADDR:PORT"; port 0 picks a free one */
	const char *db;       /* SQLite path or postgresql:// URL */
	const char *web_dir;  /* static pages */
	const char *data_dir; /* reference data (vn-admin/) */
	const char *tls_cert, *tls_key;
	const char *access_log; /* "-", "off" or a file */
	const char *trusted_proxies[TC_MAX_TRUSTED_PROXIES];
	int ntrusted;
	int threads;          /* libmicrohttpd worker threads (poll) */
	int hash_threads;     /* password hashing threads */
	int conn_timeout_s;   /* idle connection timeout */
	int shutdown_grace_s; /* how long in-flight requests get on SIGTERM */
	size_t body_limit;    /* default request body limit, bytes */
	int session_idle_s;   /* staff sessions */
	int site_session_idle_s; /* site tablets: site_manager, site_staff */
	int session_max_s;    /* absolute lifetime */
	int login_max_per_user;  /* failed logins per username per window */
	int login_max_per_addr;  /* per client address */
	int login_window_s;
	/* citizens: one-time codes by SMS and their sessions */
	const char *sms_gateway_url; /* NULL: messages wait in the outbox */
	int otp_max_per_phone;       /* codes sent per phone per login window */
	int otp_max_per_addr;        /* per client address */
	int citizen_session_idle_s;
	int citizen_session_max_s;
	int node_id;                 /* 0..15, part of the ids this server draws */
};

/* The defaults documented in --help. */
void tc_config_defaults(struct tc_config *c);

#endif
