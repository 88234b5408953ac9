/* import_loop: the ceiling for the import benchmark. A plain C loop that
 * puts the rows of a gen_citizens CSV into the same `citizens` and
 * `citizen_documents` tables, with the same indexes, as `tiemchung import
 * citizens` does, doing only cheap work per row.
 *
 *   import_loop [-b BATCH] [-x] [--data DIR] FILE.csv DB_PATH
 *
 * DB_PATH must have been made by `tiemchung migrate` (so that the schema,
 * the indexes and the units are the server's own). The connection is set
 * up as the server's writer is (WAL, synchronous=FULL, foreign_keys=ON,
 * temp_store=MEMORY, a 64 MB cache), statements are prepared once, and
 * BATCH rows (default 50000) go in per transaction.
 *
 * Per row: the CSV line split in place (quotes understood), the name
 * lower-cased byte by byte as its key (no accent folding), its last word
 * as the last-word key, the first word as the family name, the date
 * turned round to YYYY-MM-DD, 0xxxxxxxxx written +84xxxxxxxxx, the scope
 * path "VN/PP/DDD/CCCCC" of the commune from wards.csv, a random 43-char
 * QR token, a time-ordered id; then the document row and the citizen row.
 *
 * -x adds, per row, the other statements the importer runs: the look-up
 * of the document (joined to its citizen) before the insert, the
 * document claim as INSERT ... ON CONFLICT DO NOTHING, and the
 * likely-duplicates INSERT ... SELECT. With -b 2000 (the importer's
 * batch) it is the importer's SQL without the rest of the importer.
 *
 * The last line reads
 * "RESULT rows=... seconds=... rows_per_s=... commits=... cpu_us_per_row=...". */
#include <getopt.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static sqlite3 *db;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "import_loop: %s: %s\n", what, detail);
	exit(1);
}

static void check(int rc, const char *what)
{
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		fail(what, sqlite3_errmsg(db));
}

static sqlite3_stmt *prepare(const char *sql)
{
	sqlite3_stmt *st;
	check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL), sql);
	return st;
}

static void run(sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	check(rc, what);
	sqlite3_reset(st);
}

/* ---- cheap helpers -------------------------------------------------------- */

static uint64_t rng = 0x243F6A8885A308D3ull;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void token(char out[44])
{
	static const char b64[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint64_t r = 0;
	for (int i = 0; i < 43; i++) {
		if (i % 10 == 0)
			r = rnd();
		out[i] = b64[r & 63];
		r >>= 6;
	}
	out[43] = '\0';
}

/* "2026-01-31T12:34:56.789012Z", as the server stores times. */
static void now_text(char out[32])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%06dZ", (int)(ts.tv_nsec / 1000));
}

/* Splits one CSV line in place into at most max fields; quoted fields
 * lose their quotes ("" inside becomes "). Returns the number of fields. */
static int split_csv(char *s, char **f, int max)
{
	int n = 0;
	while (n < max) {
		if (*s == '"') {
			char *w = ++s;
			f[n++] = w;
			for (;;) {
				if (*s == '\0')
					break;
				if (*s == '"' && s[1] == '"') {
					*w++ = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					*w++ = *s++;
				}
			}
			*w = '\0';
			if (*s == ',') {
				s++;
				continue;
			}
			break;
		}
		f[n++] = s;
		char *c = strchr(s, ',');
		if (c == NULL)
			break;
		*c = '\0';
		s = c + 1;
	}
	return n;
}

/* ---- the scope paths from wards.csv ------------------------------------------ */

static char (*paths)[20]; /* by the commune's code, 0..99999 */

static void load_paths(const char *dir)
{
	char path[4096], line[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/vn-admin/wards.csv", dir);
	fp = fopen(path, "r");
	if (fp == NULL)
		fail("cannot read", path);
	paths = calloc(100000, sizeof(*paths));
	if (paths == NULL)
		fail("out of memory", "paths");
	if (fgets(line, sizeof(line), fp) == NULL)
		fail("empty", path);
	while (fgets(line, sizeof(line), fp)) {
		/* code,name,type,name_with_type,slug,parent_code,district_code,province_code */
		char *f[8];
		int n = 0;
		line[strcspn(line, "\r\n")] = '\0';
		f[n++] = line;
		for (char *p = line; *p && n < 8; p++)
			if (*p == ',') {
				*p = '\0';
				f[n++] = p + 1;
			}
		if (n < 8 || strlen(f[0]) != 5)
			fail("bad line in", path);
		snprintf(paths[atoi(f[0])], sizeof(paths[0]), "VN/%.2s/%.3s/%.5s", f[7],
		         f[6], f[0]);
	}
	fclose(fp);
}

/* ---- main ------------------------------------------------------------------ */

#define CIT_COLS                                                                         \
	"id, id_type, id_number, full_name, family_name, given_name, name_key,"          \
	" last_word_key, birth_date, birth_year, gender, phone, commune_code, address,"  \
	" nationality, priority_group, guardian_id, scope_path, verification, flags,"    \
	" qr_token, source, version, created_at, updated_at, created_by"

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "batch", required_argument, 0, 'b' },
		                              { "server-sql", no_argument, 0, 'x' },
		                              { "data", required_argument, 0, 'D' },
		                              { 0, 0, 0, 0 } };
	const char *dir = "data";
	long batch = 50000;
	bool server_sql = false;
	long long rows = 0, commits = 0;
	sqlite3_stmt *begin, *commit, *ins_doc, *ins_cit, *by_doc = NULL, *dups = NULL;
	char *line = NULL;
	size_t cap = 0;
	int ch;

	while ((ch = getopt_long(argc, argv, "b:x", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': batch = atol(optarg); break;
		case 'x': server_sql = true; break;
		case 'D': dir = optarg; break;
		default: goto usage;
		}
	}
	if (optind != argc - 2 || batch < 1)
		goto usage;
	load_paths(dir);
	FILE *in = fopen(argv[optind], "r");
	if (in == NULL)
		fail("cannot read", argv[optind]);
	setvbuf(in, NULL, _IOFBF, 1 << 20);

	double t0 = now_s(), c0 = cpu_s();
	if (sqlite3_open_v2(argv[optind + 1], &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		fail("cannot open (run tiemchung migrate first)", argv[optind + 1]);
	sqlite3_db_config(db, SQLITE_DBCONFIG_LOOKASIDE, NULL, 512, 1024);
	check(sqlite3_exec(db,
	                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                   " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
	                   " PRAGMA cache_size=-262144;",
	                   NULL, NULL, NULL),
	      "pragmas");
	begin = prepare("BEGIN");
	commit = prepare("COMMIT");
	ins_doc =
	        prepare(server_sql ? "INSERT INTO citizen_documents (doc_key, citizen_id)"
	                             " VALUES (?1, ?2) ON CONFLICT (doc_key) DO NOTHING"
	                           : "INSERT INTO citizen_documents (doc_key, citizen_id)"
	                             " VALUES (?1, ?2)");
	ins_cit = prepare(
	        "INSERT INTO citizens (" CIT_COLS ") VALUES (?1, 'cccd', ?2, ?3, ?4,"
	        " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'VN', NULL, NULL, ?14,"
	        " 'unverified', ?15, ?16, 'import', 1, ?17, ?17, NULL)");
	if (server_sql) {
		by_doc = prepare(
		        "SELECT c.id, c.full_name, c.birth_date, c.gender, c.phone,"
		        " c.commune_code, c.address, c.nationality, c.priority_group"
		        " FROM citizen_documents d JOIN citizens c ON c.id = d.citizen_id"
		        " WHERE d.doc_key = ?1");
		dups = prepare(
		        "INSERT INTO citizen_duplicates (citizen_id, other_id, reason,"
		        " scope_path, found_at)"
		        " SELECT ?1, id, CASE WHEN phone = ?4 THEN 'same_phone'"
		        " ELSE 'same_commune' END, ?6, ?7 FROM citizens"
		        " WHERE name_key = ?2 AND birth_date = ?3 AND id <> ?1"
		        " AND (phone = ?4 OR commune_code = ?5) ON CONFLICT DO NOTHING");
	}

	/* time-ordered ids, as the server draws them: milliseconds, then a sequence */
	int64_t id = ((int64_t)time(NULL) * 1000 - 1704067200000LL) << 12;
	time_t tnow = time(NULL);
	struct tm tm;
	localtime_r(&tnow, &tm);
	long today = (tm.tm_year + 1900) * 10000L + (tm.tm_mon + 1) * 100 + tm.tm_mday;

	if (getline(&line, &cap, in) < 0) /* the header */
		fail("empty file", argv[optind]);
	run(begin, "BEGIN");
	ssize_t len;
	while ((len = getline(&line, &cap, in)) > 0) {
		char *f[8], key[512], doc[32], bdate[11], phone[16], tok[44], ts[32];
		const char *last, *given;
		char family[128];

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		/* id_number,full_name,birth_date,gender,phone,commune_code,address */
		if (split_csv(line, f, 7) != 7 || strlen(f[2]) != 10 ||
		    strlen(f[1]) >= sizeof(key))
			fail("not a gen_citizens row", line);
		snprintf(doc, sizeof(doc), "cccd:%s", f[0]);
		size_t nl = strlen(f[1]);
		for (size_t i = 0; i <= nl; i++)
			key[i] = (char)((f[1][i] >= 'A' && f[1][i] <= 'Z') ? f[1][i] + 32
			                                                   : f[1][i]);
		last = strrchr(key, ' ');
		last = last ? last + 1 : key;
		given = strchr(f[1], ' ');
		size_t fl = given ? (size_t)(given - f[1]) : nl;
		memcpy(family, f[1], fl < sizeof(family) ? fl : sizeof(family) - 1);
		family[fl < sizeof(family) ? fl : sizeof(family) - 1] = '\0';
		given = given ? given + 1 : "";
		memcpy(bdate, f[2] + 6, 4);
		bdate[4] = '-';
		memcpy(bdate + 5, f[2] + 3, 2);
		bdate[7] = '-';
		memcpy(bdate + 8, f[2], 2);
		bdate[10] = '\0';
		int year = atoi(f[2] + 6);
		long born = year * 10000L + atoi(f[2] + 3) * 100 + atoi(f[2]);
		bool minor = today - born < 180000;
		if (f[4][0])
			snprintf(phone, sizeof(phone), "+84%s", f[4] + 1);
		const char *scope = paths[atoi(f[5])];
		if (!scope[0])
			fail("unknown commune", f[5]);
		token(tok);
		now_text(ts);
		id++;

		if (server_sql) {
			sqlite3_bind_text(by_doc, 1, doc, -1, SQLITE_STATIC);
			if (sqlite3_step(by_doc) == SQLITE_ROW)
				fail("already on file (use a fresh database)", doc);
			sqlite3_reset(by_doc);
		}
		sqlite3_bind_text(ins_doc, 1, doc, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins_doc, 2, id);
		run(ins_doc, "INSERT citizen_documents");
		if (server_sql && sqlite3_changes(db) != 1)
			fail("document taken", doc);

		sqlite3_bind_int64(ins_cit, 1, id);
		sqlite3_bind_text(ins_cit, 2, f[0], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 3, f[1], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 4, family, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 5, given, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 6, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 7, last, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 8, bdate, 10, SQLITE_STATIC);
		sqlite3_bind_int(ins_cit, 9, year);
		sqlite3_bind_text(ins_cit, 10, f[3][1] == 'a' ? "male" : "female", -1,
		                  SQLITE_STATIC);
		if (f[4][0])
			sqlite3_bind_text(ins_cit, 11, phone, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins_cit, 11);
		sqlite3_bind_text(ins_cit, 12, f[5], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 13, f[6], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 14, scope, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 15, minor ? "minor_without_guardian" : "", -1,
		                  SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 16, tok, 43, SQLITE_STATIC);
		sqlite3_bind_text(ins_cit, 17, ts, -1, SQLITE_STATIC);
		run(ins_cit, "INSERT citizens");

		if (server_sql) {
			sqlite3_bind_int64(dups, 1, id);
			sqlite3_bind_text(dups, 2, key, -1, SQLITE_STATIC);
			sqlite3_bind_text(dups, 3, bdate, 10, SQLITE_STATIC);
			if (f[4][0])
				sqlite3_bind_text(dups, 4, phone, -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(dups, 4);
			sqlite3_bind_text(dups, 5, f[5], -1, SQLITE_STATIC);
			sqlite3_bind_text(dups, 6, scope, -1, SQLITE_STATIC);
			sqlite3_bind_text(dups, 7, ts, -1, SQLITE_STATIC);
			run(dups, "INSERT citizen_duplicates");
		}
		if (++rows % batch == 0) {
			run(commit, "COMMIT");
			commits++;
			run(begin, "BEGIN");
		}
	}
	run(commit, "COMMIT");
	commits++;
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	sqlite3_finalize(ins_doc);
	sqlite3_finalize(ins_cit);
	sqlite3_finalize(by_doc);
	sqlite3_finalize(dups);
	if (sqlite3_close(db) != SQLITE_OK) /* the last connection checkpoints */
		fail("close", sqlite3_errmsg(db));
	double secs = now_s() - t0, cpu = cpu_s() - c0;
	fclose(in);
	free(line);
	printf("import_loop: %lld rows in %.2f s, %.0f rows/s (%lld commits of up to %ld "
	       "rows%s),"
	       " %.1f us CPU per row\n",
	       rows, secs, rows / secs, commits, batch,
	       server_sql ? ", with the importer's look-up and duplicates statements"
	                  : "",
	       cpu * 1e6 / (double)(rows ? rows : 1));
	printf("RESULT rows=%lld seconds=%.3f rows_per_s=%.1f commits=%lld "
	       "cpu_us_per_row=%.2f\n",
	       rows, secs, rows / secs, commits, cpu * 1e6 / (double)(rows ? rows : 1));
	return 0;
usage:
	fputs("usage: import_loop [-b BATCH] [-x] [--data DIR] FILE.csv DB_PATH\n",
	      stderr);
	return 2;
}
