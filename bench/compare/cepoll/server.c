/*
 * cepoll: the kernel-cost reference for bench/compare.
 *
 * A minimal single-threaded upper-casing TCP server: one level-triggered
 * epoll loop, one shared 64 KiB buffer, non-blocking accept4/read/write.
 * Every byte read is answered with the same byte upper-cased (a-z to A-Z,
 * everything else unchanged). A short write parks the rest in a
 * per-connection pending buffer and the connection waits for EPOLLOUT
 * without reading more. On EOF (the client half-closed) nothing is pending,
 * since a connection is only read when its pending buffer is empty, so the
 * server closes its side.
 *
 * Usage: cepoll [host] port      (host defaults to 127.0.0.1)
 * Build: gcc -O2 -o cepoll server.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
#define MAX_EVENTS 256

struct pending {
	char *data;  /* malloc'd rest of a short write, NULL when none */
	size_t len;  /* bytes in data */
	size_t off;  /* bytes of data already written */
};

static struct pending *conns; /* indexed by fd */
static size_t nconns;
static int epfd;
static char buf[BUF_SIZE];

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static struct pending *conn_slot(int fd)
{
	if ((size_t)fd >= nconns) {
		size_t n = nconns ? nconns : 1024;
		while (n <= (size_t)fd)
			n *= 2;
		struct pending *p = realloc(conns, n * sizeof(*p));
		if (!p)
			die("realloc");
		memset(p + nconns, 0, (n - nconns) * sizeof(*p));
		conns = p;
		nconns = n;
	}
	return &conns[fd];
}

static void close_conn(int fd)
{
	struct pending *p = conn_slot(fd);
	free(p->data);
	p->data = NULL;
	p->len = p->off = 0;
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
}

static void set_interest(int fd, unsigned int events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		close_conn(fd);
}

static void upper(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 'a' && p[i] <= 'z')
			p[i] -= 'a' - 'A';
}

static void accept_all(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				perror("accept4"); /* EMFILE etc.: retried on the next event */
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		conn_slot(fd);
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			perror("epoll_ctl add");
			close(fd);
		}
	}
}

/* Writes what is pending; returns 1 when all is out, 0 when it must wait, -1
 * on error (the connection is closed). */
static int flush_pending(int fd, struct pending *p)
{
	while (p->off < p->len) {
		ssize_t n = write(fd, p->data + p->off, p->len - p->off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			close_conn(fd);
			return -1;
		}
		p->off += (size_t)n;
	}
	free(p->data);
	p->data = NULL;
	p->len = p->off = 0;
	return 1;
}

static void on_readable(int fd)
{
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		close_conn(fd);
		return;
	}
	if (n == 0) { /* EOF: nothing is pending while we read, so close */
		close_conn(fd);
		return;
	}
	upper(buf, (size_t)n);
	size_t off = 0;
	while (off < (size_t)n) {
		ssize_t w = write(fd, buf + off, (size_t)n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			close_conn(fd);
			return;
		}
		off += (size_t)w;
	}
	if (off < (size_t)n) {
		struct pending *p = conn_slot(fd);
		p->len = (size_t)n - off;
		p->off = 0;
		p->data = malloc(p->len);
		if (!p->data)
			die("malloc");
		memcpy(p->data, buf + off, p->len);
		set_interest(fd, EPOLLOUT); /* stop reading until it is out */
	}
}

static void on_writable(int fd)
{
	struct pending *p = conn_slot(fd);
	if (flush_pending(fd, p) == 1)
		set_interest(fd, EPOLLIN);
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1";
	const char *port;
	if (argc == 2) {
		port = argv[1];
	} else if (argc == 3) {
		host = argv[1];
		port = argv[2];
	} else {
		fprintf(stderr, "usage: %s [host] port\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port))};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "bad IPv4 address %s\n", host);
		return 2;
	}
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (listen(lfd, SOMAXCONN) < 0)
		die("listen");

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1");
	struct epoll_event lev = {.events = EPOLLIN, .data.fd = lfd};
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev) < 0)
		die("epoll_ctl listen");
	printf("cepoll listening on %s:%s\n", host, port);
	fflush(stdout);

	struct epoll_event events[MAX_EVENTS];
	for (;;) {
		int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			uint32_t ev = events[i].events;
			if (fd == lfd) {
				accept_all(lfd);
				continue;
			}
			/* A connection waits either for EPOLLIN or for EPOLLOUT, never
			 * both; errors and hangups are seen by the read or write. */
			if (conn_slot(fd)->data)
				on_writable(fd);
			else if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
				on_readable(fd);
		}
	}
}
