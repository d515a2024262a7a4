/* The floor for `make bench`: the least a libfcgi responder can do per request. Each thread
 * accepts one connection at a time and answers every request with the same 8 KB HTML page,
 * built once at start-up. No parsing, no database, no templates.
 *
 * usage: reference THREADS SOCKET_PATH
 * build: gcc -O2 -o reference reference.c -lfcgi -lpthread
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BODY_SIZE 8192

static int listen_fd;
static char page[BODY_SIZE + 256];
static int page_len;

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_fd, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutStr(page, page_len, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3 || atoi(argv[1]) < 1) {
        fprintf(stderr, "usage: %s THREADS SOCKET_PATH\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[1]);
    const char *path = argv[2];

    /* Headers, then a body of exactly BODY_SIZE bytes: an HTML shell padded with list items. */
    int head = snprintf(page, sizeof page,
                        "Status: 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                        "Content-Length: %d\r\n\r\n", BODY_SIZE);
    const char *open = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<title>Reference</title></head><body><ul>\n";
    const char *item = "<li>A fixed line of text from the C reference responder.</li>\n";
    const char *close = "</ul></body></html>\n";
    char *p = page + head, *end = p + BODY_SIZE - strlen(close);
    p += sprintf(p, "%s", open);
    while (p + strlen(item) <= end) p += sprintf(p, "%s", item);
    memset(p, ' ', end - p);
    memcpy(end, close, strlen(close));
    page_len = head + BODY_SIZE;

    /* libfcgi's own SIGTERM handler only sets a flag that a thread blocked in accept never sees:
     * block the stop signals in every thread and wait for them here instead. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (FCGX_Init() != 0) { fprintf(stderr, "FCGX_Init failed\n"); return 1; }
    unlink(path);
    listen_fd = FCGX_OpenSocket(path, 1024);
    if (listen_fd < 0) { perror(path); return 1; }
    chmod(path, 0666); /* nginx's workers may run as another user */

    pthread_t id;
    for (int i = 0; i < threads; i++) pthread_create(&id, NULL, serve, NULL);
    int received;
    sigwait(&stop, &received);
    unlink(path);
    return 0; /* exit() ends the threads still blocked in accept */
}
