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
 * this entry runs its own Node hook. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/write-all.h"

#ifndef NODE_PATH
#define NODE_PATH "/usr/bin/node"
#endif
#ifndef HOOK_SCRIPT
#error "HOOK_SCRIPT (the Node hook entry) must be defined at build time"
#endif
#ifndef HOOKD_SCRIPT
#error "HOOKD_SCRIPT (bin/seccomp-tailor-hookd) must be defined at build time"
#endif
#define DEFAULT_SOCKET "/run/seccomp-tailor/hookd.sock"
#define MAX_STATE (1 << 20)
#define MAX_REPLY (1 << 20)

static char runtime_pid[24];

/* node HOOK_SCRIPT --runtime-pid PPID ARGS...: the runtime stays identifiable after a fork. */
static void exec_node(int argc, char **argv)
{
	char **a = calloc((size_t)argc + 5, sizeof(*a));
	int n = 0;
	if (!a)
		_exit(1);
	a[n++] = "node";
	a[n++] = HOOK_SCRIPT;
	a[n++] = "--runtime-pid";
	a[n++] = runtime_pid;
	for (int i = 1; i < argc; i++)
		a[n++] = argv[i];
	a[n] = NULL;
	execv(NODE_PATH, a);
	fprintf(stderr, "seccomp-tailor-hook: cannot run %s: %s\n", NODE_PATH, strerror(errno));
	_exit(127);
}

/* The daemon failed after the state was read: give it to the Node hook through a pipe. */
static int node_with_input(const char *in, size_t n, int argc, char **argv)
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
		exec_node(argc, argv);
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

/* The same mount and pid namespace as ours: the daemon resolves the state's paths and pids. */
static int same_namespaces(pid_t peer)
{
	static const char *const kinds[] = { "mnt", "pid" };
	char mine[64], theirs[64], link[64];
	ssize_t a, b;
	if (peer <= 0)
		return 0; /* not visible from our pid namespace */
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(link, sizeof(link), "/proc/self/ns/%s", kinds[i]);
		a = readlink(link, mine, sizeof(mine));
		snprintf(link, sizeof(link), "/proc/%d/ns/%s", (int)peer, kinds[i]);
		b = readlink(link, theirs, sizeof(theirs));
		if (a <= 0 || a != b || memcmp(mine, theirs, (size_t)a))
			return 0;
	}
	return 1;
}

/* A connection only to a daemon running as root (as we are) in our namespaces: the state names
 * what to trace, and a daemon that a hook started inside a private mount namespace (a test's
 * engine, say) would write profiles into that namespace's view of the paths. */
static int connect_hookd(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char dir[sizeof(sa.sun_path)];
	int fd;
	if (strlen(path) >= sizeof(sa.sun_path) || dir_of(path, dir, sizeof(dir)) || !private_dir(dir))
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != geteuid() || !same_namespaces(cred.pid)) {
		close(fd);
		return -2; /* someone listens, but not a daemon to trust: do without, start none */
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
		execl(NODE_PATH, "node", HOOKD_SCRIPT, "--socket", path, "--idle-exit", idle, "--ready-fd", "3", "--lock-fd", "4", (char *)NULL);
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

/* A daemon to talk to, started if need be; negative means: be the Node hook. */
static int hookd_fd(const char *path)
{
	const char *autostart = getenv("SECCOMP_TAILOR_HOOKD_AUTOSTART");
	long deadline;
	int fd = connect_hookd(path);
	if (fd >= 0 || fd == -2 || geteuid() != 0 || (autostart && !strcmp(autostart, "0")))
		return fd;
	/* Another hook may be starting one right now: wait for it a little, then do without. */
	deadline = now_ms() + 2000;
	for (;;) {
		int r = start_hookd(path);
		if (r >= 0 && (fd = connect_hookd(path)) >= 0)
			return fd;
		if (r < 0 || fd == -2 || now_ms() > deadline)
			return -1;
		usleep(5000);
	}
}

int main(int argc, char **argv)
{
	const char *path = getenv("SECCOMP_TAILOR_HOOKD");
	struct timeval tv = { .tv_sec = 60 };
	char hdr[96], *in, *reply, *nl;
	size_t n = 0, got = 0;
	ssize_t r;
	int fd;

	snprintf(runtime_pid, sizeof(runtime_pid), "%d", (int)getppid());
	if (!path || !*path)
		path = DEFAULT_SOCKET;
	fd = hookd_fd(path);
	if (fd < 0)
		exec_node(argc, argv); /* no daemon: be the Node hook */

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
	if (n > MAX_STATE) /* the Node hook reports it */
		return node_with_input(in, n, argc, argv);

	snprintf(hdr, sizeof(hdr), "seccomp-tailor-hook 2 %s %d\n", runtime_pid, argc - 1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	int bad = write_all(fd, hdr, strlen(hdr)) || write_all(fd, HOOK_SCRIPT, sizeof(HOOK_SCRIPT));
	for (int i = 1; i < argc && !bad; i++)
		bad = write_all(fd, argv[i], strlen(argv[i]) + 1);
	if (!bad)
		bad = write_all(fd, in, n);
	if (bad || shutdown(fd, SHUT_WR))
		return node_with_input(in, n, argc, argv);
	while (got < MAX_REPLY && (r = read(fd, reply + got, MAX_REPLY - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
	}
	reply[got] = 0;
	nl = memchr(reply, '\n', got);
	if (!nl || !strncmp(reply, "fallback\n", 9)) /* died, timed out, or not ours */
		return node_with_input(in, n, argc, argv);
	write_all(2, nl + 1, got - (size_t)(nl + 1 - reply));
	return atoi(reply);
}
