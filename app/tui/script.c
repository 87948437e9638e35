/* script: reading --script and --init files a step at a time. */
#include "app/tui/script.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <curses.h>

#include "engine/core/rf.h"

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Up", KEY_UP }, { "Down", KEY_DOWN }, { "Left", KEY_LEFT },
	{ "Right", KEY_RIGHT }, { "Enter", '\r' }, { "Esc", 27 },
	{ "Tab", '\t' }, { "Backspace", KEY_BACKSPACE },
	{ "BS", KEY_BACKSPACE }, { "Del", KEY_DC }, { "Home", KEY_HOME },
	{ "End", KEY_END }, { "PgUp", KEY_PPAGE }, { "PgDown", KEY_NPAGE },
	{ "Space", ' ' }, { "Colon", ':' }, { "LT", '<' },
};

int
script_open(struct script *s, const char *path, int commands_only)
{
	memset(s, 0, sizeof *s);
	if ((s->f = fopen(path, "r")) == NULL)
		return -1;
	s->name = path;
	s->commands_only = commands_only;
	return 0;
}

void
script_close(struct script *s)
{
	if (s->f != NULL)
		fclose(s->f);
	free(s->text);
	free(s->keys);
	memset(s, 0, sizeof *s);
}

static enum script_step script_error(struct script *s, const char *fmt, ...)
    RF_PRINTF(2, 3);

static enum script_step
script_error(struct script *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", s->name, s->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return SCRIPT_ERROR;
}

static int
add_key(struct script *s, int key, int cols, int lines)
{
	if (s->nkeys == s->keys_cap) {
		int cap = s->keys_cap ? s->keys_cap * 2 : 16;
		struct script_key *grown = realloc(s->keys,
		    (size_t)cap * sizeof *grown);

		if (grown == NULL)
			return -1;
		s->keys = grown;
		s->keys_cap = cap;
	}
	s->keys[s->nkeys].key = key;
	s->keys[s->nkeys].cols = cols;
	s->keys[s->nkeys].lines = lines;
	s->nkeys++;
	return 0;
}

/* Parse "<Name>" at p into a key; the bytes used, or -1 (said). */
static int
parse_key_name(struct script *s, const char *p)
{
	const char *end = strchr(p, '>');
	char name[64];
	size_t n, i;
	int lines, cols, key = -1;

	if (end == NULL || (n = (size_t)(end - p - 1)) >= sizeof name) {
		script_error(s, "unterminated key name: %s", p);
		return -1;
	}
	memcpy(name, p + 1, n);
	name[n] = '\0';
	if (sscanf(name, "Resize:%dx%d", &cols, &lines) == 2) {
		if (cols < 1 || lines < 1 || cols > 1000 || lines > 1000) {
			script_error(s, "bad size: %s", name);
			return -1;
		}
		key = KEY_RESIZE;
	} else if (n == 3 && name[0] == 'C' && name[1] == '-') {
		key = name[2] & 0x1f;
		cols = lines = 0;
	} else {
		cols = lines = 0;
	}
	for (i = 0; key < 0 && i < sizeof key_names / sizeof key_names[0];
	    i++)
		if (strcmp(name, key_names[i].name) == 0)
			key = key_names[i].key;
	if (key < 0) {
		script_error(s, "unknown key name: <%s>", name);
		return -1;
	}
	if (add_key(s, key, cols, lines) < 0) {
		script_error(s, "out of memory");
		return -1;
	}
	return (int)n + 2;
}

/* The next line that says something, its end of line cut; NULL at the
 * end. */
static char *
next_line(struct script *s)
{
	ssize_t n;

	for (;;) {
		if ((n = getline(&s->text, &s->cap, s->f)) == -1)
			return NULL;
		s->line++;
		while (n > 0 && (s->text[n - 1] == '\n' ||
		    s->text[n - 1] == '\r'))
			s->text[--n] = '\0';
		if (s->commands_only) {
			char *p = s->text;

			while (*p == ' ' || *p == '\t' || *p == ':')
				p++;
			if (*p != '\0' && *p != '#')
				return p;
		} else if (n > 0 && s->text[0] != '#') {
			return s->text;
		}
	}
}

enum script_step
script_next(struct script *s, const char **command)
{
	const char *p;

	s->nkeys = 0;
	if ((p = next_line(s)) == NULL)
		return SCRIPT_END;
	if (s->commands_only || *p == ':') {
		*command = s->commands_only ? p : p + 1;
		return SCRIPT_COMMAND;
	}
	while (*p != '\0') {
		int used = 1;

		if (*p == '<' && p[1] != '\0' && p[1] != '<') {
			if ((used = parse_key_name(s, p)) < 0)
				return SCRIPT_ERROR;
		} else if (add_key(s, (unsigned char)*p, 0, 0) < 0) {
			return script_error(s, "out of memory");
		}
		p += used;
	}
	return SCRIPT_KEYS;
}
