/* The hook's native entry. A Node process costs ~60-120 ms to start, twice per container
 * (prestart, poststop); this hands the hook's arguments and OCI state to hookd over a root-only
 * Unix socket and relays its answer (a few ms). When no hookd listens and we are root, it starts
 * one (one per machine: whoever holds the flock on <socket dir>/hookd.lock starts it, and the
 * daemon inherits that lock for its life, so kill -9 frees it too; detached, its own session,
 * stdio away from the runtime's pipes, idle exit after SECCOMP_TAILOR_HOOKD_IDLE seconds,
 * default 600). If that fails it becomes the Node hook (exec, same pid), and if the daemon fails
 * mid-way it feeds the state it already read to the Node hook. No policy here: everything is
 * decided in Node. SECCOMP_TAILOR_HOOKD_AUTOSTART=0 never starts a daemon.
 *
 * Wire format (client -> daemon): "seccomp-tailor-hook 2 <runtime pid> <argc>\n", the Node hook
 * script this entry was built for (NUL-terminated), argc NUL-terminated arguments, the OCI state
 * bytes, then shutdown(SHUT_WR). Daemon -> client: "<exit code>\n" followed by the text for
 * standard error, or "fallback\n" when the daemon serves another checkout or older code: then
 * this entry runs its own Node hook. An entry without a Node hook of its own (a copy on a node
 * without Node.js, which the Kubernetes agent puts there) sends an empty script name: it cannot
 * fall back, so a daemon serves it whatever checkout it runs from.
 *
 * Relocatable: the entry finds its siblings from its own executable (/proc/self/exe): in a checkout
 * or package tree (<root>/build/hook/seccomp-tailor-hook) the Node runtime (<root>/runtime/bin/node
 * or the checkout's node_modules one), <root>/bin/seccomp-tailor-hook and -hookd; a copy anywhere
 * else has no Node and only talks to hookd; without /proc the compile-time paths.
 *
 *   seccomp-tailor-hook [--socket PATH] [--config FILE] [STAGE]
 *
 * --socket names hookd's socket in the hook configuration (default $SECCOMP_TAILOR_HOOKD, else
 * /run/seccomp-tailor/hookd.sock). An entry without a Node of its own talking to a named socket may
 * be served from another mount namespace (the agent's pod, which sees the host's paths through
 * host-path mounts); the pid namespace must still be ours. The other arguments go to the hook
 * unchanged.
 *
 * Never stuck: connect() has a timeout (a full listen queue blocks it otherwise) and the whole
 * exchange a deadline below the hook's configured timeout. When hookd cannot serve and there is
 * no Node hook to become, the container starts unrecorded and one line on stderr says so (exit 0),
 * unless the hook config (--config, else /etc/seccomp-tailor/hook.json) says onFailure: fail. */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../common/write-all.h"
#include "../common/json-scan.h"

#ifndef NODE_PATH
#define NODE_PATH "/usr/bin/node"
#endif
#ifndef HOOK_SCRIPT
#error "HOOK_SCRIPT (the Node hook entry) must be defined at build time"
#endif
#ifndef HOOKD_SCRIPT
#error "HOOKD_SCRIPT (bin/seccomp-tailor-hookd) must be defined at build time"
#endif
#define TAG "seccomp-tailor-hook"
#define DEFAULT_SOCKET "/run/seccomp-tailor/hookd.sock"
#define DEFAULT_HOOK_CONFIG "/etc/seccomp-tailor/hook.json"
#define MAX_STATE (1 << 20)
#define MAX_REPLY (1 << 20)
#define MAX_HOOK_CONFIG (64 << 10)
/* Both below the `timeout` the generated hook configurations carry (HOOK_TIMEOUT_SECONDS in
 * src/oci/hooks-config.ts, 30 s): the entry gives up and decides before the runtime kills it,
 * which would fail the container's creation. */
#define CONNECT_TIMEOUT_MS 2000
#define EXCHANGE_DEADLINE_MS 25000
/* Where the entry and the Node hook sit in a checkout and in the package's tree. */
#define ENTRY_IN_TREE "/build/hook/seccomp-tailor-hook"
#define SCRIPT_IN_TREE "/bin/seccomp-tailor-hook"

static char runtime_pid[24];

/* The Node side; have_node 0: a copy without one (the agent's host directory). */
static struct {
	char node[PATH_MAX + 256];
	char hook_script[PATH_MAX + 256];
	char hookd_script[PATH_MAX + 256];
	int have_node;
} sib;

struct entry_args {
	const char *socket; /* named in the hook configuration; NULL: $SECCOMP_TAILOR_HOOKD or the default */
	const char *config; /* the hook config the hook is given (for onFailure) */
	char **fwd;         /* what the hook gets: every argument but ours, NULL-terminated */
	int nfwd;
};

static int executable(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISREG(st.st_mode) && !access(p, X_OK);
}

static int regular(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISREG(st.st_mode);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a > b && !strcmp(s + a - b, suffix);
}

static void compile_time_siblings(void)
{
	snprintf(sib.node, sizeof(sib.node), "%s", NODE_PATH);
	snprintf(sib.hook_script, sizeof(sib.hook_script), "%s", HOOK_SCRIPT);
	snprintf(sib.hookd_script, sizeof(sib.hookd_script), "%s", HOOKD_SCRIPT);
	sib.have_node = executable(sib.node) && regular(sib.hook_script);
}

/* `self`: our executable's path, or NULL when /proc cannot tell. */
static void resolve_siblings(const char *self)
{
	char root[PATH_MAX];
	size_t rl;
	if (!self) {
		compile_time_siblings();
		return;
	}
	memset(&sib, 0, sizeof(sib));
	if (!ends_with(self, ENTRY_IN_TREE))
		return; /* copied out of its tree: no Node beside it, hookd only */
	rl = strlen(self) - strlen(ENTRY_IN_TREE);
	memcpy(root, self, rl);
	root[rl] = 0;
	snprintf(sib.hook_script, sizeof(sib.hook_script), "%s" SCRIPT_IN_TREE, root);
	snprintf(sib.hookd_script, sizeof(sib.hookd_script), "%s/bin/seccomp-tailor-hookd", root);
	/* The package's runtime/, else the checkout's node where the build found it. */
	snprintf(sib.node, sizeof(sib.node), "%s/runtime/bin/node", root);
	if (!executable(sib.node) && ends_with(HOOK_SCRIPT, SCRIPT_IN_TREE)) {
		size_t cl = strlen(HOOK_SCRIPT) - strlen(SCRIPT_IN_TREE);
		if (!strncmp(NODE_PATH, HOOK_SCRIPT, cl) && NODE_PATH[cl] == '/')
			snprintf(sib.node, sizeof(sib.node), "%s%s", root, &NODE_PATH[cl]);
	}
	sib.have_node = executable(sib.node) && regular(sib.hook_script);
	if (!sib.have_node)
		compile_time_siblings();
}

/* Our options out of argv; 0, or -1 when one lacks its value. */
static int parse_entry_args(int argc, char **argv, struct entry_args *a)
{
	memset(a, 0, sizeof(*a));
	a->fwd = calloc((size_t)argc + 1, sizeof(*a->fwd));
	if (!a->fwd)
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--socket")) {
			if (i + 1 >= argc || !*argv[i + 1])
				return -1;
			a->socket = argv[++i];
			continue;
		}
		if (!strncmp(s, "--socket=", 9)) {
			if (!s[9])
				return -1;
			a->socket = s + 9;
			continue;
		}
		if (!strcmp(s, "--config") && i + 1 < argc)
			a->config = argv[i + 1];
		else if (!strncmp(s, "--config=", 9))
			a->config = s + 9;
		a->fwd[a->nfwd++] = argv[i];
	}
	return 0;
}

/* node HOOK_SCRIPT --runtime-pid PPID ARGS...: the runtime stays identifiable after a fork. */
static void exec_node(const struct entry_args *e)
{
	char **a = calloc((size_t)e->nfwd + 5, sizeof(*a));
	int n = 0;
	if (!a)
		_exit(1);
	a[n++] = "node";
	a[n++] = sib.hook_script;
	a[n++] = "--runtime-pid";
	a[n++] = runtime_pid;
	for (int i = 0; i < e->nfwd; i++)
		a[n++] = e->fwd[i];
	a[n] = NULL;
	execv(sib.node, a);
	fprintf(stderr, TAG ": cannot run %s: %s\n", sib.node, strerror(errno));
	_exit(127);
}

/* The daemon failed after the state was read: give it to the Node hook through a pipe. */
static int node_with_input(const char *in, size_t n, const struct entry_args *e)
{
	int p[2], st;
	pid_t pid;
	if (pipe(p))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		exec_node(e);
	}
	close(p[0]);
	write_all(p[1], in, n);
	close(p[1]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The socket's directory must be ours alone: it is all that keeps others from the socket. */
static int dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (!n || n >= size)
		return -1;
	memcpy(dir, path, n);
	dir[n] = 0;
	return 0;
}

static int private_dir(const char *dir)
{
	struct stat st;
	return !lstat(dir, &st) && S_ISDIR(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 077);
}

static int same_namespace(pid_t peer, const char *kind)
{
	char mine[64], theirs[64], link[64];
	ssize_t a, b;
	snprintf(link, sizeof(link), "/proc/self/ns/%s", kind);
	a = readlink(link, mine, sizeof(mine));
	snprintf(link, sizeof(link), "/proc/%d/ns/%s", (int)peer, kind);
	b = readlink(link, theirs, sizeof(theirs));
	return a > 0 && a == b && !memcmp(mine, theirs, (size_t)a);
}

/* connect() without blocking: a Unix socket's full listen queue blocks a blocking connect until
 * the daemon accepts, and answers EAGAIN to a non-blocking one, so try again until the timeout. */
static int connect_within(int fd, const struct sockaddr_un *sa, long timeout_ms)
{
	long end = now_ms() + timeout_ms;
	for (;;) {
		if (!connect(fd, (const struct sockaddr *)sa, sizeof(*sa)))
			return 0;
		if (errno == EINPROGRESS) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int err = 0;
			socklen_t l = sizeof(err);
			long left = end - now_ms();
			if (left <= 0 || poll(&p, 1, (int)left) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) || err)
				return -1;
			return 0;
		}
		if ((errno != EAGAIN && errno != EINTR) || now_ms() >= end)
			return -1;
		usleep(10000);
	}
}

/* A connection only to a daemon running as root (as we are) in our pid namespace (the state's
 * pids are ours), and in our mount namespace: a daemon a hook started inside a private mount
 * namespace (a test's engine, say) would write profiles into that namespace's view of the paths.
 * `other_mnt_ok`: the configuration named the socket and this entry has no Node, so it never
 * starts a daemon and no hook started the one it finds: that is the agent's pod, which mounts the
 * host's paths on purpose. Returns the fd, -1 (none), -2 (one not to trust: start none). */
static int connect_hookd(const char *path, int other_mnt_ok)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char dir[sizeof(sa.sun_path)];
	int fd;
	if (strlen(path) >= sizeof(sa.sun_path) || dir_of(path, dir, sizeof(dir)) || !private_dir(dir))
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect_within(fd, &sa, CONNECT_TIMEOUT_MS)) {
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != geteuid() || cred.pid <= 0 ||
	    !same_namespace(cred.pid, "pid") || (!other_mnt_ok && !same_namespace(cred.pid, "mnt"))) {
		close(fd);
		return -2;
	}
	return fd;
}

/* fd moved to exactly `to`, inheritable (dup2 onto itself would keep FD_CLOEXEC). */
static void place_fd(int fd, int to)
{
	if (fd != to)
		dup2(fd, to);
	fcntl(to, F_SETFD, 0);
}

/* 0: a daemon we started is listening; 1: someone else holds the start lock; -1: failed. */
static int start_hookd(const char *path)
{
	char dir[108], file[160], idle[16];
	const char *idle_env = getenv("SECCOMP_TAILOR_HOOKD_IDLE");
	struct pollfd pfd;
	char ok = 0;
	int lock, ready[2], st;
	pid_t pid;
	if (dir_of(path, dir, sizeof(dir)))
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	if (!private_dir(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/hookd.lock", dir);
	lock = open(file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (lock < 0)
		return -1;
	if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
		close(lock);
		return errno == EWOULDBLOCK ? 1 : -1;
	}
	snprintf(idle, sizeof(idle), "%d", idle_env && atoi(idle_env) > 0 ? atoi(idle_env) : 600);
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(lock);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		/* Double fork + setsid: no controlling terminal, not the runtime's child to wait for. */
		setsid();
		if (fork() != 0)
			_exit(0);
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		snprintf(file, sizeof(file), "%s/hookd.log", dir);
		int log = open(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		int r = fcntl(ready[1], F_DUPFD_CLOEXEC, 10), l = fcntl(lock, F_DUPFD_CLOEXEC, 10);
		if (nul < 0 || r < 0 || l < 0)
			_exit(1);
		/* runc waits for EOF on the pipes it gave a hook as stdout/stderr: hand the daemon none. */
		place_fd(nul, 0);
		place_fd(nul, 1);
		place_fd(log >= 0 ? log : nul, 2);
		place_fd(r, 3);
		place_fd(l, 4); /* the start lock, held as long as the daemon lives */
		if (close_range(5, ~0U, 0) < 0)
			for (int fd = 5; fd < 1024; fd++)
				close(fd);
		execl(sib.node, "node", sib.hookd_script, "--socket", path, "--idle-exit", idle, "--ready-fd", "3", "--lock-fd", "4", (char *)NULL);
		_exit(127);
	}
	close(ready[1]);
	close(lock);
	if (pid < 0) {
		close(ready[0]);
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* hookd writes one byte once it listens; EOF means it gave up (its reason is in hookd.log). */
	pfd.fd = ready[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) == 1 && read(ready[0], &ok, 1) != 1)
		ok = 0;
	close(ready[0]);
	return ok == '1' ? 0 : -1;
}

/* A daemon to talk to, started if need be (only with a Node to run it); negative: none. */
static int hookd_fd(const char *path, int named)
{
	const char *autostart = getenv("SECCOMP_TAILOR_HOOKD_AUTOSTART");
	long deadline;
	int fd = connect_hookd(path, named && !sib.have_node);
	if (fd >= 0 || fd == -2 || !sib.have_node || geteuid() != 0 || (autostart && !strcmp(autostart, "0")))
		return fd;
	/* Another hook may be starting one right now: wait for it a little, then do without. */
	deadline = now_ms() + 2000;
	for (;;) {
		int r = start_hookd(path);
		if (r >= 0 && (fd = connect_hookd(path, 0)) >= 0)
			return fd;
		if (r < 0 || fd == -2 || now_ms() > deadline)
			return -1;
		usleep(5000);
	}
}

/* Waits until fd is ready for `events` or the deadline passes; 0 when ready. */
static int wait_fd(int fd, short events, long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long left = deadline - now_ms();
		int r;
		if (left <= 0)
			return -1;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int send_by(int fd, const void *buf, size_t len, long deadline)
{
	const char *p = buf;
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			if (wait_fd(fd, POLLOUT, deadline))
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The whole answer (until EOF), at most `max` bytes, by the deadline; its length or -1. */
static ssize_t receive_by(int fd, char *buf, size_t max, long deadline)
{
	size_t got = 0;
	while (got < max) {
		ssize_t r = read(fd, buf + got, max - got);
		if (r == 0)
			return (ssize_t)got;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			if (wait_fd(fd, POLLIN, deadline))
				return -1;
			continue;
		}
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* hookd's answer: "<exit code 0-255>\n<stderr text>"; 0 with *code and *text set, -1 when it
 * is "fallback", cut short or not an answer. */
static int parse_reply(const char *reply, size_t got, int *code, size_t *text_at)
{
	const char *nl = memchr(reply, '\n', got);
	int c = 0;
	if (!nl || nl == reply || nl - reply > 3)
		return -1;
	for (const char *p = reply; p < nl; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		c = c * 10 + (*p - '0');
	}
	if (c > 255)
		return -1;
	*code = c;
	*text_at = (size_t)(nl + 1 - reply);
	return 0;
}

/* The container's id from the OCI state, printable, for one line of text; and its status. */
static void describe_state(const char *in, size_t n, char *id, size_t idsz, char *status, size_t stsz)
{
	if (json_top_string(in, n, "id", id, idsz) != 1)
		snprintf(id, idsz, "?");
	if (json_top_string(in, n, "status", status, stsz) != 1)
		status[0] = 0;
	for (char *p = id; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			*p = '?';
}

/* The hook config's onFailure, read as the Node hook reads it: only a root-owned file nobody
 * else may write counts (anything else is the default, "start"). */
static int config_fails_closed(const char *text, size_t len)
{
	char v[16];
	return json_top_string(text, len, "onFailure", v, sizeof(v)) == 1 && !strcmp(v, "fail");
}

static int on_failure_fail(const char *path)
{
	char *buf;
	struct stat st;
	ssize_t r;
	size_t n = 0;
	int fd = open(path ? path : DEFAULT_HOOK_CONFIG, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), fail = 0;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) || st.st_size > MAX_HOOK_CONFIG || !(buf = malloc(MAX_HOOK_CONFIG + 1))) {
		close(fd);
		return 0;
	}
	while (n <= MAX_HOOK_CONFIG && (r = read(fd, buf + n, MAX_HOOK_CONFIG + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	if (n <= MAX_HOOK_CONFIG)
		fail = config_fails_closed(buf, n);
	free(buf);
	close(fd);
	return fail;
}

/* One line on stderr (the runtime shows it when the hook fails; runc keeps a successful hook's to
 * itself) and the same in syslog, where the administrator finds it either way. */
static void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, TAG ": %s\n", line);
#ifndef FUZZING
	openlog(TAG, LOG_PID, LOG_DAEMON);
	syslog(LOG_WARNING, "%s", line);
	closelog();
#endif
}

/* No hookd to serve and no Node hook to become: the container starts unrecorded, and says so. */
static int unrecorded(const struct entry_args *a, const char *in, size_t n, const char *why)
{
	char id[96], status[16];
	describe_state(in, n, id, sizeof(id), status, sizeof(status));
	if (!strcmp(status, "stopped")) {
		say("%s: container %s stopped; a recording of it, if any, is not saved", why, id);
		return 0;
	}
	if (on_failure_fail(a->config)) {
		say("%s: not starting container %s unrecorded (onFailure: fail)", why, id);
		return 1;
	}
	say("%s: container %s starts unrecorded", why, id);
	return 0;
}

#ifndef FUZZING
int main(int argc, char **argv)
{
	struct entry_args a;
	const char *path;
	char self[PATH_MAX], hdr[96], why[PATH_MAX + 64], *in, *reply;
	const char *script;
	size_t n = 0;
	ssize_t r, got;
	long deadline;
	int fd, code;
	size_t text_at;

	r = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (r > 0)
		self[r] = 0;
	resolve_siblings(r > 0 ? self : NULL);
	snprintf(runtime_pid, sizeof(runtime_pid), "%d", (int)getppid());
	if (parse_entry_args(argc, argv, &a)) {
		fprintf(stderr, TAG ": --socket needs a path\n");
		return 2;
	}
	path = a.socket ? a.socket : getenv("SECCOMP_TAILOR_HOOKD");
	if (!path || !*path)
		path = DEFAULT_SOCKET;
	deadline = now_ms() + EXCHANGE_DEADLINE_MS;
	fd = hookd_fd(path, a.socket != NULL);
	if (fd < 0 && sib.have_node)
		exec_node(&a); /* no daemon: be the Node hook */

	in = malloc(MAX_STATE + 1);
	reply = malloc(MAX_REPLY + 1);
	if (!in || !reply)
		return 1;
	while (n <= MAX_STATE && (r = read(0, in + n, MAX_STATE + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	if (fd < 0) {
		snprintf(why, sizeof(why), fd == -2 ? "the hookd at %s is not root in this pid namespace" : "no hookd answers at %s", path);
		return unrecorded(&a, in, n > MAX_STATE ? 0 : n, why);
	}
	if (n > MAX_STATE) { /* the Node hook reports it */
		close(fd);
		return sib.have_node ? node_with_input(in, n, &a) : unrecorded(&a, in, 0, "the OCI state is larger than 1 MiB");
	}

	script = sib.have_node ? sib.hook_script : "";
	snprintf(hdr, sizeof(hdr), "seccomp-tailor-hook 2 %s %d\n", runtime_pid, a.nfwd);
	int bad = send_by(fd, hdr, strlen(hdr), deadline) || send_by(fd, script, strlen(script) + 1, deadline);
	for (int i = 0; i < a.nfwd && !bad; i++)
		bad = send_by(fd, a.fwd[i], strlen(a.fwd[i]) + 1, deadline);
	if (!bad)
		bad = send_by(fd, in, n, deadline);
	if (!bad)
		bad = shutdown(fd, SHUT_WR);
	got = bad ? -1 : receive_by(fd, reply, MAX_REPLY, deadline);
	close(fd);
	if (got < 0 || parse_reply(reply, (size_t)got, &code, &text_at)) { /* died, timed out, or not ours */
		if (sib.have_node)
			return node_with_input(in, n, &a);
		snprintf(why, sizeof(why), got < 0 ? "the hookd at %s did not answer in time" : "the hookd at %s did not serve it", path);
		return unrecorded(&a, in, n, why);
	}
	write_all(2, reply + text_at, (size_t)got - text_at);
	return code;
}
#endif
