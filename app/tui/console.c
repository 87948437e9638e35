/* console: readline's callback interface driven from the TUI's key loop. */
#include "app/tui/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "app/cmd/dispatch.h"
#include "engine/core/utf8.h"
#include "engine/models/model.h"
#include "views/widgets/color.h"
#include "views/widgets/widgets.h"

#define CONSOLE_PROMPT ":"
#define CONSOLE_HISTORY_MAX 1000


static struct {
	struct console_hooks hooks;
	WINDOW *win;
	int focused;
	int dirty;
	int hscroll;		/* columns of the line scrolled off the left */
	unsigned char queue[16];	/* bytes readline will read next */
	int qhead, qlen;
	char *history_path;
	FILE *devnull;		/* readline's own output goes nowhere */
	int installed;
} con;

/* --- our input path ------------------------------------------------------ */

static int
console_getc(FILE *f)
{
	unsigned char c;

	(void)f;
	if (con.qlen == 0)
		return EOF;	/* not reached: we feed before we call */
	c = con.queue[con.qhead];
	con.qhead = (con.qhead + 1) % (int)sizeof con.queue;
	con.qlen--;
	return c;
}

/* Readline asks before it reads ahead; only our queue counts, never the
 * terminal (curses reads that). */
static int
console_input_available(void)
{
	return con.qlen > 0;
}

static void
console_feed(const char *bytes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (con.qlen == (int)sizeof con.queue)
			break;
		con.queue[(con.qhead + con.qlen) % (int)sizeof con.queue] =
		    (unsigned char)bytes[i];
		con.qlen++;
	}
	while (con.qlen > 0 && con.installed)
		rl_callback_read_char();
}

/* The terminal belongs to curses. */
static void
console_prep_term(int meta)
{
	(void)meta;
}

static void
console_deprep_term(void)
{
}

/* --- drawing ------------------------------------------------------------- */

void
console_paint(void)
{
	const char *prompt = rl_display_prompt ? rl_display_prompt :
	    CONSOLE_PROMPT;
	const char *line = rl_line_buffer ? rl_line_buffer : "";
	int w, pw, cw, avail;

	if (con.win == NULL)
		return;
	werase(con.win);
	if (!con.focused) {
		con.hscroll = 0;
		return;
	}
	w = getmaxx(con.win);
	pw = draw_text(con.win, 0, 0, w - 1, color_attr(CR_PROMPT), prompt);
	cw = utf8_width_n(line, (size_t)rl_point);
	avail = w - pw - 1;
	if (avail < 1)
		avail = 1;
	/* Keep the cursor in sight: scroll the line sideways. */
	if (cw - con.hscroll >= avail)
		con.hscroll = cw - avail + 1;
	if (cw < con.hscroll)
		con.hscroll = cw;
	draw_text(con.win, 0, pw, w - pw, 0, utf8_skip_cols(line, con.hscroll));
	wmove(con.win, 0, pw + cw - con.hscroll < w ? pw + cw - con.hscroll :
	    w - 1);
}

static void
console_redisplay(void)
{
	console_paint();
	con.dirty = 1;
}

int
console_take_dirty(void)
{
	int d = con.dirty;

	con.dirty = 0;
	return d;
}

void
console_set_window(WINDOW *w)
{
	con.win = w;
	if (w != NULL)
		leaveok(w, FALSE);
}

void
console_set_focus(int focused)
{
	con.focused = focused;
}

/* --- completion ---------------------------------------------------------- */

static const char *const *gen_words;	/* the list being offered */
static const char *gen_prefix = "";	/* prepended to each word */
static int gen_index;

static char *
word_generator(const char *text, int state)
{
	size_t len = strlen(text), plen = strlen(gen_prefix);

	if (state == 0)
		gen_index = 0;
	while (gen_words != NULL && gen_words[gen_index] != NULL) {
		const char *w = gen_words[gen_index++];

		if (plen + strlen(w) >= len &&
		    strncmp(gen_prefix, text, len < plen ? len : plen) == 0 &&
		    (len <= plen || strncmp(w, text + plen, len - plen) == 0)) {
			char *m = malloc(plen + strlen(w) + 1);

			if (m != NULL) {
				memcpy(m, gen_prefix, plen);
				strcpy(m + plen, w);
			}
			return m;
		}
	}
	return NULL;
}

/* Words of a '|' list, or of the command table, kept for the generator. */
static char *split_store;
static const char *split_words_buf[64];

static const char *const *
words_from_list(const char *list)
{
	char *p;
	int n = 0;

	free(split_store);
	if ((split_store = strdup(list)) == NULL)
		return NULL;
	for (p = strtok(split_store, "|"); p != NULL && n < 63;
	    p = strtok(NULL, "|"))
		split_words_buf[n++] = p;
	split_words_buf[n] = NULL;
	return split_words_buf;
}

static const char *command_words[128];

static const char *const *
words_of_commands(void)
{
	const cmd_entry *const *e = cmd_table();
	int n = 0;

	for (; *e != NULL && n < 127; e++)
		command_words[n++] = (*e)->name;
	command_words[n] = NULL;
	return command_words;
}

static const char *view_words[VIEW_COUNT + 1];

static const char *const *
words_of_views(void)
{
	int i;

	for (i = 0; i < VIEW_COUNT; i++)
		view_words[i] = view_all[i]->name;
	view_words[i] = NULL;
	return view_words;
}

/* Model names from the registry; "fused" where a fusion can stand in. */
static const char *model_words[32];

static const char *const *
words_of_models(int with_fused)
{
	const model_ops *const *all = model_all();
	int n = 0;

	for (; *all != NULL && n < 30; all++)
		model_words[n++] = (*all)->name;
	if (with_fused)
		model_words[n++] = "fused";
	model_words[n] = NULL;
	return model_words;
}

/* "name=" for each parameter of a model, for `train MODEL <Tab>`. */
static char param_store[64][40];
static const char *param_words[65];

static char param_model[64];	/* the model of the line being completed */

static const char *const *
words_of_params(const char *model_name)
{
	const model_ops *ops = model_lookup(model_name);
	int n = 0;

	if (ops == NULL)
		return NULL;
	for (int i = 0; i < ops->nparams && n < 64; i++) {
		snprintf(param_store[n], sizeof param_store[n], "%s=",
		    ops->params[i].name);
		param_words[n] = param_store[n];
		n++;
	}
	param_words[n] = NULL;
	return param_words;
}

/* "--name" for each option of the template (value options too). */
static char option_store[512];
static const char *option_words[CMD_MAX_OPTS + 1];

static const char *const *
words_of_options(const char *tmpl)
{
	char *p;
	int n = 0;

	snprintf(option_store, sizeof option_store, "%s", tmpl ? tmpl : "");
	for (p = strtok(option_store, " "); p != NULL && n < CMD_MAX_OPTS;
	    p = strtok(NULL, " ")) {
		size_t l = strlen(p);

		if (l > 0 && p[l - 1] == '=')
			p[l - 1] = '\0';
		option_words[n++] = p;
	}
	option_words[n] = NULL;
	return option_words;
}

/* Does option name (without "--", maybe "name=value") take the next word
 * as its value, by the entry's template? */
static int
option_takes_next(const cmd_entry *e, const char *name)
{
	const char *t = e->options ? e->options : "";
	size_t len = strlen(name);

	if (strchr(name, '=') != NULL)
		return 0;
	while (*t != '\0') {
		const char *end = strchr(t, ' ');
		size_t n = end ? (size_t)(end - t) : strlen(t);

		if (n == len + 1 && t[len] == '=' && strncmp(t, name, len) == 0)
			return 1;
		if (end == NULL)
			break;
		t = end + 1;
	}
	return 0;
}

/*
 * User or item ids of the snapshot (none before it is built: completing
 * never builds it).  There may be a million: every id is scanned for the
 * common prefix, but only the first CONSOLE_ID_SHOWN matches are listed.
 */
#define CONSOLE_ID_SHOWN 100

static char **
complete_ids(const char *text, int users)
{
	const dataset *ds = con.hooks.wb ?
	    workbench_dataset_peek(con.hooks.wb) : NULL;
	char *const *ids;
	char **m;
	size_t len = strlen(text), lcp = 0;
	const char *first = NULL;
	int n, i, found = 0, kept = 0;

	if (ds == NULL)
		return NULL;
	ids = users ? ds->user_ext : ds->item_ext;
	n = users ? ds->n_users : ds->n_items;
	if (ids == NULL ||
	    (m = calloc(CONSOLE_ID_SHOWN + 2, sizeof *m)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *id = ids[i];

		if (id == NULL || strncmp(id, text, len) != 0)
			continue;
		if (found++ == 0) {
			first = id;
			lcp = strlen(id);
		} else {
			size_t k = 0;

			while (k < lcp && first[k] == id[k])
				k++;
			lcp = k;
		}
		if (kept < CONSOLE_ID_SHOWN &&
		    (m[1 + kept] = strdup(id)) != NULL)
			kept++;
	}
	if (found == 0 || (m[0] = strndup(first, lcp)) == NULL) {
		for (i = 1; i <= kept; i++)
			free(m[i]);
		free(m);
		return NULL;
	}
	if (found == 1) {
		/* The one match is the completion itself. */
		free(m[1]);
		m[1] = NULL;
	}
	return m;
}

static char **
console_complete(const char *text, int start, int end)
{
	char *head, *p, *words[64];
	const char *spec = NULL;
	const cmd_entry *e;
	rf_error err;
	int nwords = 0, pos = 0, i, cmd_start = 0;

	(void)end;
	rl_attempted_completion_over = 1;
	gen_prefix = "";
	/* The command being typed starts after the last ';'. */
	for (i = 0; i < start; i++)
		if (rl_line_buffer[i] == ';')
			cmd_start = i + 1;
	if ((head = strndup(rl_line_buffer + cmd_start,
	    (size_t)(start - cmd_start))) == NULL)
		return NULL;
	for (p = strtok(head, " \t"); p != NULL && nwords < 64;
	    p = strtok(NULL, " \t"))
		words[nwords++] = p;
	if (nwords == 0) {
		free(head);
		gen_words = words_of_commands();
		return rl_completion_matches(text, word_generator);
	}
	if ((e = cmd_find(words[0], &err)) == NULL) {
		free(head);
		return NULL;
	}
	if (text[0] == '-') {
		free(head);
		gen_words = words_of_options(e->options);
		gen_prefix = "--";
		return rl_completion_matches(text, word_generator);
	}
	for (i = 1; i < nwords; i++) {
		if (strncmp(words[i], "--", 2) == 0 && words[i][2] != '\0') {
			if (option_takes_next(e, words[i] + 2)) {
				if (i + 1 == nwords) {
					/* Completing an option's value:
					 * --model takes a model name. */
					int is_model = strcmp(words[i] + 2,
					    "model") == 0;

					free(head);
					if (is_model) {
						gen_words = words_of_models(1);
						return rl_completion_matches(
						    text, word_generator);
					}
					rl_attempted_completion_over = 0;
					return NULL;
				}
				i++;
			}
			continue;
		}
		pos++;
	}
	/* The model a "param" completion is for: the first positional. */
	{
		const char *first = NULL;

		for (i = 1; i < nwords && first == NULL; i++)
			if (strncmp(words[i], "--", 2) != 0)
				first = words[i];
		snprintf(param_model, sizeof param_model, "%s",
		    first ? first : "");
	}
	free(head);
	for (i = 0; i < 4 && i <= pos; i++)
		if (e->complete[i] != NULL)
			spec = e->complete[i];	/* the last one repeats */
	if (spec == NULL)
		return NULL;
	if (strcmp(spec, "path") == 0) {
		rl_attempted_completion_over = 0;	/* file names */
		return NULL;
	}
	if (strcmp(spec, "model") == 0) {
		gen_words = words_of_models(0);
	} else if (strcmp(spec, "param") == 0) {
		if ((gen_words = words_of_params(param_model)) == NULL)
			return NULL;
		/* "factors=" takes its value right after the '='. */
		rl_completion_suppress_append = 1;
	}
	else if (strcmp(spec, "view") == 0)
		gen_words = words_of_views();
	else if (strcmp(spec, "command") == 0)
		gen_words = words_of_commands();
	else if (strchr(spec, '|') != NULL)
		gen_words = words_from_list(spec);
	else if (strcmp(spec, "user") == 0 || strcmp(spec, "item") == 0)
		return complete_ids(text, spec[0] == 'u');
	else
		return NULL;
	return rl_completion_matches(text, word_generator);
}

/* Readline would print the list below the prompt; we show it in the
 * message line instead. */
static void
console_show_matches(char **matches, int n, int longest)
{
	char buf[1024];
	size_t used = 0;
	int i;

	(void)longest;
	buf[0] = '\0';
	for (i = 1; i <= n; i++) {
		int k = snprintf(buf + used, sizeof buf - used, "%s%s",
		    i > 1 ? "  " : "", matches[i]);

		if (k < 0 || (size_t)k >= sizeof buf - used)
			break;
		used += (size_t)k;
	}
	if (con.hooks.note != NULL)
		con.hooks.note(con.hooks.ud, buf);
	rl_forced_update_display();
}

/* --- lines and history ----------------------------------------------------- */

static void
console_line(char *line)
{
	if (line != NULL) {
		size_t n = strlen(line);

		/* "stats " from a completion is "stats" in the history. */
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
	}
	if (line != NULL && *line != '\0') {
		HIST_ENTRY *last = history_length > 0 ?
		    history_get(history_base + history_length - 1) : NULL;

		if (last == NULL || strcmp(last->line, line) != 0) {
			add_history(line);
			if (con.history_path != NULL)
				append_history(1, con.history_path);
		}
	}
	if (con.hooks.line != NULL)
		con.hooks.line(con.hooks.ud, line);
	else
		free(line);
}

/* The history holds typed commands, perhaps with paths: private. */
static int
history_file_private(const char *path, char *err, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) < 0) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
console_init(const char *history_path, const struct console_hooks *h,
    char *err, size_t n)
{
	int rc = 0;

	memset(&con, 0, sizeof con);
	con.hooks = *h;
	rl_readline_name = "recfuse";
	rl_change_environment = 0;
	rl_catch_sigwinch = 0;
	rl_catch_signals = 0;
	rl_getc_function = console_getc;
	rl_input_available_hook = console_input_available;
	rl_redisplay_function = console_redisplay;
	rl_prep_term_function = console_prep_term;
	rl_deprep_term_function = console_deprep_term;
	rl_attempted_completion_function = console_complete;
	rl_completion_display_matches_hook = console_show_matches;
	if ((con.devnull = fopen("/dev/null", "w")) != NULL)
		rl_outstream = con.devnull;
	rl_instream = stdin;
	using_history();
	stifle_history(CONSOLE_HISTORY_MAX);
	if (history_path != NULL) {
		if (history_file_private(history_path, err, n) < 0) {
			rc = -1;	/* go on without a history file */
		} else if ((con.history_path = strdup(history_path)) != NULL) {
			read_history(con.history_path);
		}
	}
	/* Before the first initialisation, so ~/.inputrc can override. */
	rl_variable_bind("show-all-if-ambiguous", "on");
	rl_callback_handler_install(CONSOLE_PROMPT, console_line);
	con.installed = 1;
	/* After it: an audible bell goes to stderr, behind curses' back. */
	rl_variable_bind("bell-style", "none");
	return rc;
}

void
console_shutdown(void)
{
	if (con.installed)
		rl_callback_handler_remove();
	con.installed = 0;
	if (con.history_path != NULL)
		history_truncate_file(con.history_path, CONSOLE_HISTORY_MAX);
	free(con.history_path);
	con.history_path = NULL;
	free(split_store);
	split_store = NULL;
	clear_history();
	if (con.devnull != NULL) {
		rl_outstream = stdout;
		fclose(con.devnull);
		con.devnull = NULL;
	}
	con.win = NULL;
}

/* --- keys ---------------------------------------------------------------- */


void
console_key(int key)
{
	char c;

	switch (key) {
	case KEY_LEFT:
		c = CTRL('b');
		break;
	case KEY_RIGHT:
		c = CTRL('f');
		break;
	case KEY_UP:
		c = CTRL('p');
		break;
	case KEY_DOWN:
		c = CTRL('n');
		break;
	case KEY_HOME:
		c = CTRL('a');
		break;
	case KEY_END:
		c = CTRL('e');
		break;
	case KEY_BACKSPACE:
		c = 0x7f;
		break;
	case KEY_DC:
		/* Ctrl-D on an empty line would be end of input. */
		if (rl_end == 0 || rl_point >= rl_end)
			return;
		c = CTRL('d');
		break;
	case KEY_ENTER:
	case '\n':
		c = '\r';
		break;
	default:
		if (key < 0 || key > 0xff)
			return;		/* other function keys */
		c = (char)key;
		break;
	}
	console_feed(&c, 1);
}

int
console_searching(void)
{
	return RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH |
	    RL_STATE_SEARCH) != 0;
}

void
console_abort_search(void)
{
	char g = CTRL('g');	/* readline's abort: back to the line */

	if (con.installed && console_searching())
		console_feed(&g, 1);
}

void
console_cancel(void)
{
	if (!con.installed)
		return;
	console_abort_search();
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	rl_mark = 0;
	con.hscroll = 0;
	console_paint();
	con.dirty = 1;
}
