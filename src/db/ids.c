/* Ids for the tables that grow with people (see tc_db_next_id in db.h). */
#include <time.h>

#include "../core/log.h"
#include "dbi.h"

#define ID_EPOCH_MS 1704067200000LL /* 2024-01-01T00:00:00Z */
#define ID_SEQ_BITS 8
#define ID_NODE_BITS 4
#define ID_LOW_BITS (ID_SEQ_BITS + ID_NODE_BITS)

/* the largest id drawn so far, in every table that takes them */
static struct tc_sql q_max_citizen =
	TC_SQL("SELECT COALESCE(MAX(id), 0) FROM (SELECT MAX(id) AS id FROM citizens"
	       " UNION ALL SELECT MAX(id) FROM registrations"
	       " UNION ALL SELECT MAX(id) FROM stock_movements"
	       " UNION ALL SELECT MAX(id) FROM visits UNION ALL SELECT MAX(id) FROM doses) drawn");

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - ID_EPOCH_MS;
}

int64_t tc_db_next_id(struct tc_dbc *c)
{
	struct tc_db *db = c->db;
	int64_t ms, id;

	pthread_mutex_lock(&db->id_mu);
	if (!db->id_seeded) {
		int64_t top = 0;
		if (tc_exec(c, &q_max_citizen, NULL, 0, tc_rows_i64, &top) >= 0) {
			db->id_ms = top >> ID_LOW_BITS;
			db->id_seq = (1 << ID_SEQ_BITS) - 1; /* the next id moves on */
			db->id_seeded = true;
		}
	}
	ms = now_ms();
	if (ms > db->id_ms) {
		db->id_ms = ms;
		db->id_seq = 0;
	} else if (++db->id_seq >= (1 << ID_SEQ_BITS)) {
		db->id_ms++; /* more than 256 in this millisecond: borrow the next */
		db->id_seq = 0;
	}
	id = db->id_ms << ID_LOW_BITS | (int64_t)(db->opt.node_id & 15) << ID_SEQ_BITS |
	     db->id_seq;
	pthread_mutex_unlock(&db->id_mu);
	return id;
}
