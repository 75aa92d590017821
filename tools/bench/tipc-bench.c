// SPDX-License-Identifier: GPL-2.0
/*
 * tipc-bench: round-trip latency, throughput and name-table rates of one socket family, written
 * as JSON for tools/bench/report.py. tools/bench/run.sh runs it in one VM boot on the release
 * kernel: TIPC with the C module, TIPC with ours, then AF_UNIX and TCP over loopback.
 *
 * Usage: tipc-bench --family tipc|unix|tcp [--label NAME] [--out FILE] [--runs N]
 *                   [--window SECONDS] [--warmup SECONDS] [--tests latency,throughput,nametable]
 *                   [--pin split|same|none] [--quick] [--only SCENARIO] [--list]
 *        tipc-bench --serve SECONDS
 *        tipc-bench --family tipc --remote [the options above]
 * --list prints the names of the scenarios it would run; --only runs one of them.
 *
 * Across two nodes: --serve, on one node, binds echo servers and sinks with cluster scope and
 * serves them for SECONDS (or until killed); --remote, on another, measures latency and
 * throughput against them instead of against servers of its own. A remote throughput figure
 * is what the senders got taken (for RDM, less what came back), as no receiver is local.
 *
 * Every figure is measured --runs times (default 5) over a window of --window seconds (default
 * 1) after --warmup seconds (default 0.2); the JSON keeps every run, the median, min and max.
 * A scenario runs in a child process of its own, under a time limit, so one that fails or hangs
 * is recorded as an error and the others still run.
 *
 * Scenarios, named by the TIPC socket type they exercise (AF_UNIX uses SOCK_DGRAM for RDM, TCP
 * only has STREAM):
 *   latency/TYPE/SIZE          ping-pong of SIZE bytes between two processes, both on the
 *                              first CPU (--pin same, the default), one on each of the first
 *                              two (--pin split) or where the scheduler puts them (--pin
 *                              none); microseconds per round trip. Under QEMU's TCG, waking
 *                              a process on the other vCPU costs more than the round trip
 *                              itself (about 600 us against 150 us), so split measures QEMU
 *   throughput/TYPE/SIZE/PAIRS PAIRS sender/receiver process pairs (with one pair, each on a
 *                              CPU of its own unless --pin none; eight pairs are not pinned);
 *                              megabytes per second received. RDM senders never block:
 *                              messages the receiver's full queue sends back (TIPC_ERR_OVERLOAD)
 *                              are drained, counted as "returned" and never as throughput, and
 *                              the sender backs off briefly after each
 *   nametable/OP/N             with N bindings in the name table (one service type, instances in
 *                              random order, 1000 per socket): bind and unbind of other
 *                              instances by one more socket; sendto() a bound name (lookup hit:
 *                              a 1-byte message delivered and read); sendto() a name between
 *                              bound ones (lookup miss: EHOSTUNREACH); operations per second
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/tipc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef TIPC_NODELAY
#define TIPC_NODELAY 138
#endif

#define MAX_RUNS 32
#define MAX_PAIRS 8
#define BUF_SIZE 66000		/* TIPC_MAX_USER_MSG_SIZE: every message fits */
#define PAIR_TYPE 1000001u	/* service type of the latency and throughput sockets */
#define NT_TYPE 1000002u	/* service type of the name-table bindings */
#define NT_PER_SOCKET 1000	/* bindings held by one background socket */
#define NT_CHURN 100		/* bindings made, then withdrawn, per batch */
#define XECHO_TYPE 1000003u	/* --serve: echo servers, instance = enum kind */
#define XSINK_TYPE 1000004u	/* --serve: sinks, instance = enum kind * MAX_PAIRS + pair */
#define TOP_TYPE 1000005u	/* service type the topology subscriptions watch */
#define TOP_BATCH 100		/* bindings made, then withdrawn, per batch of events */
#define TOP_SUBS 10000		/* subscriptions, one per instance 0..TOP_SUBS-1 */

enum family { FAM_TIPC, FAM_UNIX, FAM_TCP };
enum kind { K_RDM, K_SEQPACKET, K_STREAM };
static const char *const kind_name[] = { "rdm", "seqpacket", "stream" };
static const char *const family_name[] = { "tipc", "unix", "tcp" };

static enum family fam;
static const char *label;
static int runs = 5;
static double window_s = 1.0, warmup_s = 0.2;
static int ncpus;
static enum { PIN_SPLIT, PIN_SAME, PIN_NONE } pin = PIN_SAME;
static const char *const pin_name[] = { "split", "same", "none" };
static uint32_t next_instance = 1;
static int remote;		/* --remote: the servers are another node's --serve */

struct result {
	char id[64];
	char test[16];
	char type[16];		/* the TIPC socket type of the row */
	char socktype[24];	/* the socket type this family used for it */
	char unit[12];
	char better[8];		/* "lower" or "higher" */
	long size, pairs, bindings;
	int n;
	double v[MAX_RUNS];
	double extra;		/* see extra_name; 0 when none */
	char extra_name[32];
	char error[200];
};

static struct result *results;	/* all of them, for the JSON */
static int nresults;
static struct result *cur;	/* shared with the scenario's child process */
static int ncur;
static int *stopping;		/* shared: set when a scenario stops its processes */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* In a scenario's process: records the error for every result of the scenario and exits. */
static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	char msg[160];
	int e = errno;
	va_list ap;

	/* A peer's end of stream or reset while the scenario stops its processes is no error. */
	if (stopping && __atomic_load_n(stopping, __ATOMIC_RELAXED))
		_exit(0);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (int i = 0; i < ncur; i++)
		if (!cur[i].error[0])
			snprintf(cur[i].error, sizeof(cur[i].error), "%s%s%s", msg, e ? ": " : "",
				 e ? strerror(e) : "");
	fprintf(stderr, "tipc-bench[%s]: %s: %s%s%s\n", label, cur[0].id, msg, e ? ": " : "",
		e ? strerror(e) : "");
	_exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		fail("out of memory");
	memset(p, 0xa5, n);
	return p;
}

static int xsocket(int domain, int type)
{
	int fd = socket(domain, type, 0);

	if (fd < 0)
		fail("socket(%d, %d)", domain, type);
	return fd;
}

static void set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) < 0)
		fail("fcntl");
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % ncpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* For the latency ping-pong: role 0 is the client, role 1 the echo server. */
static void pin_role(int role)
{
	if (pin != PIN_NONE)
		pin_cpu(pin == PIN_SPLIT ? role : 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static void tipc_range(struct sockaddr_tipc *sa, uint32_t type, uint32_t inst, int scope)
{
	memset(sa, 0, sizeof(*sa));
	sa->family = AF_TIPC;
	sa->addrtype = TIPC_SERVICE_RANGE;
	sa->scope = scope;
	sa->addr.nameseq.type = type;
	sa->addr.nameseq.lower = inst;
	sa->addr.nameseq.upper = inst;
}

static void tipc_service(struct sockaddr_tipc *sa, uint32_t type, uint32_t inst)
{
	memset(sa, 0, sizeof(*sa));
	sa->family = AF_TIPC;
	sa->addrtype = TIPC_SERVICE_ADDR;
	sa->addr.name.name.type = type;
	sa->addr.name.name.instance = inst;
	sa->addr.name.domain = 0;
}

static int sock_type(enum kind k)
{
	switch (k) {
	case K_RDM:
		return fam == FAM_TIPC ? SOCK_RDM : SOCK_DGRAM;
	case K_SEQPACKET:
		return SOCK_SEQPACKET;
	default:
		return SOCK_STREAM;
	}
}

static const char *sock_type_name(enum kind k)
{
	switch (sock_type(k)) {
	case SOCK_RDM:
		return "SOCK_RDM";
	case SOCK_DGRAM:
		return "SOCK_DGRAM";
	case SOCK_SEQPACKET:
		return "SOCK_SEQPACKET";
	default:
		return "SOCK_STREAM";
	}
}

/*
 * Two connected endpoints: a is the client (or sender), b the server (or receiver). For TIPC
 * RDM, b is bound to a service name and a sends to it with sendto(); the server replies to the
 * source address recvfrom() gives it.
 */
struct pair {
	int a, b;
	int rdm;
	struct sockaddr_tipc to;
};

/*
 * --remote: a is ours, b is -1; a talks to the other node's echo server of kind k (sink < 0)
 * or to its sink number `sink` of kind k.
 */
static void make_remote_pair(enum kind k, struct pair *p, int sink)
{
	uint32_t type = sink < 0 ? XECHO_TYPE : XSINK_TYPE;
	uint32_t inst = sink < 0 ? k : k * MAX_PAIRS + sink;

	memset(p, 0, sizeof(*p));
	p->b = -1;
	tipc_service(&p->to, type, inst);
	if (k == K_RDM) {
		p->rdm = 1;
		p->a = xsocket(AF_TIPC, SOCK_RDM);
		return;
	}
	p->a = xsocket(AF_TIPC, sock_type(k));
	if (connect(p->a, (void *)&p->to, sizeof(p->to)))
		fail("connect to the remote server");
}

static void make_pair(enum kind k, struct pair *p)
{
	int type = sock_type(k), l, err = 0;
	struct sockaddr_tipc sa;
	socklen_t len;

	memset(p, 0, sizeof(*p));
	if (fam == FAM_UNIX) {
		int sv[2];

		if (socketpair(AF_UNIX, type, 0, sv))
			fail("socketpair");
		p->a = sv[0];
		p->b = sv[1];
		return;
	}
	if (fam == FAM_TCP) {
		struct sockaddr_in sin = { .sin_family = AF_INET };

		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(sin);
		l = xsocket(AF_INET, SOCK_STREAM);
		if (bind(l, (void *)&sin, sizeof(sin)) || listen(l, 8) ||
		    getsockname(l, (void *)&sin, &len))
			fail("tcp listen");
		p->a = xsocket(AF_INET, SOCK_STREAM);
		if (connect(p->a, (void *)&sin, sizeof(sin)))
			fail("tcp connect");
		p->b = accept(l, NULL, NULL);
		if (p->b < 0)
			fail("tcp accept");
		close(l);
		return;
	}

	uint32_t inst = next_instance++;

	tipc_range(&sa, PAIR_TYPE, inst, TIPC_NODE_SCOPE);
	tipc_service(&p->to, PAIR_TYPE, inst);
	if (k == K_RDM) {
		p->rdm = 1;
		p->b = xsocket(AF_TIPC, SOCK_RDM);
		if (bind(p->b, (void *)&sa, sizeof(sa)))
			fail("bind");
		p->a = xsocket(AF_TIPC, SOCK_RDM);
		return;
	}
	/*
	 * Connect without blocking, accept, then wait for the connection: local delivery queues
	 * the SYN at the listener before connect() returns, and accept() answers it.
	 */
	l = xsocket(AF_TIPC, type);
	if (bind(l, (void *)&sa, sizeof(sa)) || listen(l, 8))
		fail("bind/listen");
	p->a = xsocket(AF_TIPC, type);
	set_nonblock(p->a, 1);
	if (connect(p->a, (void *)&p->to, sizeof(p->to)) && errno != EINPROGRESS)
		fail("connect");
	p->b = accept(l, NULL, NULL);
	if (p->b < 0)
		fail("accept");
	struct pollfd pfd = { .fd = p->a, .events = POLLOUT };

	if (poll(&pfd, 1, 10000) != 1)
		fail("connect did not complete");
	len = sizeof(err);
	if (getsockopt(p->a, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		errno = err;
		fail("connect");
	}
	set_nonblock(p->a, 0);
	close(l);
}

static void set_nodelay(struct pair *p)
{
	int one = 1;

	if (fam == FAM_TCP) {
		setsockopt(p->a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(p->b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	} else if (fam == FAM_TIPC) {
		setsockopt(p->a, SOL_TIPC, TIPC_NODELAY, &one, sizeof(one));
		if (p->b >= 0)	/* --remote: the server set its own */
			setsockopt(p->b, SOL_TIPC, TIPC_NODELAY, &one, sizeof(one));
	}
}

/* 1 when all of it was read, 0 at end of stream; fails otherwise. */
static int read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r == 0)
			return 0;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail("read");
		}
		got += r;
	}
	return 1;
}

static void write_full(int fd, const char *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(fd, buf + done, n - done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail("write");
		}
		done += r;
	}
}

static void __attribute__((noreturn)) echo_server(struct pair *p, enum kind k, size_t size)
{
	char *buf = xmalloc(BUF_SIZE);

	pin_role(1);
	for (;;) {
		if (p->rdm) {
			struct sockaddr_tipc src;
			socklen_t sl = sizeof(src);
			ssize_t n = recvfrom(p->b, buf, BUF_SIZE, 0, (void *)&src, &sl);

			if (n < 0)
				fail("server recvfrom");
			if (sendto(p->b, buf, n, 0, (void *)&src, sl) != n)
				fail("server sendto");
		} else if (k == K_STREAM) {
			if (!read_full(p->b, buf, size))
				_exit(0);
			write_full(p->b, buf, size);
		} else {
			ssize_t n = recv(p->b, buf, BUF_SIZE, 0);

			if (n <= 0) {
				if (n == 0)
					_exit(0);
				fail("server recv");
			}
			if (send(p->b, buf, n, 0) != n)
				fail("server send");
		}
	}
}

static void round_trip(struct pair *p, enum kind k, char *buf, size_t size)
{
	ssize_t n;

	if (k == K_STREAM) {
		write_full(p->a, buf, size);
		if (!read_full(p->a, buf, size))
			fail("end of stream");
		return;
	}
	if (p->rdm)
		n = sendto(p->a, buf, size, 0, (void *)&p->to, sizeof(p->to));
	else
		n = send(p->a, buf, size, 0);
	if (n != (ssize_t)size)
		fail("send");
	n = recv(p->a, buf, BUF_SIZE, 0);
	if (n != (ssize_t)size)
		fail("recv: %zd bytes, %zu expected", n, size);
}

static void kill_wait(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void sc_latency(enum kind k, size_t size)
{
	struct result *r = &cur[0];
	struct pair p;
	pid_t srv;
	char *buf;
	double start, end;
	long n = 0, batch;

	if (remote)
		make_remote_pair(k, &p, -1);
	else
		make_pair(k, &p);
	if (k == K_STREAM)
		set_nodelay(&p);
	srv = remote ? 0 : fork();
	if (srv < 0)
		fail("fork");
	if (srv == 0 && !remote) {
		close(p.a);
		echo_server(&p, k, size);
	}
	if (!remote)
		close(p.b);
	pin_role(0);
	buf = xmalloc(BUF_SIZE);
	/*
	 * The clock is read once per batch of round trips lasting about a millisecond, as the
	 * warm-up measured them: under TCG, reading it can cost as much as a round trip.
	 */
	start = now();
	end = start + warmup_s;
	do {
		round_trip(&p, k, buf, size);
		n++;
	} while (now() < end);
	batch = n / ((now() - start) * 1000) + 1;
	for (int i = 0; i < runs; i++) {
		double t0 = now(), t;

		n = 0;
		do {
			for (long j = 0; j < batch; j++)
				round_trip(&p, k, buf, size);
			n += batch;
		} while ((t = now()) - t0 < window_s);
		r->v[i] = (t - t0) / n * 1e6;
		r->n = i + 1;
	}
	__atomic_store_n(stopping, 1, __ATOMIC_RELAXED);
	if (srv)
		kill_wait(srv);
	close(p.a);
}

struct counter {
	uint64_t bytes, msgs, returned;
	uint64_t pad[5];	/* one cache line each */
};

static void __attribute__((noreturn)) receiver(struct pair *p, struct counter *c)
{
	char *buf = xmalloc(BUF_SIZE);
	uint64_t bytes = 0, msgs = 0;

	for (;;) {
		ssize_t n = recv(p->b, buf, BUF_SIZE, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("receiver recv");
		}
		if (n == 0)	/* end of stream: we send no empty messages */
			_exit(0);
		bytes += n;
		msgs++;
		__atomic_store_n(&c->bytes, bytes, __ATOMIC_RELAXED);
		__atomic_store_n(&c->msgs, msgs, __ATOMIC_RELAXED);
	}
}

static void __attribute__((noreturn)) rdm_sender(struct pair *p, size_t size, struct counter *c)
{
	char *buf = xmalloc(size), *rbuf = xmalloc(BUF_SIZE);
	uint64_t sent = 0, returned = 0;

	set_nonblock(p->a, 1);
	for (;;) {
		ssize_t n = sendto(p->a, buf, size, 0, (void *)&p->to, sizeof(p->to));

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd pfd = { .fd = p->a, .events = POLLOUT };

				poll(&pfd, 1, 10);
				continue;
			}
			if (errno != EINTR)
				fail("sendto");
			continue;
		}
		if (remote)
			__atomic_store_n(&c->bytes, (sent + 1 - returned) * size, __ATOMIC_RELAXED);
		if ((++sent & 15) == 0) {
			/* Messages the receiver could not take come back to us. */
			int got = 0;

			while (recv(p->a, rbuf, BUF_SIZE, MSG_DONTWAIT) >= 0)
				got++;
			if (got) {
				returned += got;
				__atomic_store_n(&c->returned, returned, __ATOMIC_RELAXED);
				sleep_s(50e-6);
			}
		}
	}
}

static void __attribute__((noreturn)) sender(struct pair *p, enum kind k, size_t size,
					     struct counter *c)
{
	char *buf;

	if (p->rdm)
		rdm_sender(p, size, c);
	buf = xmalloc(size);
	for (uint64_t bytes = size;; bytes += size) {
		if (k == K_STREAM)
			write_full(p->a, buf, size);
		else if (send(p->a, buf, size, 0) != (ssize_t)size && errno != EINTR)
			fail("sender send");
		if (remote)
			__atomic_store_n(&c->bytes, bytes, __ATOMIC_RELAXED);
	}
}

static void wait_gate(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	close(fd);
}

static void sc_throughput(enum kind k, size_t size, int npairs)
{
	struct result *r = &cur[0];
	struct counter *c;
	struct pair p[MAX_PAIRS];
	pid_t pids[2 * MAX_PAIRS];
	int gate[2], np = 0;
	uint64_t prev = 0, sum, returned = 0;
	double t0, t;

	c = mmap(NULL, npairs * sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		 0);
	if (c == MAP_FAILED)
		fail("mmap");
	memset(c, 0, npairs * sizeof(*c));
	for (int i = 0; i < npairs; i++) {
		if (remote)
			make_remote_pair(k, &p[i], i);
		else
			make_pair(k, &p[i]);
	}
	if (pipe(gate))
		fail("pipe");
	for (int i = 0; i < npairs; i++) {
		for (int role = remote ? 0 : 1; role >= 0; role--) {
			pid_t pid = fork();

			if (pid < 0)
				fail("fork");
			if (pid == 0) {
				close(gate[1]);
				wait_gate(gate[0]);
				/* One pair: sender and receiver each on a CPU of its own. */
				if (npairs == 1 && pin != PIN_NONE)
					pin_cpu(role);
				if (role)
					receiver(&p[i], &c[i]);
				sender(&p[i], k, size, &c[i]);
			}
			pids[np++] = pid;
		}
	}
	close(gate[0]);
	for (int i = 0; i < npairs; i++) {
		close(p[i].a);
		if (p[i].b >= 0)
			close(p[i].b);
	}
	close(gate[1]);	/* go */
	sleep_s(warmup_s);
	t0 = now();
	for (int i = 0; i < npairs; i++)
		prev += __atomic_load_n(&c[i].bytes, __ATOMIC_RELAXED);
	for (int run = 0; run < runs; run++) {
		sleep_s(window_s);
		t = now();
		sum = 0;
		for (int i = 0; i < npairs; i++)
			sum += __atomic_load_n(&c[i].bytes, __ATOMIC_RELAXED);
		r->v[run] = (sum - prev) / (t - t0) / 1e6;
		r->n = run + 1;
		prev = sum;
		t0 = t;
	}
	for (int i = 0; i < npairs; i++)
		returned += __atomic_load_n(&c[i].returned, __ATOMIC_RELAXED);
	if (k == K_RDM && fam == FAM_TIPC) {
		r->extra = returned;
		snprintf(r->extra_name, sizeof(r->extra_name), "returned_messages");
	}
	/* A sender or receiver that ended before we stopped it failed. */
	for (int i = 0; i < np; i++) {
		int st;

		if (waitpid(pids[i], &st, WNOHANG) == pids[i]) {
			for (int j = 0; j < np; j++)
				kill(pids[j], SIGKILL);
			errno = 0;
			if (!cur[0].error[0])
				fail("a %s process ended early (status %d)",
				     remote || i % 2 ? "sender" : "receiver", st);
			_exit(2);
		}
	}
	__atomic_store_n(stopping, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < np; i++)
		kill(pids[i], SIGKILL);
	for (int i = 0; i < np; i++)
		waitpid(pids[i], NULL, 0);
}

/* --serve: the servers die on any error; they record nothing. */
static void __attribute__((noreturn)) serve_die(const char *what)
{
	perror(what);
	_exit(2);
}

static void __attribute__((noreturn)) serve_conn(int fd, int echo)
{
	char *buf = malloc(BUF_SIZE);

	if (!buf)
		serve_die("tipc-bench --serve: malloc");
	for (;;) {
		ssize_t n = recv(fd, buf, BUF_SIZE, 0);

		if (n <= 0)
			_exit(0);
		if (!echo)
			continue;
		/* A stream may take it in pieces; a SEQPACKET message goes whole or not at all. */
		for (ssize_t done = 0, w; done < n; done += w) {
			w = send(fd, buf + done, n - done, 0);
			if (w < 0)
				_exit(0);
		}
	}
}

static void __attribute__((noreturn)) serve_rdm(int fd, int echo)
{
	char *buf = malloc(BUF_SIZE);

	if (!buf)
		serve_die("tipc-bench --serve: malloc");
	for (;;) {
		struct sockaddr_tipc src;
		socklen_t sl = sizeof(src);
		ssize_t n = recvfrom(fd, buf, BUF_SIZE, 0, (void *)&src, &sl);

		if (n < 0 && errno != EINTR)
			serve_die("tipc-bench --serve: recvfrom");
		if (n >= 0 && echo)
			sendto(fd, buf, n, 0, (void *)&src, sl);
	}
}

/* A process serving {type, inst} with cluster scope: an echo server or a sink of kind k. */
static void spawn_server(enum kind k, uint32_t type, uint32_t inst, int echo)
{
	struct sockaddr_tipc sa;
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		serve_die("tipc-bench --serve: fork");
	if (pid)
		return;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = socket(AF_TIPC, sock_type(k), 0);
	tipc_range(&sa, type, inst, TIPC_CLUSTER_SCOPE);
	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)))
		serve_die("tipc-bench --serve: socket/bind");
	if (k == K_RDM)
		serve_rdm(fd, echo);
	if (listen(fd, 64))
		serve_die("tipc-bench --serve: listen");
	signal(SIGCHLD, SIG_IGN);	/* the connections' processes reap themselves */
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR)
				continue;
			serve_die("tipc-bench --serve: accept");
		}
		pid = fork();
		if (pid == 0) {
			int one = 1;

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(fd);
			/* As the local latency pairs: a stream echo is not held back by Nagle. */
			if (k == K_STREAM)
				setsockopt(c, SOL_TIPC, TIPC_NODELAY, &one, sizeof(one));
			serve_conn(c, echo);
		}
		close(c);
	}
}

/* The name --serve binds last, so that a --remote client knows every server is bound. */
#define XREADY_INSTANCE 99u

static int serve(double seconds)
{
	struct sockaddr_tipc sa;
	int ready;

	fam = FAM_TIPC;
	signal(SIGPIPE, SIG_IGN);
	for (int k = 0; k < 3; k++) {
		spawn_server(k, XECHO_TYPE, k, 1);
		for (int i = 0; i < MAX_PAIRS; i++)
			spawn_server(k, XSINK_TYPE, k * MAX_PAIRS + i, 0);
	}
	sleep_s(0.5);		/* the servers bind */
	ready = socket(AF_TIPC, SOCK_RDM, 0);
	tipc_range(&sa, XECHO_TYPE, XREADY_INSTANCE, TIPC_CLUSTER_SCOPE);
	if (ready < 0 || bind(ready, (void *)&sa, sizeof(sa)))
		serve_die("tipc-bench --serve: bind");
	printf("tipc-bench: serving for %g s\n", seconds);
	fflush(stdout);
	sleep_s(seconds);
	return 0;
}

/* --remote: waits (through the topology server) until the other node's --serve is bound. */
static int wait_for_server(void)
{
	struct sockaddr_tipc top = { .family = AF_TIPC, .addrtype = TIPC_SERVICE_ADDR };
	struct tipc_subscr sub = { .seq = { XECHO_TYPE, XREADY_INSTANCE, XREADY_INSTANCE },
				   .timeout = 60000, .filter = TIPC_SUB_SERVICE };
	struct tipc_event ev;
	int fd = socket(AF_TIPC, SOCK_SEQPACKET, 0);

	top.addr.name.name.type = TIPC_TOP_SRV;
	top.addr.name.name.instance = TIPC_TOP_SRV;
	if (fd < 0 || connect(fd, (void *)&top, sizeof(top)) ||
	    send(fd, &sub, sizeof(sub), 0) != sizeof(sub) ||
	    recv(fd, &ev, sizeof(ev), 0) != sizeof(ev)) {
		perror("tipc-bench: the topology server");
		return -1;
	}
	close(fd);
	if (ev.event != TIPC_PUBLISHED) {
		fprintf(stderr, "tipc-bench: no --serve in the cluster within 60 s\n");
		return -1;
	}
	return 0;
}

static void sc_nametable(int nbind)
{
	struct result *rb = &cur[0], *ru = &cur[1], *rh = &cur[2], *rm = &cur[3];
	int nsock = (nbind + NT_PER_SOCKET - 1) / NT_PER_SOCKET;
	int *bg = calloc(nsock, sizeof(int)), *pending = calloc(nsock, sizeof(int));
	uint32_t *perm = malloc(nbind * sizeof(uint32_t)), *owner = malloc(nbind * sizeof(uint32_t));
	uint32_t churn[NT_CHURN];
	struct sockaddr_tipc sa;
	struct timeval tv = { .tv_sec = 5 };
	char buf[16] = { 1 };
	int ch, s;
	double t0, t, fill;

	if (!bg || !pending || !perm || !owner)
		fail("out of memory");
	for (int i = 0; i < nbind; i++)
		perm[i] = i;
	for (int i = nbind - 1; i > 0; i--) {
		uint32_t j = rnd() % (i + 1), x = perm[i];

		perm[i] = perm[j];
		perm[j] = x;
	}
	/* The table: instances 0, 2, 4, ... in random order; the odd ones stay free. */
	t0 = now();
	for (int i = 0; i < nbind; i++) {
		int sk = i / NT_PER_SOCKET;

		if (i % NT_PER_SOCKET == 0) {
			bg[sk] = xsocket(AF_TIPC, SOCK_RDM);
			setsockopt(bg[sk], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
		tipc_range(&sa, NT_TYPE, 2 * perm[i], TIPC_NODE_SCOPE);
		if (bind(bg[sk], (void *)&sa, sizeof(sa)))
			fail("binding %d of %d", i + 1, nbind);
		owner[perm[i]] = sk;
	}
	fill = now() - t0;
	rb->extra = nbind / fill;
	snprintf(rb->extra_name, sizeof(rb->extra_name), "fill_binds_per_s");

	/* Bind and withdraw free instances, NT_CHURN at a time, on one more socket. */
	ch = xsocket(AF_TIPC, SOCK_RDM);
	for (int run = 0; run < runs; run++) {
		double tb = 0, tu = 0, start = now();
		long n = 0;

		do {
			uint32_t base = rnd();

			for (int i = 0; i < NT_CHURN; i++)
				churn[i] = 2 * ((base + (uint32_t)i * 7919u) % nbind) + 1;
			t = now();
			for (int i = 0; i < NT_CHURN; i++) {
				tipc_range(&sa, NT_TYPE, churn[i], TIPC_NODE_SCOPE);
				if (bind(ch, (void *)&sa, sizeof(sa)))
					fail("bind");
			}
			tb += now() - t;
			t = now();
			for (int i = 0; i < NT_CHURN; i++) {
				tipc_range(&sa, NT_TYPE, churn[i], -TIPC_NODE_SCOPE);
				if (bind(ch, (void *)&sa, sizeof(sa)))
					fail("unbind");
			}
			tu += now() - t;
			n += NT_CHURN;
		} while (now() - start < window_s);
		rb->v[run] = n / tb;
		ru->v[run] = n / tu;
		rb->n = ru->n = run + 1;
	}
	close(ch);

	/* Lookup hit: 1-byte messages to bound names, read by their sockets. */
	s = xsocket(AF_TIPC, SOCK_RDM);
	for (int run = 0; run < runs; run++) {
		double start = now();
		long n = 0;

		do {
			for (int i = 0; i < 32; i++) {
				uint32_t inst = rnd() % nbind;

				tipc_service(&sa, NT_TYPE, 2 * inst);
				if (sendto(s, buf, 1, 0, (void *)&sa, sizeof(sa)) != 1)
					fail("sendto a bound name");
				pending[owner[inst]]++;
			}
			for (int sk = 0; sk < nsock; sk++)
				for (; pending[sk] > 0; pending[sk]--)
					if (recv(bg[sk], buf, sizeof(buf), 0) < 0)
						fail("recv");
			n += 32;
		} while ((t = now()) - start < window_s);
		rh->v[run] = n / (t - start);
		rh->n = run + 1;
	}

	/* Lookup miss: sendto() a free instance between bound ones fails with EHOSTUNREACH. */
	for (int run = 0; run < runs; run++) {
		double start = now();
		long n = 0;

		do {
			for (int i = 0; i < 64; i++) {
				tipc_service(&sa, NT_TYPE, 2 * (rnd() % nbind) + 1);
				if (sendto(s, buf, 1, 0, (void *)&sa, sizeof(sa)) >= 0) {
					errno = 0;
					fail("sendto an unbound name succeeded");
				}
			}
			n += 64;
		} while ((t = now()) - start < window_s);
		rm->v[run] = n / (t - start);
		rm->n = run + 1;
	}
	close(s);
	for (int i = 0; i < nsock; i++)
		close(bg[i]);
}

/* A subscription to the bindings of TOP_TYPE's instances lower..upper, in host byte order. */
static void top_subscribe(int fd, uint32_t lower, uint32_t upper)
{
	struct tipc_subscr sub = {
		.seq = { .type = TOP_TYPE, .lower = lower, .upper = upper },
		.timeout = TIPC_WAIT_FOREVER,
		.filter = TIPC_SUB_PORTS,
	};

	if (send(fd, &sub, sizeof(sub), 0) != sizeof(sub))
		fail("sending a subscription");
}

/* The next event, which must be `type` for an instance of TOP_TYPE. */
static struct tipc_event top_event(int fd, uint32_t type)
{
	struct tipc_event ev;

	if (recv(fd, &ev, sizeof(ev), 0) != sizeof(ev))
		fail("reading a topology event");
	if (ev.event != type || ev.s.seq.type != TOP_TYPE) {
		errno = 0;
		fail("topology event %u for type %u, not %u for %u", ev.event, ev.s.seq.type, type,
		     TOP_TYPE);
	}
	return ev;
}

/*
 * Topology events: one connection to the topology server holds `nsubs` subscriptions, one per
 * instance of TOP_TYPE; another socket binds TOP_BATCH of those instances, then withdraws
 * them, and the subscriber reads the 2 * TOP_BATCH events that caused: events per second, as
 * the subscriber receives them. The JSON's subscribe_per_s is the rate at which the server
 * took the subscriptions (the last one's first event marks them all in: a connection's
 * subscriptions are taken in order).
 */
static void sc_topology(int nsubs)
{
	struct result *re = &cur[0];
	struct sockaddr_tipc top, sa;
	struct timeval tv = { .tv_sec = 10 };
	uint32_t inst[TOP_BATCH];
	int fd = xsocket(AF_TIPC, SOCK_SEQPACKET), b = xsocket(AF_TIPC, SOCK_RDM);
	double t0, t;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	tipc_service(&top, TIPC_TOP_SRV, TIPC_TOP_SRV);
	if (connect(fd, (void *)&top, sizeof(top)))
		fail("connecting to the topology server");
	t0 = now();
	for (int i = 0; i <= nsubs; i++)
		top_subscribe(fd, i, i);
	tipc_range(&sa, TOP_TYPE, nsubs, TIPC_NODE_SCOPE);
	if (bind(b, (void *)&sa, sizeof(sa)))
		fail("bind");
	if (top_event(fd, TIPC_PUBLISHED).found_lower != (uint32_t)nsubs) {
		errno = 0;
		fail("the first event is not the last subscription's");
	}
	re->extra = nsubs / (now() - t0);
	snprintf(re->extra_name, sizeof(re->extra_name), "subscribe_per_s");

	for (int run = 0; run < runs; run++) {
		double start = now();
		long n = 0;

		do {
			uint32_t base = rnd();

			/* TOP_BATCH different instances: 7919 is prime, nsubs is not its multiple. */
			for (int i = 0; i < TOP_BATCH; i++)
				inst[i] = (base + (uint32_t)i * 7919u) % nsubs;
			for (int i = 0; i < TOP_BATCH; i++) {
				tipc_range(&sa, TOP_TYPE, inst[i], TIPC_NODE_SCOPE);
				if (bind(b, (void *)&sa, sizeof(sa)))
					fail("bind");
			}
			for (int i = 0; i < TOP_BATCH; i++) {
				tipc_range(&sa, TOP_TYPE, inst[i], -TIPC_NODE_SCOPE);
				if (bind(b, (void *)&sa, sizeof(sa)))
					fail("unbind");
			}
			for (int i = 0; i < TOP_BATCH; i++)
				top_event(fd, TIPC_PUBLISHED);
			for (int i = 0; i < TOP_BATCH; i++)
				top_event(fd, TIPC_WITHDRAWN);
			n += 2 * TOP_BATCH;
		} while ((t = now()) - start < window_s);
		re->v[run] = n / (t - start);
		re->n = run + 1;
	}
	close(b);
	close(fd);
}

/* ---- the scenario list, the child processes that run them, and the JSON ---- */

enum sc_kind { SC_LATENCY, SC_THROUGHPUT, SC_NAMETABLE, SC_TOPOLOGY };

struct scenario {
	enum sc_kind sc;
	enum kind k;
	long size, pairs, bindings;
};

static struct result *new_result(const char *test, const struct scenario *s, const char *op)
{
	struct result *r = &cur[ncur++];

	memset(r, 0, sizeof(*r));
	snprintf(r->test, sizeof(r->test), "%s", test);
	r->size = s->size;
	r->pairs = s->pairs;
	r->bindings = s->bindings;
	switch (s->sc) {
	case SC_LATENCY:
		snprintf(r->type, sizeof(r->type), "%s", kind_name[s->k]);
		snprintf(r->socktype, sizeof(r->socktype), "%s", sock_type_name(s->k));
		snprintf(r->id, sizeof(r->id), "latency/%s/%ld", kind_name[s->k], s->size);
		snprintf(r->unit, sizeof(r->unit), "us");
		snprintf(r->better, sizeof(r->better), "lower");
		break;
	case SC_THROUGHPUT:
		snprintf(r->type, sizeof(r->type), "%s", kind_name[s->k]);
		snprintf(r->socktype, sizeof(r->socktype), "%s", sock_type_name(s->k));
		snprintf(r->id, sizeof(r->id), "throughput/%s/%ld/%ld", kind_name[s->k], s->size,
			 s->pairs);
		snprintf(r->unit, sizeof(r->unit), "MB/s");
		snprintf(r->better, sizeof(r->better), "higher");
		break;
	case SC_NAMETABLE:
		snprintf(r->type, sizeof(r->type), "rdm");
		snprintf(r->socktype, sizeof(r->socktype), "SOCK_RDM");
		snprintf(r->id, sizeof(r->id), "nametable/%s/%ld", op, s->bindings);
		snprintf(r->unit, sizeof(r->unit), "ops/s");
		snprintf(r->better, sizeof(r->better), "higher");
		break;
	case SC_TOPOLOGY:
		/* "bindings": the subscriptions. */
		snprintf(r->type, sizeof(r->type), "seqpacket");
		snprintf(r->socktype, sizeof(r->socktype), "SOCK_SEQPACKET");
		snprintf(r->id, sizeof(r->id), "topology/events/%ld", s->bindings);
		snprintf(r->unit, sizeof(r->unit), "ev/s");
		snprintf(r->better, sizeof(r->better), "higher");
		break;
	}
	return r;
}

/* The name --only takes: the result's id, but nametable/N for the four name-table results. */
static void scenario_key(const struct scenario *s, char *buf, size_t len)
{
	switch (s->sc) {
	case SC_LATENCY:
		snprintf(buf, len, "latency/%s/%ld", kind_name[s->k], s->size);
		break;
	case SC_THROUGHPUT:
		snprintf(buf, len, "throughput/%s/%ld/%ld", kind_name[s->k], s->size, s->pairs);
		break;
	case SC_NAMETABLE:
		snprintf(buf, len, "nametable/%ld", s->bindings);
		break;
	case SC_TOPOLOGY:
		snprintf(buf, len, "topology/%ld", s->bindings);
		break;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(const struct result *r, double *med, double *min, double *max)
{
	double v[MAX_RUNS];

	memcpy(v, r->v, r->n * sizeof(double));
	qsort(v, r->n, sizeof(double), cmp_double);
	*med = r->n % 2 ? v[r->n / 2] : (v[r->n / 2 - 1] + v[r->n / 2]) / 2;
	*min = v[0];
	*max = v[r->n - 1];
}

static void run_scenario(const struct scenario *s, int timeout)
{
	pid_t pid;
	int st = 0, done = 0;
	double deadline;

	ncur = 0;
	*stopping = 0;
	switch (s->sc) {
	case SC_LATENCY:
		new_result("latency", s, NULL);
		break;
	case SC_THROUGHPUT:
		new_result("throughput", s, NULL);
		break;
	case SC_NAMETABLE:
		new_result("bind", s, "bind");
		new_result("unbind", s, "unbind");
		new_result("lookup-hit", s, "lookup-hit");
		new_result("lookup-miss", s, "lookup-miss");
		break;
	case SC_TOPOLOGY:
		new_result("topology", s, NULL);
		break;
	}
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		setpgid(0, 0);
		next_instance += (uint32_t)nresults * 16;
		switch (s->sc) {
		case SC_LATENCY:
			sc_latency(s->k, s->size);
			break;
		case SC_THROUGHPUT:
			sc_throughput(s->k, s->size, s->pairs);
			break;
		case SC_NAMETABLE:
			sc_nametable(s->bindings);
			break;
		case SC_TOPOLOGY:
			sc_topology(s->bindings);
			break;
		}
		_exit(0);
	}
	setpgid(pid, pid);
	deadline = now() + timeout;
	while (!done) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			done = 1;
		else if (now() > deadline)
			break;
		else
			sleep_s(0.05);
	}
	if (!done) {
		kill(-pid, SIGKILL);
		waitpid(pid, &st, 0);
		for (int i = 0; i < ncur; i++)
			if (!cur[i].error[0])
				snprintf(cur[i].error, sizeof(cur[i].error),
					 "timed out after %d s", timeout);
	} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		for (int i = 0; i < ncur; i++)
			if (!cur[i].error[0])
				snprintf(cur[i].error, sizeof(cur[i].error), "%s %d",
					 WIFSIGNALED(st) ? "killed by signal" : "exit status",
					 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
	/* What is left of its processes, then any orphan this subreaper inherited. */
	kill(-pid, SIGKILL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	for (int i = 0; i < ncur; i++) {
		struct result *r = &cur[i];
		double med, min, max;

		if (r->error[0] || r->n < runs) {
			if (!r->error[0])
				snprintf(r->error, sizeof(r->error), "%d of %d runs", r->n, runs);
			fprintf(stderr, "tipc-bench[%s]: %-28s error: %s\n", label, r->id, r->error);
		} else {
			stats(r, &med, &min, &max);
			fprintf(stderr, "tipc-bench[%s]: %-28s %12.2f %-5s (%.2f..%.2f)\n", label, r->id,
				med, r->unit, min, max);
		}
		results[nresults++] = *r;
	}
}

static void json_str(FILE *f, const char *key, const char *v, const char *sep)
{
	fprintf(f, "\"%s\": \"", key);
	for (; *v; v++)
		if (*v == '"' || *v == '\\')
			fprintf(f, "\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			fputc(' ', f);
		else
			fputc(*v, f);
	fprintf(f, "\"%s", sep);
}

static void write_json(FILE *f, const char *tests)
{
	struct utsname u;

	uname(&u);
	fprintf(f, "{\n  ");
	json_str(f, "label", label, ", ");
	json_str(f, "family", family_name[fam], ", ");
	json_str(f, "kernel", u.release, ", ");
	json_str(f, "tests", tests, ",\n  ");
	fprintf(f, "\"cpus\": %d, \"runs\": %d, \"window_s\": %g, \"warmup_s\": %g, ", ncpus, runs,
		window_s, warmup_s);
	json_str(f, "pin", pin_name[pin], ",\n  ");
	fprintf(f, "\"results\": [\n");
	for (int i = 0; i < nresults; i++) {
		struct result *r = &results[i];
		double med, min, max;

		fprintf(f, "    {");
		json_str(f, "id", r->id, ", ");
		json_str(f, "test", r->test, ", ");
		json_str(f, "type", r->type, ", ");
		json_str(f, "socket", r->socktype, ", ");
		fprintf(f, "\"size\": %ld, \"pairs\": %ld, \"bindings\": %ld, ", r->size, r->pairs,
			r->bindings);
		json_str(f, "unit", r->unit, ", ");
		json_str(f, "better", r->better, ", ");
		if (r->error[0]) {
			json_str(f, "error", r->error, "");
		} else {
			stats(r, &med, &min, &max);
			fprintf(f, "\"values\": [");
			for (int j = 0; j < r->n; j++)
				fprintf(f, "%s%.6g", j ? ", " : "", r->v[j]);
			fprintf(f, "], \"median\": %.6g, \"min\": %.6g, \"max\": %.6g", med, min,
				max);
			if (r->extra_name[0])
				fprintf(f, ", \"%s\": %.6g", r->extra_name, r->extra);
		}
		fprintf(f, "}%s\n", i + 1 < nresults ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: tipc-bench --family tipc|unix|tcp [--label NAME] [--out FILE] [--runs N]\n"
		"                  [--window S] [--warmup S]\n"
		"                  [--tests latency,throughput,nametable,topology]\n"
		"                  [--pin split|same|none] [--quick] [--only SCENARIO] [--list]\n"
		"                  [--remote]\n"
		"       tipc-bench --serve SECONDS\n"
		"--quick: 3 runs (unless --runs says otherwise) of 0.05 s after 0.02 s\n");
	exit(status);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "family", required_argument, NULL, 'f' },
		{ "label", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'o' },
		{ "runs", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "tests", required_argument, NULL, 't' },
		{ "pin", required_argument, NULL, 'p' },
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'O' },
		{ "list", no_argument, NULL, 'L' },
		{ "remote", no_argument, NULL, 'R' },
		{ "serve", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const long lat_sizes[] = { 64, 1024, 16384, 65536 };
	static const long tput_sizes[] = { 1024, 65536 };
	static const long tput_pairs[] = { 1, 8 };
	static const long nt_sizes[] = { 1000, 10000, 64000 };
	const char *family = NULL, *outfile = NULL,
		   *tests = "latency,throughput,nametable,topology";
	const char *only = NULL;
	char key[64];
	struct scenario list[128];
	int nlist = 0, opt, quick = 0, runs_set = 0, list_only = 0, n;
	cpu_set_t set;
	FILE *f;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			family = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 'o':
			outfile = optarg;
			break;
		case 'r':
			runs = atoi(optarg);
			runs_set = 1;
			break;
		case 'w':
			window_s = atof(optarg);
			break;
		case 'W':
			warmup_s = atof(optarg);
			break;
		case 't':
			tests = optarg;
			break;
		case 'p':
			if (!strcmp(optarg, "split"))
				pin = PIN_SPLIT;
			else if (!strcmp(optarg, "same"))
				pin = PIN_SAME;
			else if (!strcmp(optarg, "none"))
				pin = PIN_NONE;
			else
				usage(1);
			break;
		case 'q':
			quick = 1;
			break;
		case 'O':
			only = optarg;
			break;
		case 'L':
			list_only = 1;
			break;
		case 'R':
			remote = 1;
			break;
		case 'S':
			return serve(atof(optarg));
		case 'h':
			usage(0);
			break;
		default:
			usage(1);
		}
	}
	if (!family || optind != argc)
		usage(1);
	if (remote && strcmp(family, "tipc"))
		usage(1);
	if (!strcmp(family, "tipc"))
		fam = FAM_TIPC;
	else if (!strcmp(family, "unix"))
		fam = FAM_UNIX;
	else if (!strcmp(family, "tcp"))
		fam = FAM_TCP;
	else
		usage(1);
	if (quick) {
		if (!runs_set)
			runs = 3;
		window_s = 0.05;
		warmup_s = 0.02;
	}
	if (runs < 1 || runs > MAX_RUNS || window_s <= 0 || warmup_s < 0)
		usage(1);
	if (!label)
		label = family;
	sched_getaffinity(0, sizeof(set), &set);
	ncpus = CPU_COUNT(&set);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	for (int k = 0; k < 3; k++) {
		if (fam == FAM_TCP && k != K_STREAM)
			continue;
		if (strstr(tests, "latency"))
			for (unsigned i = 0; i < sizeof(lat_sizes) / sizeof(*lat_sizes); i++)
				list[nlist++] = (struct scenario){ SC_LATENCY, k, lat_sizes[i], 1, 0 };
	}
	for (int k = 0; k < 3; k++) {
		if (fam == FAM_TCP && k != K_STREAM)
			continue;
		if (strstr(tests, "throughput"))
			for (unsigned i = 0; i < sizeof(tput_sizes) / sizeof(*tput_sizes); i++)
				for (unsigned j = 0; j < sizeof(tput_pairs) / sizeof(*tput_pairs); j++)
					list[nlist++] = (struct scenario){ SC_THROUGHPUT, k,
									   tput_sizes[i],
									   tput_pairs[j], 0 };
	}
	/* The name table and the topology server are one node's: --remote leaves them out. */
	if (fam == FAM_TIPC && !remote && strstr(tests, "nametable"))
		for (unsigned i = 0; i < sizeof(nt_sizes) / sizeof(*nt_sizes); i++)
			list[nlist++] = (struct scenario){ SC_NAMETABLE, K_RDM, 0, 1, nt_sizes[i] };
	if (fam == FAM_TIPC && !remote && strstr(tests, "topology"))
		list[nlist++] = (struct scenario){ SC_TOPOLOGY, K_SEQPACKET, 0, 1, TOP_SUBS };

	/* --only: that scenario alone; --list: the scenarios' names, one a line. */
	n = 0;
	for (int i = 0; i < nlist; i++) {
		scenario_key(&list[i], key, sizeof(key));
		if (list_only)
			printf("%s\n", key);
		else if (!only || !strcmp(only, key))
			list[n++] = list[i];
	}
	if (list_only)
		return 0;
	if (fam == FAM_TIPC) {
		int fd = socket(AF_TIPC, SOCK_RDM, 0);

		if (fd < 0) {
			perror("tipc-bench: socket(AF_TIPC)");
			return 1;
		}
		close(fd);
		if (remote && wait_for_server())
			return 1;
	}
	if (!n) {
		fprintf(stderr, "tipc-bench: no scenario %s (see --list)\n", only);
		return 1;
	}
	nlist = n;
	results = calloc(nlist * 4, sizeof(*results));
	cur = mmap(NULL, 4 * sizeof(*cur) + sizeof(int), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!results || cur == MAP_FAILED) {
		perror("tipc-bench");
		return 1;
	}
	stopping = (int *)(cur + 4);
	if (!only)
		fprintf(stderr,
			"tipc-bench[%s]: %d scenarios, %d runs of %g s each, %d CPUs, pin %s\n",
			label, nlist, runs, window_s, ncpus, pin_name[pin]);
	for (int i = 0; i < nlist; i++)
		run_scenario(&list[i], list[i].sc >= SC_NAMETABLE ? 300 : 60);

	f = outfile ? fopen(outfile, "w") : stdout;
	if (!f) {
		perror(outfile);
		return 1;
	}
	write_json(f, tests);
	if (f != stdout && fclose(f)) {
		perror(outfile);
		return 1;
	}
	for (int i = 0; i < nresults; i++)
		if (results[i].error[0])
			return 3;
	return 0;
}
