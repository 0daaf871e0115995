/* seccomp-tailor-runc: a runc-compatible runtime for engines that run no OCI hooks (Docker,
 * containerd 1.6). On `create` and `run` it adds the seccomp-tailor hook to the bundle's
 * config.json when the container asks to be recorded, then every command becomes the real runtime
 * (execv: same pid, stdio, signals, exit code, console socket). No JavaScript runtime starts here:
 * Docker and containerd call the runtime for every state, kill, start and delete.
 *
 *   seccomp-tailor-runc [--runtime-path PATH] [--record-dir DIR] [--hook-config FILE]
 *                       [--hookd-socket PATH] [--shim-config FILE] RUNC-ARGS...
 *
 * The shim's options come first (dockerd puts runtimeArgs before its own arguments); everything
 * from the first other argument on is passed to the real runtime unchanged. containerd's
 * BinaryName takes no arguments, so the same settings can come from a root-owned JSON file
 * ($SECCOMP_TAILOR_SHIM_CONFIG, else runtime-shim.json beside this executable, else
 * /etc/seccomp-tailor/runtime-shim.json: runtimePath, recordDir, hookConfig, hookdSocket).
 *
 * Relocatable: the hook's native entry is found beside this executable (a host directory the
 * Kubernetes agent fills, such as /opt/seccomp-tailor/bin), else in its checkout or package tree
 * (<root>/build/hook/seccomp-tailor-hook when we are <root>/build/runtime-shim/seccomp-tailor-runc),
 * else at its compile-time path; without an entry, the tree's Node runtime runs the Node hook.
 * The hooks it adds carry a timeout, and the entry falls back (the container starts unrecorded,
 * and says so) when hookd does not answer in time, so a gone agent never stops a container.
 *
 * Which containers are recorded: those whose config.json carries the annotation
 * io.containers.trace-syscall (ctr --annotation, CRI pod_annotations, Docker >= 24 --annotation);
 * those carrying io.seccomp-tailor.shadow get the same hooks (shadow mode);
 * and with a record directory every container, into DIR/<id>.json (DIR/<name>-<id12>.json when
 * the engine names it in an annotation). The hook itself enforces the allowed directories of its
 * config. A failure here never stops the container unless the hook config says onFailure: fail. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "../common/write-all.h"

#ifndef HOOK_CLIENT
#error "HOOK_CLIENT (the hook's native entry) must be defined at build time"
#endif
#ifndef NODE_PATH
#define NODE_PATH "/usr/bin/node"
#endif
#ifndef HOOK_SCRIPT
#error "HOOK_SCRIPT (the Node hook entry) must be defined at build time"
#endif

#define TAG "seccomp-tailor-runc"
#define TRACE_ANNOTATION "io.containers.trace-syscall"
/* Shadow mode: the hook follows the container and evaluates this profile against it. */
#define SHADOW_ANNOTATION "io.seccomp-tailor.shadow"
#define DEFAULT_SHIM_CONFIG "/etc/seccomp-tailor/runtime-shim.json"
#define DEFAULT_HOOK_CONFIG "/etc/seccomp-tailor/hook.json"
#define MAX_CONFIG (4 << 20)
#define MAX_SETTINGS (64 << 10)
/* Seconds the runtime gives each hook (runc kills it and fails the container after that); the
 * entry's own deadline (native/hook-client, 25 s) is shorter, so it decides first. Same value as
 * HOOK_TIMEOUT_SECONDS in src/oci/hooks-config.ts. */
#define HOOK_TIMEOUT_SECONDS 30
#define SHIM_IN_TREE "/build/runtime-shim/seccomp-tailor-runc"
#define ENTRY_NAME "seccomp-tailor-hook"
/* Runtimes run hooks with exactly this environment; the hook spawns logger and runc by name. */
#define HOOK_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct settings {
	const char *runtime_path;
	const char *record_dir;
	const char *hook_config;
	const char *shim_config;
	const char *hookd_socket; /* the hook's native entry talks to this hookd (default: its own) */
	/* Resolved at start: the native entry to run as the hook, or (entry empty) node + script. */
	char entry[PATH_MAX + 64];
	char node[PATH_MAX + 64];
	char script[PATH_MAX + 64];
	char self_dir[PATH_MAX];
};

static void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
#ifdef FUZZING
	return; /* the harness runs millions of inputs: format, but say nothing */
#endif
	/* stderr reaches `runc` users and the engine's error on failure; syslog reaches the admin
	 * when the engine swallows a successful create's stderr. */
	fprintf(stderr, TAG ": %s\n", line);
	openlog(TAG, LOG_PID, LOG_DAEMON);
	syslog(LOG_WARNING, "%s", line);
	closelog();
}

/* Reads a file no larger than `max` without following a final symlink; NULL with errno set, or
 * EFBIG / EINVAL (not a regular file). `st` receives its stat. */
static char *read_bounded(int dirfd, const char *name, size_t max, size_t *len, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	char *buf;
	size_t n = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if ((size_t)st->st_size > max) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	/* st_size + slack: a file that grows meanwhile is still caught by the bound below. */
	size_t cap = (size_t)st->st_size + 4097 < max + 1 ? (size_t)st->st_size + 4097 : max + 1;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) { /* grew since fstat */
			free(buf);
			close(fd);
			errno = EFBIG;
			return NULL;
		}
		if (n == cap) {
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
	}
	close(fd);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* A root-owned JSON object nobody else may change, or NULL (a missing file is not a warning). */
static json_t *load_trusted(const char *path)
{
	struct stat st;
	size_t len;
	json_error_t err;
	char *text = read_bounded(AT_FDCWD, path, MAX_SETTINGS, &len, &st);
	json_t *j;
	if (!text) {
		if (errno != ENOENT)
			say("ignoring %s: %s", path, errno == EINVAL ? "not a regular file" : strerror(errno));
		return NULL;
	}
	if (st.st_uid != 0 || (st.st_mode & 022)) {
		say("ignoring %s: it must be owned by root and writable by root alone", path);
		free(text);
		return NULL;
	}
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	free(text);
	if (!json_is_object(j)) {
		say("ignoring %s: not a JSON object (%s)", path, j ? "wrong type" : err.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

static const char *str_key(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Our own options, before everything else; returns the index of the first runtime argument, or
 * -1 (said) when an option lacks its value. */
static int parse_own_options(int argc, char **argv, struct settings *s)
{
	int i = 1;
	while (i < argc) {
		const char *a = argv[i];
		const char **slot = NULL;
		const char *names[] = { "--runtime-path", "--record-dir", "--hook-config", "--shim-config", "--hookd-socket" };
		const char **slots[] = { &s->runtime_path, &s->record_dir, &s->hook_config, &s->shim_config, &s->hookd_socket };
		for (int k = 0; k < 5 && !slot; k++) {
			size_t l = strlen(names[k]);
			if (!strcmp(a, names[k])) {
				if (i + 1 >= argc) {
					fprintf(stderr, TAG ": %s needs a value\n", a);
					return -1;
				}
				*slots[k] = argv[i + 1];
				slot = slots[k];
				i += 2;
			} else if (!strncmp(a, names[k], l) && a[l] == '=') {
				*slots[k] = a + l + 1;
				slot = slots[k];
				i += 1;
			}
		}
		if (!slot)
			break;
	}
	return i;
}

static void load_settings(struct settings *s, int explicit_config)
{
	char beside[PATH_MAX + 32];
	const char *path = s->shim_config;
	json_t *j;
	if (!path && s->self_dir[0]) {
		snprintf(beside, sizeof(beside), "%s/runtime-shim.json", s->self_dir);
		if (!access(beside, F_OK))
			path = beside;
	}
	j = load_trusted(path ? path : DEFAULT_SHIM_CONFIG);
	if (j) {
		/* Command-line options win over the file. Values are kept for the process lifetime. */
		if (!s->runtime_path && str_key(j, "runtimePath"))
			s->runtime_path = strdup(str_key(j, "runtimePath"));
		if (!s->record_dir && str_key(j, "recordDir"))
			s->record_dir = strdup(str_key(j, "recordDir"));
		if (!s->hook_config && str_key(j, "hookConfig"))
			s->hook_config = strdup(str_key(j, "hookConfig"));
		if (!s->hookd_socket && str_key(j, "hookdSocket"))
			s->hookd_socket = strdup(str_key(j, "hookdSocket"));
		json_decref(j);
	} else if (explicit_config && access(s->shim_config, F_OK)) {
		say("ignoring --shim-config %s: %s", s->shim_config, strerror(errno));
	}
}

static int is_exec(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISREG(st.st_mode) && !access(p, X_OK);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a > b && !strcmp(s + a - b, suffix);
}

/* Where the hook's native entry (or, without one, node and the Node hook) is, from our own
 * executable's path `self` (NULL when /proc cannot tell: the compile-time paths). */
static void resolve_siblings(struct settings *s, const char *self)
{
	char root[PATH_MAX];
	const char *slash = self ? strrchr(self, '/') : NULL;
	s->entry[0] = s->node[0] = s->script[0] = s->self_dir[0] = 0;
	if (slash && slash > self && (size_t)(slash - self) < sizeof(s->self_dir)) {
		memcpy(s->self_dir, self, (size_t)(slash - self));
		s->self_dir[slash - self] = 0;
		snprintf(s->entry, sizeof(s->entry), "%s/" ENTRY_NAME, s->self_dir);
		if (is_exec(s->entry))
			return;
	}
	root[0] = 0;
	if (self && ends_with(self, SHIM_IN_TREE)) {
		size_t rl = strlen(self) - strlen(SHIM_IN_TREE);
		memcpy(root, self, rl);
		root[rl] = 0;
		snprintf(s->entry, sizeof(s->entry), "%s/build/hook/" ENTRY_NAME, root);
		if (is_exec(s->entry))
			return;
	}
	snprintf(s->entry, sizeof(s->entry), "%s", HOOK_CLIENT);
	if (is_exec(s->entry))
		return;
	s->entry[0] = 0;
	/* No entry built: node runs the Node hook itself (the package's runtime/ first). */
	if (root[0]) {
		snprintf(s->node, sizeof(s->node), "%s/runtime/bin/node", root);
		snprintf(s->script, sizeof(s->script), "%s/bin/" ENTRY_NAME, root);
		if (is_exec(s->node) && !access(s->script, R_OK))
			return;
	}
	snprintf(s->node, sizeof(s->node), "%s", NODE_PATH);
	snprintf(s->script, sizeof(s->script), "%s", HOOK_SCRIPT);
}

/* The real runtime: the configured path, else runc on PATH, else /usr/bin/runc, /usr/sbin/runc. */
static const char *find_runtime(const struct settings *s, char *buf, size_t size)
{
	const char *path = getenv("PATH");
	if (s->runtime_path) {
		if (is_exec(s->runtime_path))
			return s->runtime_path;
		fprintf(stderr, TAG ": the real runtime %s is missing or not executable\n", s->runtime_path);
		exit(127);
	}
	if (path) {
		char *copy = strdup(path), *save = NULL;
		for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			if (*d != '/')
				continue;
			snprintf(buf, size, "%s/runc", d);
			if (is_exec(buf)) {
				free(copy);
				return buf;
			}
		}
		free(copy);
	}
	if (is_exec("/usr/bin/runc"))
		return "/usr/bin/runc";
	if (is_exec("/usr/sbin/runc"))
		return "/usr/sbin/runc";
	fprintf(stderr, TAG ": the real runtime was not found: no runc on PATH (%s), /usr/bin/runc or /usr/sbin/runc; set --runtime-path\n", path ? path : "unset");
	exit(127);
}

/* runc's global options that take a value (urfave/cli accepts -x and --x, with "=" or apart). */
static int takes_value(const char *opt, const char *const *list)
{
	while (*opt == '-')
		opt++;
	for (; *list; list++) {
		size_t l = strlen(*list);
		if (!strncmp(opt, *list, l) && (opt[l] == 0))
			return 1;
	}
	return 0;
}

static const char *const GLOBAL_VALUE_OPTS[] = { "root", "log", "log-format", "criu", "rootless", NULL };
static const char *const CREATE_VALUE_OPTS[] = { "bundle", "b", "console-socket", "pid-file", "preserve-fds", NULL };

struct create_args {
	const char *command;
	const char *bundle; /* NULL: the current directory */
	const char *id;
};

static void parse_runtime_args(int argc, char **argv, int first, struct create_args *c)
{
	int i = first;
	memset(c, 0, sizeof(*c));
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--"))
			return;
		if (!strchr(a, '=') && takes_value(a, GLOBAL_VALUE_OPTS))
			i++;
	}
	if (i >= argc)
		return;
	c->command = argv[i++];
	if (strcmp(c->command, "create") && strcmp(c->command, "run"))
		return;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		const char *name = a;
		while (*name == '-')
			name++;
		const char *eq = strchr(name, '=');
		size_t nl = eq ? (size_t)(eq - name) : strlen(name);
		int is_bundle = (nl == 6 && !strncmp(name, "bundle", 6)) || (nl == 1 && name[0] == 'b');
		if (eq) {
			if (is_bundle)
				c->bundle = eq + 1;
		} else if (takes_value(a, CREATE_VALUE_OPTS)) {
			if (is_bundle && i + 1 < argc)
				c->bundle = argv[i + 1];
			i++;
		}
	}
	if (i < argc)
		c->id = argv[i];
}

/* An OCI id as a file name: what the registry accepts too. */
static int safe_name(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (!n || n > max || s[0] == '.' || s[0] == '-')
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return 0;
	return 1;
}

/* Names engines put in the spec: CRI (Kubernetes), nerdctl, CRI-O. Docker 20.10 puts none. */
static const char *engine_name(json_t *annotations)
{
	const char *keys[] = { "io.kubernetes.cri.container-name", "nerdctl/name", "io.kubernetes.container.name", NULL };
	for (int i = 0; keys[i]; i++) {
		const char *v = str_key(annotations, keys[i]);
		if (v && safe_name(v, 64))
			return v;
	}
	return NULL;
}

static json_t *hook_entry(const struct settings *s, const char *stage)
{
	json_t *args = json_array();
	json_t *env = json_array();
	const char *path = s->entry;
	if (!*path) {
		path = s->node;
		json_array_append_new(args, json_string("node"));
		json_array_append_new(args, json_string(s->script));
	} else {
		json_array_append_new(args, json_string(ENTRY_NAME));
		/* Named in the configuration, so the entry may reach a hookd in another mount namespace
		 * (the agent's pod). */
		if (s->hookd_socket && *s->hookd_socket) {
			json_array_append_new(args, json_string("--socket"));
			json_array_append_new(args, json_string(s->hookd_socket));
		}
	}
	if (s->hook_config) {
		json_array_append_new(args, json_string("--config"));
		json_array_append_new(args, json_string(s->hook_config));
	}
	json_array_append_new(args, json_string(stage));
	json_array_append_new(env, json_string(HOOK_PATH_ENV));
	return json_pack("{s:s, s:o, s:o, s:i}", "path", path, "args", args, "env", env, "timeout", HOOK_TIMEOUT_SECONDS);
}

/* Already there (podman's hooks.d, a hand-written config, a second shim in the chain)? Only a
 * hook that runs exactly our entry (or node with exactly our script) counts: the container's
 * author writes config.json's hooks too, and a decoy whose argument merely ends in our name must
 * not keep the real hook out. */
static int has_our_hook(json_t *list, const struct settings *s)
{
	size_t i;
	json_t *h;
	json_array_foreach(list, i, h) {
		const char *path = json_string_value(json_object_get(h, "path"));
		const char *a1 = json_string_value(json_array_get(json_object_get(h, "args"), 1));
		if (!path)
			continue;
		if (*s->entry && !strcmp(path, s->entry))
			return 1;
		if (!*s->entry && !strcmp(path, s->node) && a1 && !strcmp(a1, s->script))
			return 1;
	}
	return 0;
}

static int add_hook(json_t *config, const struct settings *s, const char *stage)
{
	json_t *hooks = json_object_get(config, "hooks");
	json_t *list;
	if (!hooks) {
		hooks = json_object();
		if (json_object_set_new(config, "hooks", hooks))
			return -1;
	}
	if (!json_is_object(hooks))
		return -1;
	list = json_object_get(hooks, stage);
	if (!list) {
		list = json_array();
		if (json_object_set_new(hooks, stage, list))
			return -1;
	}
	if (!json_is_array(list))
		return -1;
	if (has_our_hook(list, s))
		return 0;
	return json_array_append_new(list, hook_entry(s, stage));
}

/* Same directory temp file, fsync, rename, fsync of the directory: runc reads either the old or
 * the new config, never half of one, and a crash leaves one of them. */
static int replace_config(int dirfd, json_t *config, const struct stat *old)
{
	char tmp[64];
	char *text = json_dumps(config, JSON_INDENT(0) | JSON_COMPACT);
	int fd, ok = -1;
	if (!text)
		return -1;
	snprintf(tmp, sizeof(tmp), ".config.json.seccomp-tailor-%d", (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, old->st_mode & 07777);
	if (fd < 0) {
		free(text);
		return -1;
	}
	if (!write_all(fd, text, strlen(text)) && !fchown(fd, old->st_uid, old->st_gid) && !fchmod(fd, old->st_mode & 07777) && !fsync(fd))
		ok = 0;
	close(fd);
	free(text);
	if (!ok && renameat(dirfd, tmp, dirfd, "config.json"))
		ok = -1;
	if (ok) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	fsync(dirfd);
	return 0;
}

enum outcome { NOT_ASKED, RECORDING, FAILED };

/* The bundle path without trailing slashes ("/" stays): "link/" makes open() resolve the final
 * symlink whatever O_NOFOLLOW says, and the shim would then rewrite a config.json elsewhere. */
/* A path too long for out is refused, not cut: a truncated bundle path names another directory. */
static int strip_trailing_slashes(const char *in, char *out, size_t size)
{
	size_t n = strlen(in);
	while (n > 1 && in[n - 1] == '/')
		n--;
	if (n >= size) {
		out[0] = 0;
		return -1;
	}
	memcpy(out, in, n);
	out[n] = 0;
	return 0;
}

/* The JSON side of the create path, on a parsed config.json: adds the annotation (with a record
 * directory) and the hooks. RECORDING: config changed and to be written; NOT_ASKED: leave it;
 * FAILED: one line said. */
static enum outcome edit_config(json_t *config, const struct create_args *c, const struct settings *s)
{
	int want_all = s->record_dir != NULL;
	json_t *annotations = json_object_get(config, "annotations");
	if (annotations && !json_is_object(annotations)) {
		say("%s: config.json annotations is not an object: left untouched", c->id ? c->id : "?");
		return want_all ? FAILED : NOT_ASKED;
	}
	/* A shadowed container gets the hooks without a record directory too (the hook checks the
	 * file); with one, it is recorded as well. */
	int shadow_only = json_object_get(annotations, SHADOW_ANNOTATION) && !want_all;
	if (!json_object_get(annotations, TRACE_ANNOTATION) && !shadow_only) {
		char value[PATH_MAX + 8];
		const char *name;
		if (!want_all)
			return NOT_ASKED;
		if (!c->id || !safe_name(c->id, 128)) {
			say("container id \"%.80s\" is not a file name: not recorded", c->id ? c->id : "");
			return FAILED;
		}
		if (s->record_dir[0] != '/') {
			say("--record-dir %s is not absolute: not recorded", s->record_dir);
			return FAILED;
		}
		name = annotations ? engine_name(annotations) : NULL;
		if (name)
			snprintf(value, sizeof(value), "of:%s/%s-%.12s.json", s->record_dir, name, c->id);
		else
			snprintf(value, sizeof(value), "of:%s/%s.json", s->record_dir, c->id);
		if (!annotations) {
			annotations = json_object();
			json_object_set_new(config, "annotations", annotations);
		}
		/* The hook reads the annotation from the OCI state, which runc fills from config.json. */
		json_object_set_new(annotations, TRACE_ANNOTATION, json_string(value));
	}
	if (add_hook(config, s, "prestart") || add_hook(config, s, "poststop")) {
		say("%s: config.json hooks is malformed: not recorded", c->id ? c->id : "?");
		return FAILED;
	}
	return RECORDING;
}

/* The create path: returns FAILED with one line said when a requested recording cannot be set up.
 * The bundle directory is opened once, without following a symlink at any of its final
 * components, and config.json is read and replaced relative to that descriptor. */
static enum outcome prepare_bundle(const struct create_args *c, const struct settings *s)
{
	char bundle[PATH_MAX];
	int want_all = s->record_dir != NULL;
	int dirfd;
	struct stat st;
	size_t len;
	char *text;
	json_error_t err;
	json_t *config;
	enum outcome out;
	if (strip_trailing_slashes(c->bundle && *c->bundle ? c->bundle : ".", bundle, sizeof(bundle)) < 0) {
		say("%s: bundle path is longer than %d bytes: left untouched", c->id ? c->id : "?", PATH_MAX - 1);
		return want_all ? FAILED : NOT_ASKED;
	}
	dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		struct stat lst;
		int e = errno;
		say("%s: bundle %s is not a directory (%s): left untouched", c->id ? c->id : "?", bundle, !lstat(bundle, &lst) && S_ISLNK(lst.st_mode) ? "a symbolic link" : strerror(e));
		return want_all ? FAILED : NOT_ASKED;
	}
	text = read_bounded(dirfd, "config.json", MAX_CONFIG, &len, &st);
	if (!text) {
		say("%s: %s/config.json %s: left untouched", c->id ? c->id : "?", bundle,
		    errno == EFBIG ? "is larger than 4 MiB" : errno == ELOOP ? "is a symbolic link" : errno == EINVAL ? "is not a regular file" : strerror(errno));
		close(dirfd);
		return want_all ? FAILED : NOT_ASKED;
	}
	config = json_loadb(text, len, 0, &err);
	free(text);
	if (!json_is_object(config)) {
		say("%s: %s/config.json is not a JSON object (line %d: %s): left untouched", c->id ? c->id : "?", bundle, err.line, config ? "not an object" : err.text);
		json_decref(config);
		close(dirfd);
		return want_all ? FAILED : NOT_ASKED;
	}
	out = edit_config(config, c, s);
	if (out == RECORDING && replace_config(dirfd, config, &st)) {
		say("%s: cannot rewrite %s/config.json: %s: not recorded", c->id ? c->id : "?", bundle, strerror(errno));
		out = FAILED;
	}
	json_decref(config);
	close(dirfd);
	return out;
}

static int hook_fails_closed(const struct settings *s)
{
	json_t *j = load_trusted(s->hook_config ? s->hook_config : DEFAULT_HOOK_CONFIG);
	const char *v = j ? str_key(j, "onFailure") : NULL;
	int fail = v && !strcmp(v, "fail");
	json_decref(j);
	return fail;
}

#ifndef FUZZING
int main(int argc, char **argv)
{
	static struct settings s;
	struct create_args c;
	char found[PATH_MAX], self[PATH_MAX];
	const char *real;
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int first = parse_own_options(argc, argv, &s);
	if (first < 0)
		return 2;
	if (sl > 0)
		self[sl] = 0;
	resolve_siblings(&s, sl > 0 ? self : NULL);
	int explicit_config = s.shim_config != NULL;
	/* containerd's BinaryName and `ctr --runc-binary` take a path only; the engine's environment
	 * (set by its admin, inherited through containerd-shim) can still name the settings file. */
	if (!s.shim_config && getenv("SECCOMP_TAILOR_SHIM_CONFIG") && *getenv("SECCOMP_TAILOR_SHIM_CONFIG")) {
		s.shim_config = getenv("SECCOMP_TAILOR_SHIM_CONFIG");
		explicit_config = 1;
	}
	load_settings(&s, explicit_config);
	real = find_runtime(&s, found, sizeof(found));
	parse_runtime_args(argc, argv, first, &c);
	if (c.command && (!strcmp(c.command, "create") || !strcmp(c.command, "run"))) {
		if (prepare_bundle(&c, &s) == FAILED && hook_fails_closed(&s)) {
			fprintf(stderr, TAG ": %s: recording was requested and cannot be set up; not creating the container (onFailure: fail)\n", c.id ? c.id : "?");
			return 1;
		}
	}
	/* argv[first..] unchanged, behind the real runtime's own name. */
	argv[first - 1] = (char *)real;
	execv(real, argv + first - 1);
	fprintf(stderr, TAG ": cannot run the real runtime %s: %s\n", real, strerror(errno));
	return 127;
}
#endif
