#include "err.h"

#include <stdarg.h>
#include <stddef.h>

#include "arena.h"

static const unsigned statuses[] = {
#define TC_ERR(name, status, code, msg) status,
#include "err.def"
#undef TC_ERR
};
static const char *const codes[] = {
#define TC_ERR(name, status, code, msg) code,
#include "err.def"
#undef TC_ERR
};
static const char *const messages[] = {
#define TC_ERR(name, status, code, msg) msg,
#include "err.def"
#undef TC_ERR
};

unsigned tc_err_status(tc_err e)
{
	return (unsigned)e < TC_ERR__COUNT ? statuses[e] : 500;
}

const char *tc_err_code(tc_err e)
{
	return (unsigned)e < TC_ERR__COUNT ? codes[e] : "internal_error";
}

const char *tc_err_message(tc_err e)
{
	return (unsigned)e < TC_ERR__COUNT ? messages[e] : "internal error";
}

tc_err tc_fault_set(struct tc_fault *f, tc_err code, const char *field,
                    const char *message)
{
	if (f) {
		f->code = code;
		f->field = field;
		f->message = message;
		f->file = NULL;
		f->line = 0;
		f->existing_id = 0;
		f->reason = NULL;
		f->earliest = NULL;
	}
	return code;
}

tc_err tc_fault_setf(struct tc_fault *f, struct tc_arena *a, tc_err code,
                     const char *field, const char *fmt, ...)
{
	va_list ap;
	const char *msg;

	va_start(ap, fmt);
	msg = tc_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return tc_fault_set(f, code, field, msg);
}

tc_err tc_fault_internal_at(struct tc_fault *f, tc_err code, const char *why,
                            const char *file, int line)
{
	if (f) {
		f->code = code;
		f->field = NULL;
		f->message = why;
		f->file = file;
		f->line = line;
		f->existing_id = 0;
		f->reason = NULL;
		f->earliest = NULL;
	}
	return code;
}

void tc_fault_clear(struct tc_fault *f)
{
	tc_fault_set(f, TC_ERR_OK, NULL, NULL);
}
