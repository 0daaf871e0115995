/* json_top_string(): the string value of one key of a top-level JSON object, for the hook's
 * native entry, which must stay free of libraries (it is copied onto hosts that may lack them)
 * and needs two strings before any Node code runs: the OCI state's "id" and the hook config's
 * "onFailure". Bounded: nesting deeper than JSON_SCAN_MAX_DEPTH is malformed, nothing is
 * allocated, every read is checked against the end of the buffer. It validates the structure it
 * walks, not every detail of JSON (number syntax is loose); the entry only uses what it finds for
 * a message and one yes/no decision, and the full parse happens in Node. */
#pragma once
#include <stddef.h>
#include <string.h>

#define JSON_SCAN_MAX_DEPTH 64

struct json_scan {
	const char *p, *end;
};

static void js_ws(struct json_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int js_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string at s->p (which is '"'); copies it into out (when given, NUL-terminated, truncated to
 * outsz - 1 bytes; \u escapes become '?'). Returns 0, or -1 when malformed. */
static int js_string(struct json_scan *s, char *out, size_t outsz)
{
	size_t n = 0;
	if (s->p >= s->end || *s->p != '"')
		return -1;
	s->p++;
	while (s->p < s->end) {
		char c = *s->p++, put;
		if (c == '"') {
			if (out && outsz)
				out[n] = 0;
			return 0;
		}
		if ((unsigned char)c < 0x20)
			return -1;
		put = c;
		if (c == '\\') {
			if (s->p >= s->end)
				return -1;
			c = *s->p++;
			switch (c) {
			case '"': case '\\': case '/': put = c; break;
			case 'b': put = '\b'; break;
			case 'f': put = '\f'; break;
			case 'n': put = '\n'; break;
			case 'r': put = '\r'; break;
			case 't': put = '\t'; break;
			case 'u':
				if (s->end - s->p < 4 || !js_hex(s->p[0]) || !js_hex(s->p[1]) || !js_hex(s->p[2]) || !js_hex(s->p[3]))
					return -1;
				s->p += 4;
				put = '?';
				break;
			default:
				return -1;
			}
		}
		if (out && n + 1 < outsz)
			out[n++] = put;
	}
	return -1;
}

static int js_value(struct json_scan *s, int depth);

/* An object or array at s->p, whose members are skipped. */
static int js_container(struct json_scan *s, int depth)
{
	char close = *s->p == '{' ? '}' : ']';
	int object = close == '}';
	if (depth >= JSON_SCAN_MAX_DEPTH)
		return -1;
	s->p++;
	js_ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	for (;;) {
		js_ws(s);
		if (object) {
			if (js_string(s, NULL, 0))
				return -1;
			js_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return -1;
			s->p++;
		}
		if (js_value(s, depth + 1))
			return -1;
		js_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p != close)
			return -1;
		s->p++;
		return 0;
	}
}

static int js_literal(struct json_scan *s, const char *word)
{
	size_t l = strlen(word);
	if ((size_t)(s->end - s->p) < l || memcmp(s->p, word, l))
		return -1;
	s->p += l;
	return 0;
}

static int js_value(struct json_scan *s, int depth)
{
	js_ws(s);
	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{':
	case '[':
		return js_container(s, depth);
	case '"':
		return js_string(s, NULL, 0);
	case 't':
		return js_literal(s, "true");
	case 'f':
		return js_literal(s, "false");
	case 'n':
		return js_literal(s, "null");
	default: {
		const char *start = s->p;
		while (s->p < s->end && strchr("+-0123456789.eE", *s->p) && *s->p)
			s->p++;
		return s->p == start ? -1 : 0;
	}
	}
}

/* 1: found, the string is in out; 0: not there (or not a string); -1: not a JSON object. */
static int json_top_string(const char *buf, size_t len, const char *key, char *out, size_t outsz)
{
	struct json_scan s = { buf, buf + len };
	char name[128];
	int found = 0;
	js_ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return -1;
	s.p++;
	js_ws(&s);
	if (s.p < s.end && *s.p == '}')
		return 0;
	for (;;) {
		js_ws(&s);
		/* Keys longer than name[] are truncated: they cannot equal a short key we look for,
		 * unless their first 127 bytes do, which only our own keys (all short) would. */
		if (js_string(&s, name, sizeof(name)))
			return -1;
		js_ws(&s);
		if (s.p >= s.end || *s.p != ':')
			return -1;
		s.p++;
		js_ws(&s);
		/* The last of duplicate keys wins, as in JSON.parse, which reads the same text later. */
		if (!strcmp(name, key) && s.p < s.end && *s.p == '"') {
			if (js_string(&s, out, outsz))
				return -1;
			found = 1;
		} else if (js_value(&s, 1)) {
			return -1;
		}
		js_ws(&s);
		if (s.p >= s.end)
			return -1;
		if (*s.p == ',') {
			s.p++;
			continue;
		}
		if (*s.p != '}')
			return -1;
		s.p++;
		js_ws(&s);
		/* Trailing bytes after the object: not one JSON document. */
		return s.p == s.end ? found : -1;
	}
}
