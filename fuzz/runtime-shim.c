/* libFuzzer harness for the runtime shim: the bundle's config.json (written by the engine from
 * the container author's image and annotations) edited as the shim edits it on `create`, its
 * settings file, and the runtime's argument vector. The shim's source is included whole, built
 * without its main (FUZZING). */
#define FUZZING 1
#define HOOK_CLIENT "/nonexistent/build/hook/seccomp-tailor-hook"
#define NODE_PATH "/nonexistent/node"
#define HOOK_SCRIPT "/nonexistent/bin/seccomp-tailor-hook"
#include "../native/runtime-shim/seccomp-tailor-runc.c"

#include <stdint.h>

static void edit_once(const char *text, size_t len, const struct settings *s, const char *id)
{
	json_error_t err;
	struct create_args c = { .command = "create", .bundle = NULL, .id = id };
	json_t *config = json_loadb(text, len, 0, &err);
	if (json_is_object(config) && edit_config(config, &c, s) == RECORDING) {
		char *out = json_dumps(config, JSON_COMPACT);
		json_t *again = out ? json_loads(out, 0, &err) : NULL;
		/* What the shim writes must read back, with both hooks once, whatever came in. */
		if (!again || !json_is_array(json_object_get(json_object_get(again, "hooks"), "prestart")))
			__builtin_trap();
		json_decref(again);
		free(out);
	}
	json_decref(config);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct settings recording, annotated;
	const char *text = (const char *)data;
	char *copy, *argv[65], stripped[PATH_MAX];
	struct create_args c;
	struct settings parsed = { 0 };
	json_error_t err;
	json_t *j;
	int argc = 1;

	if (size > MAX_CONFIG)
		return 0;
	snprintf(recording.entry, sizeof(recording.entry), "/opt/seccomp-tailor/bin/seccomp-tailor-hook");
	recording.record_dir = "/var/lib/seccomp-tailor/profiles";
	recording.hook_config = "/etc/seccomp-tailor/hook.json";
	recording.hookd_socket = "/run/seccomp-tailor/hookd.sock";
	snprintf(annotated.node, sizeof(annotated.node), "/usr/bin/node");
	snprintf(annotated.script, sizeof(annotated.script), "/nonexistent/bin/seccomp-tailor-hook");
	edit_once(text, size, &recording, "fuzz-container_1");
	edit_once(text, size, &annotated, "fuzz-container_2");

	/* The settings file, as load_settings reads it once it is trusted. */
	j = json_loadb(text, size, JSON_REJECT_DUPLICATES, &err);
	if (json_is_object(j)) {
		(void)str_key(j, "runtimePath");
		(void)str_key(j, "hookdSocket");
	}
	json_decref(j);

	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	/* A path is either refused whole or stripped to one that does not end in '/'. */
	if (strip_trailing_slashes(copy, stripped, sizeof(stripped)) == 0 && strlen(stripped) > 1 &&
	    stripped[strlen(stripped) - 1] == '/')
		__builtin_trap();
	argv[0] = "seccomp-tailor-runc";
	for (char *p = copy; argc < 64 && p <= copy + size; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	int first = parse_own_options(argc, argv, &parsed);
	if (first >= 0)
		parse_runtime_args(argc, argv, first, &c);
	(void)safe_name(copy, 128);
	free(copy);
	return 0;
}
