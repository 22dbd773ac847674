/*
 * client: the kernel-cost reference for a TCP load generator, bench/compare's
 * `c-client` (what `upcase bench` is compared against in -mode=clients).
 *
 * The contract of loadgen/ and `upcase bench --json`:
 *
 *   client --json --addr=host:port --conns=N --size=B --duration=D --pipeline=P
 *
 * prints one JSON object: messages, sent, msgs_per_sec, mb_per_sec, p50_us,
 * p99_us, p999_us, max_us, errors, mismatches, seconds.
 *
 * One thread, one level-triggered epoll loop, non-blocking sockets with
 * TCP_NODELAY, all opened (blocking connect, 5 s bound each) before the
 * clock starts. Each connection keeps P messages of B bytes in flight
 * (closed loop: a new one goes out as soon as a reply is complete), all
 * queued messages in one write. A connection's messages are consecutive
 * slices of a pattern of mixed lowercase and other bytes (hist.h), so no two
 * in a row are alike, and every reply byte is compared with the pattern
 * upper-cased, a memcmp per message. A message's latency runs from just
 * before the write that carries it to the read that brings its reply's last
 * byte, and goes into a fixed log-linear histogram. After D no new message
 * is sent; the replies in flight are awaited for at most 10 s.
 *
 * Build: gcc -O2 -o client client.c
 */
#define _GNU_SOURCE
#include "hist.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUF (64 * 1024)
#define MAX_EVENTS 1024
#define DRAIN_NS 10000000000LL

struct conn {
	int fd;          /* -1 once closed */
	int bad;         /* the reply being read has a wrong byte */
	int want_out;    /* EPOLLOUT is in the interest set */
	uint64_t base;   /* where in the pattern this connection's stream starts */
	uint64_t q, r;   /* messages queued (written or to write), replies complete */
	uint64_t wbytes; /* bytes written */
	uint64_t rbytes; /* reply bytes read */
	int64_t *ts;     /* ring of P send times, message m at ts[m % P] */
};

static struct opts o;
static struct hist h;
static unsigned char *pat, *up;
static unsigned char rbuf[READ_BUF];
static int epfd, running = 1, active;
static int64_t stop_at, last_reply;
static uint64_t messages, errors, mismatches;

static void finish(struct conn *c, int failed)
{
	if (c->fd < 0)
		return;
	if (failed)
		errors++;
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	active--;
}

static void interest(struct conn *c, int out)
{
	if (c->want_out == out)
		return;
	struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
		finish(c, 1);
		return;
	}
	c->want_out = out;
}

/* flush writes what is queued; a short write waits for EPOLLOUT. */
static void flush(struct conn *c)
{
	uint64_t end = c->q * (uint64_t)o.size;
	while (c->fd >= 0 && c->wbytes < end) {
		ssize_t n = write(c->fd, pat + (c->base + c->wbytes) % PAT_LEN, end - c->wbytes);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				interest(c, 1);
				return;
			}
			finish(c, 1);
			return;
		}
		c->wbytes += (uint64_t)n;
	}
	if (c->fd >= 0)
		interest(c, 0);
}

/* refill queues messages up to P in flight, stamped t, and writes them;
 * after the end it closes a connection with nothing in flight. */
static void refill(struct conn *c, int64_t t)
{
	if (t >= stop_at)
		running = 0;
	if (running) {
		while (c->q - c->r < (uint64_t)o.pipeline)
			c->ts[c->q++ % (uint64_t)o.pipeline] = t;
		flush(c);
	} else if (c->q == c->r) {
		finish(c, 0);
	}
}

static void on_readable(struct conn *c)
{
	ssize_t n = read(c->fd, rbuf, sizeof(rbuf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) { /* EOF or reset with replies outstanding */
		finish(c, 1);
		return;
	}
	int64_t t = now_ns();
	uint64_t size = (uint64_t)o.size;
	for (size_t i = 0; i < (size_t)n;) {
		uint64_t in_msg = c->rbytes % size;
		size_t seg = (size_t)(size - in_msg);
		if (seg > (size_t)n - i)
			seg = (size_t)n - i;
		if (c->rbytes + seg > c->q * size) { /* more bytes than were sent */
			mismatches++;
			finish(c, 1);
			return;
		}
		if (memcmp(rbuf + i, up + (c->base + c->rbytes) % PAT_LEN, seg) != 0)
			c->bad = 1;
		i += seg;
		c->rbytes += seg;
		if (c->rbytes % size == 0) {
			hist_record(&h, t - c->ts[c->r % (uint64_t)o.pipeline]);
			c->r++;
			messages++;
			if (c->bad)
				mismatches++;
			c->bad = 0;
			last_reply = t;
		}
	}
	refill(c, now_ns());
}

static int dial(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)); /* bounds connect */
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

int main(int argc, char **argv)
{
	if (parse_opts(argc, argv, &o, 4096))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(o.port))};
	if (inet_pton(AF_INET, o.host, &sa.sin_addr) != 1) {
		fprintf(stderr, "client: bad IPv4 address %s\n", o.host);
		return 2;
	}
	size_t patn = PAT_LEN + (size_t)o.pipeline * (size_t)o.size + READ_BUF;
	pat = malloc(patn);
	up = malloc(patn);
	struct conn *cs = calloc((size_t)o.conns, sizeof(*cs));
	int64_t *ts = calloc((size_t)o.conns * (size_t)o.pipeline, sizeof(*ts));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!pat || !up || !cs || !ts || epfd < 0) {
		perror("client: setting up");
		return 1;
	}
	make_pattern(pat, up, patn);

	for (int i = 0; i < o.conns; i++) {
		struct conn *c = &cs[i];
		c->fd = dial(&sa);
		if (c->fd < 0) {
			fprintf(stderr, "client: opening connection %d of %d to %s:%s: %s\n", i + 1, o.conns, o.host,
				o.port, strerror(errno));
			return 1;
		}
		c->base = (uint64_t)i * 977;
		c->ts = ts + (size_t)i * (size_t)o.pipeline;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
			perror("client: epoll_ctl");
			return 1;
		}
		active++;
	}

	int64_t start = now_ns();
	stop_at = start + o.duration_ns;
	uint64_t sent = 0;
	for (int i = 0; i < o.conns; i++)
		refill(&cs[i], now_ns());
	struct epoll_event evs[MAX_EVENTS];
	int64_t t = start;
	while (active > 0) {
		t = now_ns();
		if (t >= stop_at)
			running = 0;
		int64_t until = running ? stop_at : stop_at + DRAIN_NS;
		if (!running && t >= until)
			break;
		int n = epoll_wait(epfd, evs, MAX_EVENTS, (int)((until - t) / 1000000) + 1);
		if (n < 0 && errno != EINTR) {
			perror("client: epoll_wait");
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c->fd >= 0 && (evs[i].events & EPOLLOUT))
				flush(c);
			if (c->fd >= 0 && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				on_readable(c);
		}
		if (!running) /* connections idle since the end had no event: close them */
			for (int i = 0; i < o.conns && n == 0; i++)
				if (cs[i].fd >= 0 && cs[i].q == cs[i].r)
					finish(&cs[i], 0);
	}
	int64_t end = t < stop_at ? t : stop_at;
	if (last_reply > end)
		end = last_reply;
	for (int i = 0; i < o.conns; i++) {
		sent += cs[i].q;
		finish(&cs[i], cs[i].fd >= 0); /* still waiting after the drain: an error */
	}
	print_json(&h, messages, sent, o.size, (double)(end - start) / 1e9, errors, mismatches, -1, 0);
	return 0;
}
