/* A SQLite VFS that gathers the writer's appends to the write-ahead log
 * into a few large writes per commit.
 *
 * SQLite writes each frame of the log with two pwrite calls (its 24-byte
 * header, then the page), so a group commit of 175 pages costs 350 system
 * calls; on this machine that is 4.3 us a frame against 0.85 us when 128
 * frames go in one call. "tc-walbuf" wraps the
 * default VFS: every file passes through unchanged except the log, whose
 * writes that follow on from the previous one are kept in a buffer and
 * written together before anything that could need them on disk or in
 * the file: a sync, a read, a truncate, asking the size, a file control,
 * closing, and a write elsewhere in the file (which is written first).
 *
 * Safe only where SQLite calls the log's xSync before it publishes a
 * commit, which writes the buffer out: a connection with synchronous=FULL
 * (or EXTRA), whose commit ends with that xSync before the frames are
 * added to the shared index that readers look in; and a log on a file
 * system that does powersafe overwrites (SQLite's default), so that no
 * frame is written after that sync to pad the log to a sector. A log
 * opened without powersafe overwrite (or opened with "psow=0") is written
 * through. Only writer connections with synchronous=FULL use it (the
 * server's writer, and the command line's: src/db/backend_sqlite.c);
 * readers, the checkpointer and a writer with synchronous=NORMAL use the
 * default VFS. The same xSync is where the sync itself can be left to
 * another thread (tc_walbuf_defer_syncs). */
#ifndef TC_WALBUF_H
#define TC_WALBUF_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#define TC_WALBUF_VFS "tc-walbuf"

/* Registers the VFS (not as the default); once, before it is named in
 * sqlite3_open_v2. 0, or an SQLite error code. */
int tc_walbuf_register(void);

/* Deferred syncs, for the server's writer, whose completer thread makes
 * each commit durable before anyone is told of it (db.c): while on, a
 * sync of a log on this thread only writes out what waits in the buffer
 * (so the frames are in the file before SQLite publishes them to
 * readers) and leaves the sync owed; the sync after the log's header
 * was written (the log starting over, or new) is made at once all the
 * same. The thread turns it on only around a COMMIT on a connection that
 * never checkpoints (wal_autocheckpoint=0): a checkpoint must find the
 * log durable before it copies frames into the database. */
void tc_walbuf_defer_syncs(bool on);

/* The sync owed for the log of h's main database, taken: a descriptor of
 * the log to fdatasync and close, -1 when nothing is owed (or when it had
 * to be synced here, having no descriptor to give), -2 when that sync
 * failed (errno says why). */
int tc_walbuf_owed(sqlite3 *h);

/* Writes handed to the log files opened through the VFS, and the writes
 * that reached the file system for them; the logs' syncs made, and those
 * left owed; since the process started. */
struct tc_walbuf_stats {
	uint64_t writes_in, writes_out, bytes;
	uint64_t syncs, syncs_owed;
};
void tc_walbuf_stats(struct tc_walbuf_stats *out);

#endif
