#include "outbox.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/arena.h"
#include "../core/jw.h"
#include "../core/log.h"
#include "../core/tctime.h"
#include "../core/util.h"
#include "../db/db.h"

#define TICK_MS 1000
#define BATCH 100
#define MAX_ATTEMPTS 10
#define TIMEOUT_S 10

struct tc_outbox {
	struct tc_db *db;
	char *url;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, kicked;
};

static tc_err mark_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	enum tc_qs qs = tc_q_outbox_mark(c, cls);
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

struct claim {
	const struct tc_message *m;
	bool mine;
};

static tc_err claim_run(struct tc_dbc *c, void *cls, struct tc_fault *f)
{
	struct claim *cl = cls;
	/* a lease longer than one attempt: a sender that dies leaves the
	 * message to be tried again after it */
	enum tc_qs qs = tc_q_outbox_claim(c, cl->m, tc_now_us() + (TIMEOUT_S + 50) * 1000000LL);
	cl->mine = qs == TC_QS_ONE;
	return qs < 0 ? tc_qs_err(qs, f) : TC_ERR_OK;
}

static size_t discard(char *p, size_t size, size_t n, void *cls)
{
	(void)p;
	(void)cls;
	return size * n;
}

/* Posts one message; returns NULL on a 2xx answer, else why not. */
static const char *post(CURL *curl, const char *url, const struct tc_message *m,
                        struct tc_arena *a)
{
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	struct tc_buf b;
	struct tc_jw w;
	const char *why = NULL;
	long status = 0;
	CURLcode cc;

	tc_buf_init(&b);
	tc_jw_init(&w, &b);
	tc_jw_obj(&w);
	tc_jw_kint(&w, "id", m->id);
	tc_jw_kstr(&w, "to", m->recipient);
	tc_jw_kstr(&w, "text", m->body);
	tc_jw_kstr(&w, "kind", m->kind);
	tc_jw_end(&w);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, b.data);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)b.len);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)TIMEOUT_S);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = curl_easy_perform(curl);
	if (cc != CURLE_OK)
		why = tc_arena_printf(a, "gateway: %s", curl_easy_strerror(cc));
	else if (curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
	         status < 200 || status > 299)
		why = tc_arena_printf(a, "gateway answered HTTP %ld", status);
	curl_slist_free_all(hdr);
	tc_buf_cleanup(&b);
	return why;
}

static void deliver_due(struct tc_outbox *ob, CURL *curl)
{
	struct tc_arena a;
	struct tc_message *m;
	struct tc_dbc *c;
	size_t n = 0;

	tc_arena_init(&a);
	c = tc_db_acquire(ob->db);
	if (c) {
		if (tc_q_outbox_due(c, tc_now_us(), BATCH, &a, &m, &n) < 0)
			n = 0;
		tc_db_release(ob->db, c);
	}
	for (size_t i = 0; i < n; i++) {
		struct claim cl = {.m = &m[i]};
		if (tc_db_run(ob->db, claim_run, &cl, NULL) != TC_ERR_OK)
			break;
		if (!cl.mine)
			continue; /* another server sends it */
		const char *why = post(curl, ob->url, &m[i], &a);
		int64_t now = tc_now_us();
		m[i].attempts++;
		if (why == NULL) {
			m[i].status = "sent";
			m[i].sent_at = now;
			m[i].last_error = NULL;
		} else {
			/* 2, 4, 8 ... seconds, at most five minutes apart */
			int64_t wait = (int64_t)1 << (m[i].attempts < 9 ? m[i].attempts : 9);
			m[i].status = m[i].attempts >= MAX_ATTEMPTS ? "failed" : "queued";
			m[i].next_try = now + wait * 1000000;
			m[i].last_error = why;
			tc_warn("outbox: message %lld not delivered (attempt %lld): %s",
			        (long long)m[i].id, (long long)m[i].attempts, why);
		}
		if (tc_db_run(ob->db, mark_run, &m[i], NULL) != TC_ERR_OK)
			break; /* stopping or unreachable: the next tick tries again */
		pthread_mutex_lock(&ob->mu);
		bool stop = ob->stop;
		pthread_mutex_unlock(&ob->mu);
		if (stop)
			break;
	}
	tc_arena_cleanup(&a);
}

static void *worker(void *arg)
{
	struct tc_outbox *ob = arg;
	CURL *curl = curl_easy_init();

	if (curl == NULL)
		tc_die("outbox: cannot start libcurl");
	pthread_mutex_lock(&ob->mu);
	while (!ob->stop) {
		struct timespec ts;
		if (!ob->kicked) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += TICK_MS * 1000000L;
			ts.tv_sec += ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&ob->cv, &ob->mu, &ts);
		}
		ob->kicked = false;
		if (ob->stop)
			break;
		pthread_mutex_unlock(&ob->mu);
		deliver_due(ob, curl);
		pthread_mutex_lock(&ob->mu);
	}
	pthread_mutex_unlock(&ob->mu);
	curl_easy_cleanup(curl);
	return NULL;
}

struct tc_outbox *tc_outbox_start(struct tc_db *db, const char *url)
{
	struct tc_outbox *ob;

	if (url == NULL || *url == '\0')
		return NULL;
	ob = tc_xcalloc(1, sizeof(*ob));
	ob->db = db;
	ob->url = tc_xstrdup(url);
	pthread_mutex_init(&ob->mu, NULL);
	pthread_cond_init(&ob->cv, NULL);
	if (pthread_create(&ob->thread, NULL, worker, ob) != 0)
		tc_die("outbox: cannot start its thread");
	tc_info("outbox: delivering SMS through the configured gateway");
	return ob;
}

void tc_outbox_kick(struct tc_outbox *ob)
{
	if (ob == NULL)
		return;
	pthread_mutex_lock(&ob->mu);
	ob->kicked = true;
	pthread_cond_signal(&ob->cv);
	pthread_mutex_unlock(&ob->mu);
}

void tc_outbox_stop(struct tc_outbox *ob)
{
	if (ob == NULL)
		return;
	pthread_mutex_lock(&ob->mu);
	ob->stop = true;
	pthread_cond_signal(&ob->cv);
	pthread_mutex_unlock(&ob->mu);
	pthread_join(ob->thread, NULL);
	free(ob->url);
	pthread_mutex_destroy(&ob->mu);
	pthread_cond_destroy(&ob->cv);
	free(ob);
}
