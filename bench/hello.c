/* hello: the ceiling for the read benchmark. A libmicrohttpd server
 * threaded like tiemchung (MHD_USE_POLL_INTERNAL_THREAD, a pool of N
 * threads, suspend/resume allowed, the same connection limits) that,
 * like tiemchung, does nothing on the first callback of a request and
 * queues a small JSON answer on the second, so keep-alive holds.
 *
 *   hello [--threads N] [--listen ADDR:PORT] [--size BYTES]
 *
 * Prints "listening on http://127.0.0.1:PORT" and serves until SIGTERM
 * or SIGINT. --size pads the JSON body to about BYTES bytes. */
#include <arpa/inet.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *body;
static size_t body_len;
static int first_marker;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;

	(void)cls, (void)url, (void)method, (void)version, (void)upload;
	if (*con_cls == NULL) {
		*con_cls = &first_marker;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	resp = MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        "application/json; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ok = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)conn, (void)toe;
	*con_cls = NULL;
}

static void make_body(size_t size)
{
	static const char head[] = "{\"hello\":\"world\",\"pad\":\"";
	static const char tail[] = "\"}";
	size_t fixed = sizeof(head) - 1 + sizeof(tail) - 1;
	size_t pad = size > fixed ? size - fixed : 0;

	if (size == 0) {
		body = strdup("{\"hello\":\"world\"}");
		body_len = strlen(body);
		return;
	}
	body_len = fixed + pad;
	body = malloc(body_len + 1);
	if (body == NULL)
		exit(1);
	memcpy(body, head, sizeof(head) - 1);
	memset(body + sizeof(head) - 1, 'x', pad);
	memcpy(body + sizeof(head) - 1 + pad, tail, sizeof(tail));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "threads", required_argument, 0, 't' },
		                              { "listen", required_argument, 0, 'l' },
		                              { "size", required_argument, 0, 's' },
		                              { 0, 0, 0, 0 } };
	const char *listen = "127.0.0.1:0";
	unsigned threads = 4;
	size_t size = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	sigset_t sigs;
	int ch, sig;
	char host[64];

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't': threads = (unsigned)atoi(optarg); break;
		case 'l': listen = optarg; break;
		case 's': size = (size_t)atol(optarg); break;
		default:
			fputs("usage: hello [--threads N] [--listen ADDR:PORT] [--size "
			      "BYTES]\n",
			      stderr);
			return 2;
		}
	}
	const char *colon = strrchr(listen, ':');
	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host) || threads < 1) {
		fprintf(stderr, "hello: --listen takes IPV4:PORT, --threads 1 or more\n");
		return 2;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "hello: bad address %s\n", host);
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	make_body(size);

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(
	        MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
	                MHD_USE_ERROR_LOG,
	        0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
	        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
	        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT,
	        (unsigned)8192, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "hello: cannot listen on %s\n", listen);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("listening on http://%s:%u\n", host, info ? (unsigned)info->port : 0u);
	fflush(stdout);
	while (sigwait(&sigs, &sig) != 0)
		;
	MHD_stop_daemon(d);
	free(body);
	return 0;
}
