#ifndef WHEELHOUSE_CRESOLV_SHIM_H
#define WHEELHOUSE_CRESOLV_SHIM_H

#include <arpa/inet.h>
#include <netdb.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>

/* TXT lookups for domain verification (SSO/DNSLookup.swift only), through libresolv: res_nquery
   on a private resolver state (thread-safe, no global _res), optionally pointed at one IPv4
   nameserver (WHEELHOUSE_DNS_RESOLVER), answers walked with ns_initparse / ns_parserr.
   Each TXT record's strings are concatenated and written to `out`, one record per line; control
   bytes inside a record become '?', so a line break always separates records.
   Returns the number of TXT records (0: the name exists without TXT), or:
     -1 the name does not exist (NXDOMAIN), -2 no answer (time-out, server failure, refused),
     -3 the answer could not be parsed, -4 bad arguments or the resolver could not start. */
static inline int wh_txt_lookup(const char *name, const char *server, int port, int timeout_seconds,
                                char *out, size_t out_len) {
    if (!name || !out || out_len == 0) return -4;
    out[0] = 0;
    struct __res_state state;
    memset(&state, 0, sizeof state);
    if (res_ninit(&state) != 0) return -4;
    if (server) {
        struct in_addr address;
        if (inet_pton(AF_INET, server, &address) != 1) { res_nclose(&state); return -4; }
        state.nscount = 1;
        state.nsaddr_list[0].sin_family = AF_INET;
        state.nsaddr_list[0].sin_addr = address;
        state.nsaddr_list[0].sin_port = htons((unsigned short)port);
    }
    state.retrans = timeout_seconds > 0 ? timeout_seconds : 2;
    state.retry = 2;
    unsigned char answer[8192];
    int length = res_nquery(&state, name, ns_c_in, ns_t_txt, answer, sizeof answer);
    int h_error = state.res_h_errno;
    res_nclose(&state);
    if (length < 0) return h_error == HOST_NOT_FOUND ? -1 : (h_error == NO_DATA ? 0 : -2);
    ns_msg message;
    if (ns_initparse(answer, length, &message) != 0) return -3;
    int count = 0;
    size_t used = 0;
    for (int i = 0; i < ns_msg_count(message, ns_s_an); i++) {
        ns_rr record;
        if (ns_parserr(&message, ns_s_an, i, &record) != 0) return -3;
        if (ns_rr_type(record) != ns_t_txt) continue;
        const unsigned char *data = ns_rr_rdata(record);
        int left = ns_rr_rdlen(record);
        if (count > 0 && used + 1 < out_len) out[used++] = '\n';
        while (left > 0) {
            int piece = data[0];
            if (piece + 1 > left) return -3;
            for (int j = 1; j <= piece && used + 1 < out_len; j++) {
                unsigned char c = data[j];
                out[used++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
            }
            data += piece + 1;
            left -= piece + 1;
        }
        count++;
    }
    out[used] = 0;
    return count;
}

#endif
