/* XLS (BIFF8 in a compound file) through libfreexl, which loads the whole
 * workbook at open: acceptable because BIFF sheets stop at 65,536 rows and
 * old lists are small. freexl reads only from a path, so a workbook given
 * in memory is written to a temporary file first. */
#include <errno.h>
#include <freexl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table_int.h"

struct xls {
	const void *h;
	unsigned rows;
	unsigned short cols;
	unsigned next_row; /* 0-based */
};

static void add_value(struct tc_table *t, const FreeXL_CellValue *v)
{
	char num[32];

	switch (v->type) {
	case FREEXL_CELL_INT:
		snprintf(num, sizeof(num), "%d", v->value.int_value);
		tc_table_cell_add(t, TC_CELL_NUMBER, num, strlen(num));
		break;
	case FREEXL_CELL_DOUBLE:
		tc_table_fmt_number(v->value.double_value, num);
		tc_table_cell_add(t, TC_CELL_NUMBER, num, strlen(num));
		break;
	case FREEXL_CELL_TEXT:
	case FREEXL_CELL_SST_TEXT:
	case FREEXL_CELL_DATE:
	case FREEXL_CELL_DATETIME:
	case FREEXL_CELL_TIME: {
		const char *s = v->value.text_value ? v->value.text_value : "";
		size_t n = strnlen(s, 4 * TC_TABLE_MAX_CELL_CHARS);
		enum tc_cell_kind kind =
		        v->type == FREEXL_CELL_DATE || v->type == FREEXL_CELL_DATETIME
		                ? TC_CELL_DATE
		                : TC_CELL_TEXT;
		if (!tc_table_cell_add_utf8(t, kind, s, n))
			tc_table_cell_add(t, TC_CELL_TEXT, "\xEF\xBF\xBD",
			                  3); /* freexl's bad text */
		break;
	}
	default: tc_table_cell_add(t, TC_CELL_EMPTY, "", 0); break;
	}
}

static int xls_next(struct tc_table *t)
{
	struct xls *x = t->impl;

	while (x->next_row < x->rows) {
		unsigned r = x->next_row++;
		t->progress = (double)x->next_row / (double)x->rows;
		tc_table_row_reset(t);
		for (unsigned short c = 0; c < x->cols; c++) {
			FreeXL_CellValue v;
			if (freexl_get_cell_value(x->h, r, c, &v) != FREEXL_OK)
				v.type = FREEXL_CELL_NULL;
			add_value(t, &v);
		}
		tc_table_row_trim(t);
		if (t->ncells > 0) {
			t->row = (long)r + 1;
			return 1;
		}
	}
	return 0;
}

static void xls_close(struct tc_table *t)
{
	struct xls *x = t->impl;
	if (x == NULL)
		return;
	if (x->h)
		freexl_close(x->h);
	free(x);
	t->impl = NULL;
}

/* A temporary copy of the workbook; the caller unlinks and frees the path. */
static char *temp_copy(const char *data, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd;

	if (asprintf(&path, "%s/tc-xls-XXXXXX", dir && *dir ? dir : "/tmp") < 0)
		tc_die("out of memory");
	fd = mkstemp(path);
	if (fd < 0) {
		free(path);
		return NULL;
	}
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(path);
			free(path);
			return NULL;
		}
		data += w;
		len -= (size_t)w;
	}
	close(fd);
	return path;
}

tc_err tc_table_open_xls(struct tc_table *t, const char *path, struct tc_arena *a,
                         struct tc_fault *f)
{
	struct xls *x = tc_xcalloc(1, sizeof(*x));
	char *tmp = NULL;
	int rc;

	t->impl = x;
	t->close = xls_close;
	t->next = xls_next;
	if (path == NULL) {
		tmp = temp_copy(t->data, t->len);
		if (tmp == NULL)
			return tc_fault_setf(f, a, TC_ERR_IO, "file",
			                     "xls: cannot write a temporary copy: %s",
			                     strerror(errno));
		path = tmp;
	}
	rc = freexl_open(path, &x->h);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	if (rc != FREEXL_OK)
		return tc_fault_setf(
		        f, a, TC_ERR_INVALID_FIELD, "file",
		        "xls: not a readable Excel 97-2003 workbook (freexl error %d)",
		        rc);
	if (freexl_select_active_worksheet(x->h, 0) != FREEXL_OK ||
	    freexl_worksheet_dimensions(x->h, &x->rows, &x->cols) != FREEXL_OK)
		return tc_fault_set(f, TC_ERR_INVALID_FIELD, "file",
		                    "xls: the workbook has no readable sheet");
	return TC_ERR_OK;
}
