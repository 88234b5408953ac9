/* Idempotency answers packed with zstd (idem_pack.h). */
#include "idem_pack.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define PREFIX       "z1:"
#define PREFIX_LEN   3
/* zstd's fast mode: with literals left as they are, a 1.6 KB answer
 * packs in about 2 us (level 1, whose Huffman tables for the literals
 * save a few bytes more, took 3.5 to 5) */
#define LEVEL        (-1)
#define B64          sodium_base64_VARIANT_ORIGINAL_NO_PADDING
/* an answer is one object: far below this; a damaged frame claiming more
 * is refused rather than allocated */
#define MAX_UNPACKED (16u << 20)

/* The dictionary of "z1": what answers have in common, a vaccinated
 * visit (every field of a visit's answer, the screening and the dose).
 * Rows packed with it live as long as their keys (a day): a better
 * dictionary is "z2", and this one stays until the last "z1" row is
 * purged. */
static const char dict_v1[] =
        "{\"visit\":{\"id\":1000000080002,\"citizen_id\":1000042,"
        "\"full_name\":\"Nguyễn Thị Thu Hà\",\"birth_date\":\"1961-05-14\","
        "\"gender\":\"female\",\"site_id\":4,\"session_id\":17,"
        "\"registration_id\":null,\"day\":\"2026-12-02\",\"walk_in\":false,"
        "\"status\":\"vaccinated\",\"screening\":{\"product\":\"EU/1/20/1528\","
        "\"outcome\":\"eligible\",\"reasons\":[],\"postpone_until\":null,"
        "\"caution\":false,\"observe_minutes\":30,\"temperature\":36.5,"
        "\"systolic\":118,\"diastolic\":76,\"pulse\":80,\"guardian_consent\":false,"
        "\"guardian_name\":null,\"answers\":{\"anaphylaxis_same_vaccine\":false,"
        "\"severe_reaction_previous_dose\":false,\"covid19_recent\":false,"
        "\"acute_illness\":false,\"chronic_progressing\":false,"
        "\"other_vaccine_14d\":false,\"pregnant_lt13w\":false,"
        "\"pregnant_ge13w\":false,\"anaphylaxis_grade3_other\":false,"
        "\"immunosuppression_severe\":false,\"allergy_any\":false,"
        "\"bleeding_disorder\":false,\"consciousness_behaviour\":false}},"
        "\"dose\":{\"id\":377443725008896,\"citizen_id\":1000042,"
        "\"full_name\":\"Nguyễn Thị Thu Hà\",\"product\":\"EU/1/20/1528\","
        "\"product_name\":\"Comirnaty\",\"lot_id\":12,\"lot_number\":\"FK8891\","
        "\"given_on\":\"2026-12-02\",\"given_at\":\"2026-12-02T09:15:26.926775Z\","
        "\"kind\":\"primary\",\"number\":2,\"site_id\":4,"
        "\"site_name\":\"Trạm Y tế phường Phúc Xá\",\"place\":null,"
        "\"visit_id\":1000000080002,\"source\":\"site\",\"source_ref\":null,"
        "\"status\":\"valid\",\"flags\":[],\"override_reason\":null,"
        "\"review\":\"none\",\"replaces_id\":null,\"void_reason\":null,"
        "\"voided_at\":null,\"created_at\":\"2026-12-02T09:15:26.926775Z\","
        "\"version\":1},\"injected_at\":\"2026-12-02T09:15:26.926775Z\","
        "\"observe_until\":\"2026-12-02T09:45:26.926775Z\","
        "\"observe_seconds_left\":1800,\"observe_minutes\":30,\"reason\":null,"
        "\"completed_at\":null,\"created_at\":\"2026-12-02T08:50:43.701059Z\","
        "\"version\":2}}";

static pthread_once_t dict_once = PTHREAD_ONCE_INIT;
static ZSTD_CDict *cdict;
static ZSTD_DDict *ddict;
static pthread_key_t packer_key;

/* A thread's means of packing and unpacking, kept between answers: the
 * database's helper thread packs most of them, the writers the rest and
 * the replays, and a frame written into the request's arena cost more
 * than the packing itself (a new block of the arena, fresh pages). */
struct packer {
	ZSTD_CCtx *cctx;
	ZSTD_DCtx *dctx;
	struct tc_buf frame;
};

static void free_packer(void *p)
{
	struct packer *pk = p;
	ZSTD_freeCCtx(pk->cctx);
	ZSTD_freeDCtx(pk->dctx);
	tc_buf_cleanup(&pk->frame);
	free(pk);
}

static void dict_init(void)
{
	cdict = ZSTD_createCDict(dict_v1, sizeof dict_v1 - 1, LEVEL);
	ddict = ZSTD_createDDict(dict_v1, sizeof dict_v1 - 1);
	if (cdict == NULL || ddict == NULL ||
	    pthread_key_create(&packer_key, free_packer) != 0)
		tc_die("idempotency answers: cannot set up zstd");
}

static struct packer *thread_packer(void)
{
	struct packer *pk = pthread_getspecific(packer_key);

	if (pk == NULL) {
		pk = tc_xcalloc(1, sizeof *pk);
		tc_buf_init(&pk->frame);
		/* the dictionary and the parameters hold for every frame after;
		 * the checksum (4 bytes) tells a damaged answer from another */
		if ((pk->cctx = ZSTD_createCCtx()) == NULL ||
		    (pk->dctx = ZSTD_createDCtx()) == NULL ||
		    ZSTD_isError(ZSTD_CCtx_refCDict(pk->cctx, cdict)) ||
		    ZSTD_isError(
		            ZSTD_CCtx_setParameter(pk->cctx, ZSTD_c_checksumFlag, 1)) ||
		    pthread_setspecific(packer_key, pk) != 0)
			tc_die("idempotency answers: cannot set up zstd");
	}
	return pk;
}

const char *tc_idem_pack(const char *body, size_t len, struct tc_arena *a)
{
	struct packer *pk;
	size_t cap, n, b64;
	char *out;

	if (len < 64)
		return NULL;
	pthread_once(&dict_once, dict_init);
	pk = thread_packer();
	cap = ZSTD_compressBound(len);
	tc_buf_reset(&pk->frame);
	tc_buf_reserve(&pk->frame, cap);
	n = ZSTD_compress2(pk->cctx, pk->frame.data, cap, body, len);
	if (ZSTD_isError(n))
		return NULL;
	b64 = sodium_base64_ENCODED_LEN(n, B64); /* with its NUL */
	if (PREFIX_LEN + b64 - 1 >= len)
		return NULL;
	out = tc_arena_alloc(a, PREFIX_LEN + b64);
	memcpy(out, PREFIX, PREFIX_LEN);
	sodium_bin2base64(out + PREFIX_LEN, b64, (const unsigned char *)pk->frame.data, n,
	                  B64);
	return out;
}

bool tc_idem_unpack(const char *stored, struct tc_buf *out)
{
	size_t slen = strlen(stored), cap, n, got;
	unsigned long long size;
	struct packer *pk;
	unsigned char *frame;
	bool ok = false;

	if (strncmp(stored, PREFIX, PREFIX_LEN) != 0) {
		tc_buf_append(out, stored, slen);
		return true;
	}
	pthread_once(&dict_once, dict_init);
	pk = thread_packer();
	cap = (slen - PREFIX_LEN) / 4 * 3 + 3;
	frame = tc_xmalloc(cap);
	if (sodium_base642bin(frame, cap, stored + PREFIX_LEN, slen - PREFIX_LEN, NULL,
	                      &n, NULL, B64) != 0)
		goto done;
	/* exactly one frame, with its content: a skippable or empty frame,
	 * or bytes after it, are not an answer this program packed */
	size = ZSTD_getFrameContentSize(frame, n);
	if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ||
	    size == 0 || size > MAX_UNPACKED ||
	    ZSTD_findFrameCompressedSize(frame, n) != n)
		goto done;
	tc_buf_reserve(out, (size_t)size);
	got = ZSTD_decompress_usingDDict(pk->dctx, out->data + out->len, (size_t)size,
	                                 frame, n, ddict);
	if (!ZSTD_isError(got) && got == size) {
		out->len += got;
		out->data[out->len] = '\0';
		ok = true;
	} else if (out->data) {
		out->data[out->len] = '\0';
	}
done:
	free(frame);
	return ok;
}
