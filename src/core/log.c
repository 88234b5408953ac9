#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tctime.h"

static enum tc_log_level min_level = TC_LOG_INFO;
static int access_fd = -1;

void tc_log_set_level(enum tc_log_level min)
{
	min_level = min;
}

int tc_log_open_access(const char *where)
{
	if (strcmp(where, "off") == 0) {
		access_fd = -1;
		return 0;
	}
	if (strcmp(where, "-") == 0) {
		access_fd = STDERR_FILENO;
		return 0;
	}
	int fd = open(where, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	access_fd = fd;
	return 0;
}

void tc_log_close_access(void)
{
	if (access_fd > STDERR_FILENO)
		close(access_fd);
	access_fd = -1;
}

static const char *level_name(enum tc_log_level l)
{
	switch (l) {
	case TC_LOG_DEBUG: return "debug";
	case TC_LOG_INFO: return "info";
	case TC_LOG_WARN: return "warn";
	case TC_LOG_ERROR: return "error";
	}
	return "?";
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

void tc_log(enum tc_log_level level, const char *fmt, ...)
{
	char line[2048], ts[TC_TIME_TEXT_LEN];
	va_list ap;
	int n, m;

	if (level < min_level)
		return;
	tc_time_format(tc_now_us(), ts);
	n = snprintf(line, sizeof(line), "%s %s ", ts, level_name(level));
	if (n < 0)
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	write_all(STDERR_FILENO, line, (size_t)n);
}

void tc_log_access(const char *method, const char *path, unsigned status,
                   long long micros, const char *user)
{
	char line[1024], ts[TC_TIME_TEXT_LEN];
	int n;

	if (access_fd < 0)
		return;
	tc_time_format(tc_now_us(), ts);
	n = snprintf(line, sizeof(line), "%s access %s %s %u %lldus user=%s\n",
	             ts, method, path, status, micros, user ? user : "-");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	write_all(access_fd, line, (size_t)n);
}
