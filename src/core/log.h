/* Logging: diagnostics to stderr, one access-log line per request to its
 * own stream. Neither ever carries a request body, a query string or
 * personal data; callers pass only what may be logged. */
#ifndef TC_LOG_H
#define TC_LOG_H

enum tc_log_level { TC_LOG_DEBUG, TC_LOG_INFO, TC_LOG_WARN, TC_LOG_ERROR };

/* Set once at start-up, before threads exist. */
void tc_log_set_level(enum tc_log_level min);
/* Opens the access log: "-" is stderr, "off" disables it, else a file
 * opened for appending. Returns 0 or -1 with errno set. */
int tc_log_open_access(const char *where);
void tc_log_close_access(void);

void tc_log(enum tc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define tc_info(...) tc_log(TC_LOG_INFO, __VA_ARGS__)
#define tc_warn(...) tc_log(TC_LOG_WARN, __VA_ARGS__)
#define tc_error(...) tc_log(TC_LOG_ERROR, __VA_ARGS__)
#define tc_debug(...) tc_log(TC_LOG_DEBUG, __VA_ARGS__)

/* One access-log line, written with a single write(2). */
void tc_log_access(const char *method, const char *path, unsigned status,
                   long long micros, const char *user);

#endif
