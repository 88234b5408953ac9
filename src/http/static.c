#include "static.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/config.h"
#include "server.h"

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".json", "application/json; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".woff2", "font/woff2"},
	{".txt", "text/plain; charset=utf-8"},
	{".webmanifest", "application/manifest+json"},
};

void tc_static_page_headers(struct MHD_Response *resp, bool tls)
{
	MHD_add_response_header(resp, "Content-Security-Policy",
	                        "default-src 'self'; script-src 'self'; style-src 'self';"
	                        " img-src 'self' data: blob:; connect-src 'self';"
	                        " media-src 'self' blob:; object-src 'none';"
	                        " base-uri 'none'; frame-ancestors 'none';"
	                        " form-action 'self'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Permissions-Policy",
	                        "camera=(self), microphone=(), geolocation=()");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	if (tls)
		MHD_add_response_header(resp, "Strict-Transport-Security",
		                        "max-age=31536000; includeSubDomains");
}

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return NULL;
}

/* Only plain names: no "..", no hidden files, no backslashes. */
static bool safe_path(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *s = p; *s; s++) {
		if (*s == '\\' || (unsigned char)*s < 0x20)
			return false;
		if (s[0] == '/' && s[1] == '.')
			return false;
	}
	return true;
}

tc_err tc_static_serve(struct tc_req *r, const char *root)
{
	const struct tc_config *cfg = tc_server_config(r->srv);
	const char *rel = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
	const char *type, *full;
	struct stat st;
	int fd;

	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		return tc_fault_set(&r->fault, TC_ERR_METHOD_NOT_ALLOWED, NULL, NULL);
	if (!safe_path(rel) || (type = content_type(rel)) == NULL)
		return tc_fault_set(&r->fault, TC_ERR_NO_ROUTE, NULL, NULL);
	full = tc_arena_printf(&r->arena, "%s%s", root, rel);
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return tc_fault_set(&r->fault, TC_ERR_NO_ROUTE, NULL, NULL);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tc_fault_set(&r->fault, TC_ERR_NO_ROUTE, NULL, NULL);
	}
	r->resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (r->resp == NULL) {
		close(fd);
		return tc_fault_internal(&r->fault, TC_ERR_IO, "cannot send a file");
	}
	MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	tc_static_page_headers(r->resp, cfg->tls_cert != NULL);
	r->status = MHD_HTTP_OK;
	return TC_ERR_OK;
}
