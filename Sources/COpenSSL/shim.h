#ifndef WHEELHOUSE_COPENSSL_SHIM_H
#define WHEELHOUSE_COPENSSL_SHIM_H

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

/* The Swift side calls these few functions; the EVP context juggling and the GCM control
   codes stay here, where C's macros are at home. Each returns 1 on success, 0 on failure. */

/* AES-256-GCM with a 12-byte nonce and a 16-byte tag. */
static inline int wh_aes256gcm_seal(const unsigned char *key, const unsigned char *nonce,
                                    const unsigned char *aad, int aad_len,
                                    const unsigned char *plain, int plain_len,
                                    unsigned char *cipher_out, unsigned char *tag_out) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int ok = ctx != NULL, len = 0;
    ok = ok && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1;
    ok = ok && EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1;
    ok = ok && (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &len, aad, aad_len) == 1);
    ok = ok && (plain_len == 0 || EVP_EncryptUpdate(ctx, cipher_out, &len, plain, plain_len) == 1);
    ok = ok && EVP_EncryptFinal_ex(ctx, cipher_out + (plain_len == 0 ? 0 : len), &len) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag_out) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static inline int wh_aes256gcm_open(const unsigned char *key, const unsigned char *nonce,
                                    const unsigned char *aad, int aad_len,
                                    const unsigned char *cipher, int cipher_len,
                                    const unsigned char *tag, unsigned char *plain_out) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int ok = ctx != NULL, len = 0;
    ok = ok && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1;
    ok = ok && EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) == 1;
    ok = ok && (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &len, aad, aad_len) == 1);
    ok = ok && (cipher_len == 0 || EVP_DecryptUpdate(ctx, plain_out, &len, cipher, cipher_len) == 1);
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1;
    ok = ok && EVP_DecryptFinal_ex(ctx, plain_out + (cipher_len == 0 ? 0 : len), &len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* scrypt: OpenSSL's default memory cap (32 MiB) is below what N = 2^15, r = 8 needs. */
static inline int wh_scrypt(const char *password, size_t password_len,
                            const unsigned char *salt, size_t salt_len,
                            uint64_t n, uint64_t r, uint64_t p,
                            unsigned char *out, size_t out_len) {
    return EVP_PBE_scrypt(password, password_len, salt, salt_len, n, r, p,
                          64 * 1024 * 1024, out, out_len);
}

static inline int wh_hmac_sha256(const unsigned char *key, int key_len,
                                 const unsigned char *data, size_t data_len,
                                 unsigned char *out32) {
    unsigned int len = 32;
    return HMAC(EVP_sha256(), key, key_len, data, data_len, out32, &len) != NULL;
}

#endif
