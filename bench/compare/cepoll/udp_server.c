/*
 * udp_server: the kernel-cost reference for a UDP upper-casing server,
 * bench/compare's `c-udp-mmsg`: every datagram is answered by one datagram,
 * the same bytes upper-cased (a-z to A-Z, all else unchanged), sent to its
 * sender.
 *
 * One thread, one blocking socket, batches of up to 64: recvmmsg with
 * MSG_WAITFORONE sleeps until one datagram is there and then takes all that
 * are queued (up to 64) in one call; one sendmmsg answers them all. Asks for
 * a 4 MiB receive buffer (the kernel caps it at net.core.rmem_max), so that
 * bursts from many senders are less often dropped.
 *
 * Usage: udp_server [host] port      (host defaults to 127.0.0.1)
 * Build: gcc -O2 -o udp_server udp_server.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define DGRAM_MAX 65536

static unsigned char bufs[BATCH][DGRAM_MAX];
static struct sockaddr_in peers[BATCH];
static struct iovec iov[BATCH];
static struct mmsghdr msgs[BATCH];

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void upper(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 'a' && p[i] <= 'z')
			p[i] -= 'a' - 'A';
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
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port))};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "bad IPv4 address %s\n", host);
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	int rcvbuf = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	printf("udp_server listening on %s:%s\n", host, port);
	fflush(stdout);

	for (;;) {
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = DGRAM_MAX};
			msgs[i].msg_hdr = (struct msghdr){.msg_name = &peers[i], .msg_namelen = sizeof(peers[i]),
							  .msg_iov = &iov[i], .msg_iovlen = 1};
		}
		int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			die("recvmmsg");
		}
		for (int i = 0; i < n; i++) {
			upper(bufs[i], msgs[i].msg_len);
			iov[i].iov_len = msgs[i].msg_len; /* the reply is as long as the datagram */
		}
		for (int off = 0; off < n;) {
			int m = sendmmsg(fd, msgs + off, (unsigned int)(n - off), 0);
			if (m < 0) {
				if (errno == EINTR)
					continue;
				/* A sender gone (ICMP) or no buffer: that reply is lost,
				 * as UDP may lose it anyway; go on with the rest. */
				off++;
				continue;
			}
			off += m;
		}
	}
}
