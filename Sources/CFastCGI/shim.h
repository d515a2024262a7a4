#include <fcgiapp.h>
// The connection gate waits on sockets with epoll (not in Swift's Glibc module).
#include <sys/epoll.h>
