#include "offload.h"

#include <pthread.h>
#include <stdlib.h>

#include "../core/util.h"
#include "server.h"

struct task {
	struct tc_req *r;
	void (*fn)(void *cls);
	void *cls;
	struct task *next;
};

struct tc_offload {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct task *head, *tail;
	int pending, max_pending;
	bool stopping;
	pthread_t *threads;
	int nthreads;
};

static void *worker(void *arg)
{
	struct tc_offload *o = arg;

	for (;;) {
		struct task *t;

		pthread_mutex_lock(&o->mu);
		while (o->head == NULL && !o->stopping)
			pthread_cond_wait(&o->cv, &o->mu);
		t = o->head;
		if (t == NULL) {
			pthread_mutex_unlock(&o->mu);
			break;
		}
		o->head = t->next;
		if (o->head == NULL)
			o->tail = NULL;
		pthread_mutex_unlock(&o->mu);

		t->fn(t->cls);
		pthread_mutex_lock(&o->mu);
		o->pending--;
		pthread_mutex_unlock(&o->mu);
		tc_req_resume_ok(t->r); /* t lives in the request's arena: last use */
	}
	return NULL;
}

struct tc_offload *tc_offload_new(int threads, int max_pending)
{
	struct tc_offload *o = tc_xcalloc(1, sizeof(*o));

	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	o->max_pending = max_pending;
	o->threads = tc_xcalloc((size_t)threads, sizeof(*o->threads));
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&o->threads[i], NULL, worker, o) != 0)
			tc_die("cannot start an offload thread");
		o->nthreads++;
	}
	return o;
}

void tc_offload_free(struct tc_offload *o)
{
	if (o == NULL)
		return;
	pthread_mutex_lock(&o->mu);
	o->stopping = true;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
	for (int i = 0; i < o->nthreads; i++)
		pthread_join(o->threads[i], NULL);
	free(o->threads);
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
	free(o);
}

tc_err tc_req_offload(struct tc_req *r, void (*fn)(void *cls), void *cls,
                      tc_err (*after)(struct tc_req *r))
{
	struct tc_offload *o = tc_server_offload(r->srv);
	struct task *t = TC_NEW(&r->arena, struct task);

	pthread_mutex_lock(&o->mu);
	if (o->pending >= o->max_pending || o->stopping) {
		pthread_mutex_unlock(&o->mu);
		r->retry_after = "1";
		return tc_fault_set(&r->fault, TC_ERR_RETRY, NULL,
		                    "the server is busy; try again in a moment");
	}
	o->pending++;
	pthread_mutex_unlock(&o->mu);
	t->r = r;
	t->fn = fn;
	t->cls = cls;
	tc_req_suspend(r, after);
	pthread_mutex_lock(&o->mu);
	if (o->tail)
		o->tail->next = t;
	else
		o->head = t;
	o->tail = t;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	return TC_ERR_OK;
}
