/* The hook's native entry. A Node process costs ~60-120 ms to start, twice per container
 * (prestart, poststop); when `seccomp-tailor hookd` runs, this hands it the hook's arguments and
 * OCI state over a root-only Unix socket and relays its answer (a few ms). When no daemon
 * listens it becomes the Node hook (exec, same pid), and if the daemon fails mid-way it feeds
 * the state it already read to the Node hook. No policy here: everything is decided in Node.
 *
 * Wire format (client -> daemon): "seccomp-tailor-hook 1 <runtime pid> <argc>\n", argc
 * NUL-terminated arguments, the OCI state bytes, then shutdown(SHUT_WR).
 * Daemon -> client: "<exit code>\n" followed by the text for standard error. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NODE_PATH
#define NODE_PATH "/usr/bin/node"
#endif
#ifndef HOOK_SCRIPT
#error "HOOK_SCRIPT (the Node hook entry) must be defined at build time"
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

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
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

int main(int argc, char **argv)
{
	const char *path = getenv("SECCOMP_TAILOR_HOOKD");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 60 };
	char hdr[96], *in, *reply, *nl;
	size_t n = 0, got = 0;
	ssize_t r;
	int fd;

	snprintf(runtime_pid, sizeof(runtime_pid), "%d", (int)getppid());
	if (!path || !*path)
		path = DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path))
		exec_node(argc, argv);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
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

	snprintf(hdr, sizeof(hdr), "seccomp-tailor-hook 1 %s %d\n", runtime_pid, argc - 1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	int bad = write_all(fd, hdr, strlen(hdr));
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
	if (!nl) /* the daemon died or timed out before answering */
		return node_with_input(in, n, argc, argv);
	write_all(2, nl + 1, got - (size_t)(nl + 1 - reply));
	return atoi(reply);
}
