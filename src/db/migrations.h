/* The migrations this program carries, generated from sql/ at build time
 * by tools/embed_sql.c. Version N is the file NNNN_name.sql. */
#ifndef TC_MIGRATIONS_H
#define TC_MIGRATIONS_H

struct tc_migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct tc_migration tc_migrations_sqlite[];
extern const int tc_migrations_sqlite_count;
extern const struct tc_migration tc_migrations_postgresql[];
extern const int tc_migrations_postgresql_count;

#endif
