#include "secret.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../core/util.h"

static char burn_hash[TC_PWHASH_LEN];

int tc_secret_init(void)
{
	if (sodium_init() < 0)
		return -1;
	if (tc_password_hash("tiemchung: a password nobody has", burn_hash) != 0)
		return -1;
	return 0;
}

void tc_token_new(char out[TC_TOKEN_LEN + 1])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, TC_TOKEN_LEN + 1, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void tc_otp_new(char out[7])
{
	uint32_t v = randombytes_uniform(1000000);
	snprintf(out, 7, "%06u", (unsigned)v);
}

void tc_random_hex(size_t n, char *out)
{
	unsigned char raw[64];

	while (n > 0) {
		size_t k = n < sizeof(raw) ? n : sizeof(raw);
		randombytes_buf(raw, k);
		sodium_bin2hex(out, 2 * k + 1, raw, k);
		out += 2 * k;
		n -= k;
	}
	sodium_memzero(raw, sizeof(raw));
}

bool tc_secret_equal(const char *a, const char *b)
{
	size_t n = strlen(a);
	return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

bool tc_token_wellformed(const char *s)
{
	size_t i;

	for (i = 0; s[i] && i <= TC_TOKEN_LEN; i++) {
		char ch = s[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
	}
	return i == TC_TOKEN_LEN && s[i] == '\0';
}

/* SHA-256 fetched once: EVP_sha256() makes OpenSSL 3 look the
 * algorithm up among its providers at every use, under a lock the HTTP
 * threads share (0.2 us of a 0.33 us digest of a token). */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	if (sha256_md == NULL)
		tc_die("SHA-256 is not available");
	return sha256_md;
}

void tc_sha256_hex(const void *p, size_t n, char out[TC_SHA256_HEX])
{
	unsigned char md[32];
	unsigned len = 0;

	if (EVP_Digest(p, n, md, &len, sha256(), NULL) != 1 || len != 32)
		tc_die("SHA-256 failed");
	tc_hex(md, 32, out);
}

int tc_password_hash(const char *password, char out[TC_PWHASH_LEN])
{
	_Static_assert(TC_PWHASH_LEN == crypto_pwhash_STRBYTES, "pwhash size");
	return crypto_pwhash_str_alg(out, password, strlen(password),
	                             crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                             crypto_pwhash_MEMLIMIT_INTERACTIVE,
	                             crypto_pwhash_ALG_ARGON2ID13);
}

bool tc_password_verify(const char *hash, const char *password)
{
	return hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void tc_password_burn(const char *password)
{
	if (crypto_pwhash_str_verify(burn_hash, password, strlen(password)) == 0)
		return; /* cannot happen: nobody knows that password */
}

void tc_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

struct tc_sha256 *tc_sha256_begin(void)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, sha256(), NULL) != 1)
		tc_die("SHA-256 is not available");
	return (struct tc_sha256 *)ctx;
}

void tc_sha256_update(struct tc_sha256 *h, const void *p, size_t n)
{
	if (EVP_DigestUpdate((EVP_MD_CTX *)h, p, n) != 1)
		tc_die("SHA-256 failed");
}

void tc_sha256_end(struct tc_sha256 *h, char out[TC_SHA256_HEX])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_DigestFinal_ex((EVP_MD_CTX *)h, md, &n);
	EVP_MD_CTX_free((EVP_MD_CTX *)h);
	tc_hex(md, 32, out);
}
