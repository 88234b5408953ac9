/* The write-ahead log's appends gathered into one write (walbuf.h). */
#include "walbuf.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Larger than a group commit's frames (about 1 MB in the dose
 * benchmark); a bigger transaction is written in pieces of this size. */
#define WB_CAP   (4u << 20)
/* The unix VFS writes at most 128 KiB - 1 in one call (its xWrite masks
 * the length with 0x1ffff): the buffer goes down in pieces of 124 KiB. */
#define WB_PIECE (124u << 10)

struct wb_file {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
	bool is_log;        /* a log whose appends are gathered */
	unsigned char *buf; /* is_log: WB_CAP bytes, allocated on first use */
	size_t len;         /* bytes waiting in buf */
	sqlite3_int64 at;   /* the file offset of buf[0] */
	int sync_fd;        /* is_log: the log opened again, to sync it elsewhere */
	bool owed;          /* a sync left to tc_walbuf_owed's caller */
	bool header;        /* the log's header was written since the last sync */
};

static sqlite3_vfs *wb_real;
static sqlite3_vfs wb_vfs;
static sqlite3_io_methods wb_methods;
static uint64_t st_in, st_out, st_bytes, st_synced, st_owed;
/* tc_walbuf_defer_syncs: this thread's syncs of a log are owed */
static _Thread_local bool defer_on;

static sqlite3_file *real(sqlite3_file *f)
{
	return ((struct wb_file *)f)->real;
}

/* Writes what waits in the buffer. On failure the bytes stay, and the
 * caller's operation fails with the error: SQLite then rolls the
 * transaction back and never publishes the frames. */
static int wb_flush(struct wb_file *p)
{
	for (size_t done = 0; done < p->len;) {
		size_t n = p->len - done < WB_PIECE ? p->len - done : WB_PIECE;
		int rc = p->real->pMethods->xWrite(p->real, p->buf + done, (int)n,
		                                   p->at + (sqlite3_int64)done);
		if (rc != SQLITE_OK)
			return rc; /* all of it again next time: rewriting is harmless */
		__atomic_add_fetch(&st_out, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&st_bytes, n, __ATOMIC_RELAXED);
		done += n;
	}
	p->len = 0;
	return SQLITE_OK;
}

static int flush_of(sqlite3_file *f)
{
	return wb_flush((struct wb_file *)f);
}

/* ---- the file methods: the log's buffering, the rest passed on ---------------- */

static int wb_close(sqlite3_file *f)
{
	struct wb_file *p = (struct wb_file *)f;
	int rc = wb_flush(p);
	int rc2;

	if (rc == SQLITE_OK && p->owed && fdatasync(p->sync_fd) != 0)
		rc = SQLITE_IOERR_FSYNC; /* never taken: paid here */
	p->owed = false;
	if (p->sync_fd >= 0)
		close(p->sync_fd);
	p->sync_fd = -1;
	rc2 = p->real->pMethods ? p->real->pMethods->xClose(p->real) : SQLITE_OK;
	free(p->buf);
	p->buf = NULL;
	p->len = 0;
	return rc != SQLITE_OK ? rc : rc2;
}

static int wb_read(sqlite3_file *f, void *out, int n, sqlite3_int64 off)
{
	int rc = flush_of(f);
	return rc != SQLITE_OK ? rc : real(f)->pMethods->xRead(real(f), out, n, off);
}

static int wb_write(sqlite3_file *f, const void *in, int n, sqlite3_int64 off)
{
	struct wb_file *p = (struct wb_file *)f;
	int rc;

	if (!p->is_log)
		return p->real->pMethods->xWrite(p->real, in, n, off);
	__atomic_add_fetch(&st_in, 1, __ATOMIC_RELAXED);
	if (off == 0)
		p->header = true;
	if (p->len > 0 &&
	    (off != p->at + (sqlite3_int64)p->len || p->len + (size_t)n > WB_CAP) &&
	    (rc = wb_flush(p)) != SQLITE_OK)
		return rc;
	if ((size_t)n > WB_PIECE) { /* larger than a piece: straight through */
		rc = p->real->pMethods->xWrite(p->real, in, n, off);
		if (rc == SQLITE_OK) {
			__atomic_add_fetch(&st_out, 1, __ATOMIC_RELAXED);
			__atomic_add_fetch(&st_bytes, (uint64_t)n, __ATOMIC_RELAXED);
		}
		return rc;
	}
	if (p->buf == NULL && (p->buf = malloc(WB_CAP)) == NULL)
		return SQLITE_IOERR_NOMEM;
	if (p->len == 0)
		p->at = off;
	memcpy(p->buf + p->len, in, (size_t)n);
	p->len += (size_t)n;
	return SQLITE_OK;
}

static int wb_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = flush_of(f);
	return rc != SQLITE_OK ? rc : real(f)->pMethods->xTruncate(real(f), size);
}

static int wb_sync(sqlite3_file *f, int flags)
{
	struct wb_file *p = (struct wb_file *)f;
	int rc = wb_flush(p);

	if (rc != SQLITE_OK)
		return rc;
	/* Never the sync of a header: when the log starts over SQLite syncs
	 * its new header before any frame goes over the old ones, or a power
	 * loss could keep the old header with old frames that recovery would
	 * copy over newer pages of the database. That is once a cycle of the
	 * log (and it is the first sync of a new log, which also syncs the
	 * log's directory entry). */
	if (p->is_log && defer_on && p->sync_fd >= 0 && !p->header) {
		p->owed = true; /* in the file for every reader; durable later */
		__atomic_add_fetch(&st_owed, 1, __ATOMIC_RELAXED);
		return SQLITE_OK;
	}
	rc = p->real->pMethods->xSync(p->real, flags);
	if (rc == SQLITE_OK && p->is_log) {
		__atomic_add_fetch(&st_synced, 1, __ATOMIC_RELAXED);
		p->header = false;
		p->owed = false; /* this sync paid it too */
	}
	return rc;
}

static int wb_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	int rc = flush_of(f);
	return rc != SQLITE_OK ? rc : real(f)->pMethods->xFileSize(real(f), size);
}

static int wb_lock(sqlite3_file *f, int level)
{
	return real(f)->pMethods->xLock(real(f), level);
}

static int wb_unlock(sqlite3_file *f, int level)
{
	return real(f)->pMethods->xUnlock(real(f), level);
}

static int wb_check_reserved(sqlite3_file *f, int *out)
{
	return real(f)->pMethods->xCheckReservedLock(real(f), out);
}

static int wb_file_control(sqlite3_file *f, int op, void *arg)
{
	/* a control may look at the file (size hints, sync, persist_wal) */
	int rc = flush_of(f);
	return rc != SQLITE_OK ? rc : real(f)->pMethods->xFileControl(real(f), op, arg);
}

static int wb_sector_size(sqlite3_file *f)
{
	return real(f)->pMethods->xSectorSize(real(f));
}

static int wb_device(sqlite3_file *f)
{
	return real(f)->pMethods->xDeviceCharacteristics(real(f));
}

static int wb_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return real(f)->pMethods->xShmMap(real(f), pg, pgsz, extend, pp);
}

static int wb_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}

static void wb_shm_barrier(sqlite3_file *f)
{
	real(f)->pMethods->xShmBarrier(real(f));
}

static int wb_shm_unmap(sqlite3_file *f, int del)
{
	return real(f)->pMethods->xShmUnmap(real(f), del);
}

/* Memory-mapped reads, where the real file has them (version 3). */
static int wb_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	int rc = flush_of(f);

	*pp = NULL;
	if (rc != SQLITE_OK || real(f)->pMethods->iVersion < 3)
		return rc;
	return real(f)->pMethods->xFetch(real(f), off, n, pp);
}

static int wb_unfetch(sqlite3_file *f, sqlite3_int64 off, void *pg)
{
	if (real(f)->pMethods->iVersion < 3)
		return SQLITE_OK;
	return real(f)->pMethods->xUnfetch(real(f), off, pg);
}

/* ---- the VFS: xOpen wraps, the rest is the default VFS's ------------------------ */

static int wb_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                   int *out)
{
	struct wb_file *p = (struct wb_file *)f;
	int rc;

	(void)vfs;
	memset(p, 0, sizeof *p);
	p->sync_fd = -1;
	p->real = (sqlite3_file *)(p + 1);
	rc = wb_real->xOpen(wb_real, name, p->real, flags, out);
	if (rc != SQLITE_OK || p->real->pMethods == NULL) {
		p->base.pMethods = NULL; /* SQLite will not close it */
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	/* SQLite pads the log to a sector (writing after its sync) unless the
	 * database's file does powersafe overwrites, which "psow=0" in its URI
	 * turns off: the log is buffered only when nothing says otherwise */
	p->is_log = (flags & SQLITE_OPEN_WAL) && sqlite3_uri_boolean(name, "psow", 1) &&
	            (p->real->pMethods->xDeviceCharacteristics(p->real) &
	             SQLITE_IOCAP_POWERSAFE_OVERWRITE);
	/* the same file, while SQLite holds it open: a sync of either fd
	 * writes the file's pages (without it, syncs are never deferred) */
	if (p->is_log)
		p->sync_fd = open(name, O_RDONLY | O_CLOEXEC);
	p->base.pMethods = &wb_methods;
	return SQLITE_OK;
}

static int wb_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return wb_real->xDelete(wb_real, name, sync_dir);
}

static int wb_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return wb_real->xAccess(wb_real, name, flags, out);
}

static int wb_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return wb_real->xFullPathname(wb_real, name, n, out);
}

static void *wb_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return wb_real->xDlOpen(wb_real, name);
}

static void wb_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	wb_real->xDlError(wb_real, n, out);
}

static void (*wb_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return wb_real->xDlSym(wb_real, h, sym);
}

static void wb_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	wb_real->xDlClose(wb_real, h);
}

static int wb_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return wb_real->xRandomness(wb_real, n, out);
}

static int wb_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return wb_real->xSleep(wb_real, us);
}

static int wb_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return wb_real->xCurrentTime(wb_real, out);
}

static int wb_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return wb_real->xGetLastError ? wb_real->xGetLastError(wb_real, n, out) : 0;
}

static int wb_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return wb_real->xCurrentTimeInt64(wb_real, out);
}

static int rc_register = SQLITE_OK;

static void wb_init(void)
{
	wb_real = sqlite3_vfs_find(NULL);
	/* the shared-memory index of the log needs the real files' version 2
	 * methods; the default unix VFS has them */
	if (wb_real == NULL || wb_real->iVersion < 2 ||
	    wb_real->xCurrentTimeInt64 == NULL) {
		rc_register = SQLITE_ERROR;
		return;
	}
	wb_methods = (sqlite3_io_methods){
		.iVersion = 3,
		.xClose = wb_close,
		.xRead = wb_read,
		.xWrite = wb_write,
		.xTruncate = wb_truncate,
		.xSync = wb_sync,
		.xFileSize = wb_file_size,
		.xLock = wb_lock,
		.xUnlock = wb_unlock,
		.xCheckReservedLock = wb_check_reserved,
		.xFileControl = wb_file_control,
		.xSectorSize = wb_sector_size,
		.xDeviceCharacteristics = wb_device,
		.xShmMap = wb_shm_map,
		.xShmLock = wb_shm_lock,
		.xShmBarrier = wb_shm_barrier,
		.xShmUnmap = wb_shm_unmap,
		.xFetch = wb_fetch,
		.xUnfetch = wb_unfetch,
	};
	wb_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct wb_file) + wb_real->szOsFile,
		.mxPathname = wb_real->mxPathname,
		.zName = TC_WALBUF_VFS,
		.xOpen = wb_open,
		.xDelete = wb_delete,
		.xAccess = wb_access,
		.xFullPathname = wb_full_pathname,
		.xDlOpen = wb_dlopen,
		.xDlError = wb_dlerror,
		.xDlSym = wb_dlsym,
		.xDlClose = wb_dlclose,
		.xRandomness = wb_randomness,
		.xSleep = wb_sleep,
		.xCurrentTime = wb_current_time,
		.xGetLastError = wb_last_error,
		.xCurrentTimeInt64 = wb_current_time64,
	};
	rc_register = sqlite3_vfs_register(&wb_vfs, 0);
}

int tc_walbuf_register(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, wb_init);
	return rc_register;
}

void tc_walbuf_defer_syncs(bool on)
{
	defer_on = on;
}

int tc_walbuf_owed(sqlite3 *h)
{
	sqlite3_file *f = NULL;
	struct wb_file *p;
	int fd;

	if (sqlite3_file_control(h, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) !=
	            SQLITE_OK ||
	    f == NULL || f->pMethods != &wb_methods)
		return -1;
	p = (struct wb_file *)f;
	if (!p->owed)
		return -1;
	p->owed = false;
	if ((fd = fcntl(p->sync_fd, F_DUPFD_CLOEXEC, 0)) >= 0)
		return fd;
	/* no descriptor to hand over: the sync is made here */
	return fdatasync(p->sync_fd) == 0 ? -1 : -2;
}

void tc_walbuf_stats(struct tc_walbuf_stats *out)
{
	out->writes_in = __atomic_load_n(&st_in, __ATOMIC_RELAXED);
	out->writes_out = __atomic_load_n(&st_out, __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&st_bytes, __ATOMIC_RELAXED);
	out->syncs = __atomic_load_n(&st_synced, __ATOMIC_RELAXED);
	out->syncs_owed = __atomic_load_n(&st_owed, __ATOMIC_RELAXED);
}
