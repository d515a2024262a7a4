#ifndef WHEELHOUSE_CCURL_SHIM_H
#define WHEELHOUSE_CCURL_SHIM_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
   wrapper per argument kind. Everything else is called from Swift (OutboundHTTP.swift). */
static inline CURLcode wh_curl_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode wh_curl_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode wh_curl_write(CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode wh_curl_opensocket(CURL *h, curl_socket_t (*f)(void *, curlsocktype, struct curl_sockaddr *)) {
    return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, f);
}
static inline long wh_curl_response_code(CURL *h) {
    long code = 0;
    return curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK ? code : 0;
}
#endif
