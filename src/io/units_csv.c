#include "units_csv.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "../core/arena.h"
#include "../core/jspec.h"
#include "../core/util.h"
#include "csv.h"

tc_err tc_read_file(const char *path, size_t max, struct tc_arena *a,
                    char **data, size_t *len, struct tc_fault *f)
{
	FILE *fp = fopen(path, "rb");
	long size;
	size_t got;

	if (fp == NULL)
		return tc_fault_setf(f, a, TC_ERR_IO, "file", "cannot open '%s': %s",
		                     path, strerror(errno));
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return tc_fault_setf(f, a, TC_ERR_IO, "file", "cannot read '%s'", path);
	}
	if ((size_t)size > max) {
		fclose(fp);
		return tc_fault_setf(f, a, TC_ERR_IO, "file", "'%s' is larger than %zu bytes",
		                     path, max);
	}
	*data = tc_arena_alloc(a, (size_t)size + 1);
	got = fread(*data, 1, (size_t)size, fp);
	fclose(fp);
	if (got != (size_t)size)
		return tc_fault_setf(f, a, TC_ERR_IO, "file", "short read of '%s'", path);
	(*data)[size] = '\0';
	*len = (size_t)size;
	return TC_ERR_OK;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

struct sheet {
	const char *file;
	int level; /* 1 province, 2 district, 3 commune */
	size_t code_len;
};

/* Finds a unit among those already read (parents come earlier). Linear
 * search would be quadratic over 11,000 rows, so parents are looked up in
 * a small open-addressing table. */
struct index {
	struct tc_unit **slots;
	size_t cap;
};

static size_t hash(const char *s)
{
	return (size_t)tc_fnv1a(TC_FNV_BASIS, s);
}

static void index_put(struct index *ix, struct tc_unit *u)
{
	size_t i = hash(u->code) & (ix->cap - 1);
	while (ix->slots[i])
		i = (i + 1) & (ix->cap - 1);
	ix->slots[i] = u;
}

static struct tc_unit *index_get(const struct index *ix, const char *code)
{
	size_t i = hash(code) & (ix->cap - 1);
	while (ix->slots[i]) {
		if (strcmp(ix->slots[i]->code, code) == 0)
			return ix->slots[i];
		i = (i + 1) & (ix->cap - 1);
	}
	return NULL;
}

static const char *const level_names[] = {"country", "province", "district",
                                          "commune"};

static tc_err parse_sheet(const struct sheet *sh, const char *text, size_t len,
                          struct tc_arena *a, struct index *ix,
                          struct tc_unit *units, size_t *n, size_t cap,
                          struct tc_fault *f)
{
	struct tc_csv r;
	int c_code, c_name, c_type, c_nwt, c_slug, c_parent = -1, c_pop = -1, c_cccd = -1, got;
	tc_err rc = TC_ERR_OK;

	tc_csv_init(&r, text, len);
	if (tc_csv_next(&r) != 1) {
		rc = tc_fault_setf(f, a, TC_ERR_IO, "file", "%s: no header row", sh->file);
		goto out;
	}
	c_code = tc_csv_column(&r, "code");
	c_name = tc_csv_column(&r, "name");
	c_type = tc_csv_column(&r, "type");
	c_nwt = tc_csv_column(&r, "name_with_type");
	c_slug = tc_csv_column(&r, "slug");
	if (sh->level > 1)
		c_parent = tc_csv_column(&r, "parent_code");
	else {
		c_pop = tc_csv_column(&r, "gso_avg_population_2020");
		c_cccd = tc_csv_column(&r, "cccd_code");
	}
	if (c_code < 0 || c_name < 0 || c_type < 0 || c_nwt < 0 || c_slug < 0 ||
	    (sh->level > 1 && c_parent < 0)) {
		rc = tc_fault_setf(f, a, TC_ERR_IO, "file",
		                   "%s: the header lacks one of code, name, type, "
		                   "name_with_type, slug%s",
		                   sh->file, sh->level > 1 ? ", parent_code" : "");
		goto out;
	}
	while ((got = tc_csv_next(&r)) == 1) {
		const struct tc_csv_field *fl = r.fields;
		struct tc_unit *u, *parent;
		int need = c_code;

		if (r.nfields == 1 && fl[0].n == 0)
			continue; /* blank line */
		int cols[] = {c_name, c_type, c_nwt, c_slug, c_parent, c_pop, c_cccd};
		for (size_t k = 0; k < TC_ARRAY_LEN(cols); k++)
			if (cols[k] > need)
				need = cols[k];
		if (r.nfields <= (size_t)need) {
			rc = tc_fault_setf(f, a, TC_ERR_IO, "file", "%s line %zu: %zu fields, "
			                   "expected at least %d", sh->file, r.line,
			                   r.nfields, need + 1);
			goto out;
		}
		if (fl[c_code].n != sh->code_len || !all_digits(fl[c_code].s, fl[c_code].n)) {
			rc = tc_fault_setf(f, a, TC_ERR_IO, "file",
			                   "%s line %zu: code must be %zu digits", sh->file,
			                   r.line, sh->code_len);
			goto out;
		}
		if (tc_utf8_check(fl[c_name].s, fl[c_name].n, false) <= 0 ||
		    tc_utf8_check(fl[c_nwt].s, fl[c_nwt].n, false) <= 0 ||
		    tc_utf8_check(fl[c_type].s, fl[c_type].n, false) <= 0 ||
		    tc_utf8_check(fl[c_slug].s, fl[c_slug].n, false) < 0) {
			rc = tc_fault_setf(f, a, TC_ERR_IO, "file",
			                   "%s line %zu: a name is empty or not UTF-8 text",
			                   sh->file, r.line);
			goto out;
		}
		parent = index_get(ix, sh->level == 1 ? "VN" : fl[c_parent].s);
		if (parent == NULL || strcmp(parent->level, level_names[sh->level - 1]) != 0) {
			rc = tc_fault_setf(f, a, TC_ERR_IO, "file",
			                   "%s line %zu: parent '%.10s' is not a known %s",
			                   sh->file, r.line,
			                   sh->level == 1 ? "VN" : fl[c_parent].s,
			                   level_names[sh->level - 1]);
			goto out;
		}
		if (index_get(ix, fl[c_code].s)) {
			rc = tc_fault_setf(f, a, TC_ERR_IO, "file",
			                   "%s line %zu: code %s appears twice", sh->file,
			                   r.line, fl[c_code].s);
			goto out;
		}
		if (*n == cap) {
			rc = tc_fault_setf(f, a, TC_ERR_IO, "file", "%s: too many rows",
			                   sh->file);
			goto out;
		}
		u = &units[(*n)++];
		u->code = tc_arena_strndup(a, fl[c_code].s, fl[c_code].n);
		u->level = level_names[sh->level];
		u->parent_code = parent->code;
		u->name = tc_arena_strndup(a, fl[c_name].s, fl[c_name].n);
		u->name_with_type = tc_arena_strndup(a, fl[c_nwt].s, fl[c_nwt].n);
		u->type = tc_arena_strndup(a, fl[c_type].s, fl[c_type].n);
		u->slug = tc_arena_strndup(a, fl[c_slug].s, fl[c_slug].n);
		u->population = -1;
		if (c_pop >= 0 && fl[c_pop].n > 0 &&
		    !tc_parse_i64(fl[c_pop].s, 0, 1000000000, &u->population)) {
			rc = tc_fault_setf(f, a, TC_ERR_IO, "file",
			                   "%s line %zu: population must be a whole number",
			                   sh->file, r.line);
			goto out;
		}
		u->cccd_code = NULL;
		if (c_cccd >= 0 && fl[c_cccd].n > 0) {
			if (fl[c_cccd].n != 3 || !all_digits(fl[c_cccd].s, 3) ||
			    strncmp(fl[c_cccd].s, "000", 3) == 0 || strncmp(fl[c_cccd].s, "097", 3) >= 0) {
				rc = tc_fault_setf(f, a, TC_ERR_IO, "file",
				                   "%s line %zu: cccd_code must be 3 digits in "
				                   "001..096", sh->file, r.line);
				goto out;
			}
			u->cccd_code = tc_arena_strndup(a, fl[c_cccd].s, 3);
		}
		u->path = tc_arena_printf(a, "%s/%s", parent->path, u->code);
		index_put(ix, u);
	}
	if (got < 0)
		rc = tc_fault_setf(f, a, TC_ERR_IO, "file", "%s line %zu: %s", sh->file,
		                   r.line, r.error);
out:
	tc_csv_cleanup(&r);
	return rc;
}

static size_t count_lines(const char *s, size_t n)
{
	size_t k = 1;
	/* the CSV reader also ends a row at a lone CR (old Mac exports) */
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'));
	return k;
}

tc_err tc_units_parse(const char *provinces, size_t np, const char *districts,
                      size_t nd, const char *wards, size_t nw, struct tc_arena *a,
                      struct tc_unit **out, size_t *n, struct tc_fault *f)
{
	static const struct sheet sheets[] = {
		{"provinces.csv", 1, 2}, {"districts.csv", 2, 3}, {"wards.csv", 3, 5}};
	const char *texts[] = {provinces, districts, wards};
	size_t lens[] = {np, nd, nw};
	size_t cap = 1 + count_lines(provinces, np) + count_lines(districts, nd) +
	             count_lines(wards, nw);
	struct tc_unit *units = TC_NEWN(a, struct tc_unit, cap);
	struct index ix;
	tc_err rc;

	ix.cap = 16;
	while (ix.cap < cap * 2)
		ix.cap *= 2;
	ix.slots = TC_NEWN(a, struct tc_unit *, ix.cap);
	*n = 0;
	units[0] = (struct tc_unit){.code = "VN", .level = "country",
	                            .parent_code = NULL, .name = "Việt Nam",
	                            .name_with_type = "Việt Nam", .type = "quoc-gia",
	                            .slug = "viet-nam", .population = 0, .path = "VN"};
	*n = 1;
	index_put(&ix, &units[0]);
	for (size_t i = 0; i < TC_ARRAY_LEN(sheets); i++) {
		rc = parse_sheet(&sheets[i], texts[i], lens[i], a, &ix, units, n, cap, f);
		if (rc != TC_ERR_OK)
			return rc;
	}
	/* The country's population is the sum of its provinces'. */
	for (size_t i = 1; i < *n; i++)
		if (strcmp(units[i].level, "province") == 0 && units[i].population > 0)
			units[0].population += units[i].population;
	if (units[0].population == 0)
		units[0].population = -1;
	*out = units;
	return TC_ERR_OK;
}

tc_err tc_units_load(const char *dir, struct tc_arena *a, struct tc_unit **out,
                     size_t *n, const char **sha256, struct tc_fault *f)
{
	static const char *const names[] = {"provinces.csv", "districts.csv",
	                                    "wards.csv"};
	char *data[3];
	size_t len[3];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char *hex;
	tc_err rc;

	for (int i = 0; i < 3; i++) {
		const char *path = tc_arena_printf(a, "%s/%s", dir, names[i]);
		rc = tc_read_file(path, 64u << 20, a, &data[i], &len[i], f);
		if (rc != TC_ERR_OK)
			return rc;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, data[0], len[0]) != 1 ||
	    EVP_DigestUpdate(ctx, data[1], len[1]) != 1 ||
	    EVP_DigestUpdate(ctx, data[2], len[2]) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1) {
		EVP_MD_CTX_free(ctx);
		return tc_fault_internal(f, TC_ERR_INTERNAL, "SHA-256 failed");
	}
	EVP_MD_CTX_free(ctx);
	hex = tc_arena_alloc(a, 2 * mdlen + 1);
	tc_hex(md, mdlen, hex);
	*sha256 = hex;
	return tc_units_parse(data[0], len[0], data[1], len[1], data[2], len[2], a,
	                      out, n, f);
}
