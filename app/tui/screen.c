/* screen: curses, the windows of the layout and the frame around the
 * current view. */
#include "app/tui/screen.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "engine/core/utf8.h"
#include "views/widgets/color.h"
#include "views/widgets/widgets.h"

int
screen_start(struct screen *s, int headless, int color, int mouse)
{
	const char *term = getenv("TERM");

	if (headless) {
		s->term_out = fopen("/dev/null", "w");
		s->term_in = fopen("/dev/null", "r");
		if (s->term_out == NULL || s->term_in == NULL) {
			fprintf(stderr, "recfuse: /dev/null: %s\n",
			    strerror(errno));
			return -1;
		}
		s->term = newterm(term && *term ? term : "xterm",
		    s->term_out, s->term_in);
	} else {
		s->term = newterm(NULL, stdout, stdin);
	}
	if (s->term == NULL) {
		fprintf(stderr, "recfuse: cannot start the terminal (TERM=%s); "
		    "try --plain\n", term ? term : "");
		return -1;
	}
	set_term(s->term);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	color_init(color);
	if (mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
		    BUTTON5_PRESSED, NULL);
	else
		mousemask(0, NULL);
	curs_set(0);
	/* Once, so stdscr is no longer "touched" and getch() on it never
	 * paints over the windows. */
	wnoutrefresh(stdscr);
	return 0;
}

void
screen_stop(struct screen *s)
{
	screen_free_windows(s);
	if (s->term != NULL) {
		endwin();
		delscreen(s->term);
		s->term = NULL;
	}
	if (s->term_out != NULL)
		fclose(s->term_out);
	if (s->term_in != NULL)
		fclose(s->term_in);
	s->term_out = s->term_in = NULL;
}

void
screen_free_windows(struct screen *s)
{
	WINDOW **w[] = { &s->head, &s->view, &s->foot, &s->msg, &s->cons };
	size_t i;

	for (i = 0; i < sizeof w / sizeof w[0]; i++)
		if (*w[i] != NULL) {
			delwin(*w[i]);
			*w[i] = NULL;
		}
}

void
screen_layout(struct screen *s)
{
	screen_free_windows(s);
	s->too_small = LINES < SCREEN_MIN_LINES || COLS < SCREEN_MIN_COLS;
	if (s->too_small)
		return;
	s->head = newwin(1, COLS, 0, 0);
	s->view = newwin(LINES - 4, COLS, 1, 0);
	s->foot = newwin(1, COLS, LINES - 3, 0);
	s->msg = newwin(1, COLS, LINES - 2, 0);
	s->cons = newwin(1, COLS, LINES - 1, 0);
	if (s->head == NULL || s->view == NULL || s->foot == NULL ||
	    s->msg == NULL || s->cons == NULL) {
		screen_free_windows(s);
		s->too_small = 1;
		return;
	}
	leaveok(s->head, TRUE);
	leaveok(s->view, TRUE);
	leaveok(s->foot, TRUE);
	leaveok(s->msg, TRUE);
}

void
screen_draw_header(struct screen *s, workbench *wb, int current)
{
	WINDOW *w = s->head;
	int x, i, cols = getmaxx(w);
	const char *path = store_path(workbench_store(wb));
	const char *base = path ? strrchr(path, '/') : NULL;

	werase(w);
	draw_fill(w, 0, 0, cols, color_attr(CR_TITLE));
	x = draw_text(w, 0, 0, cols, color_attr(CR_TITLE), " recfuse ");
	for (i = 0; i < VIEW_COUNT; i++) {
		char tab[32];
		int role = i == current ? CR_TAB_ACTIVE : CR_TAB;

		snprintf(tab, sizeof tab, " %c %s ", view_all[i]->key,
		    view_all[i]->title);
		s->tab_x[i] = x + 1;
		x += 1 + draw_text(w, 0, x + 1, cols - x - 1,
		    color_attr((enum color_role)role), tab);
	}
	s->tab_x[VIEW_COUNT] = x;
	if (path != NULL) {
		const wb_run *r = workbench_run_current(wb);
		char right[256], job[3][128];
		int room = cols - x - 2, q = workbench_queue_length(wb);
		int k, rw;
		wb_task_progress tp;

		snprintf(right, sizeof right, "%s%s ", base ? base + 1 : path,
		    store_is_readonly(workbench_store(wb)) ?
		    " (read-only)" : "");
		rw = utf8_width(right);
		/* A background command, on every screen: "tune 3s" before
		 * the store's name (the message line says more). */
		if (workbench_task_progress(wb, &tp) == 0) {
			char task[64];
			int tw;

			snprintf(task, sizeof task, "%s %.0fs ", tp.what,
			    tp.elapsed);
			tw = utf8_width(task);
			if (tw + 1 < room) {
				draw_text_right(w, 0, x + 1, room + 1,
				    color_attr(CR_TAB_ACTIVE), task);
				room -= tw + 1;
			}
		}
		if (r == NULL) {
			if (room > 8)
				draw_text_right(w, 0, x + 1, room + 1,
				    color_attr(CR_TITLE), right);
			return;
		}
		/* While a job runs, on every screen: "training MODEL 3/15, 2
		 * queued" before the store's name, which gives way first;
		 * then shorter forms. */
		snprintf(job[0], sizeof job[0], "training %.24s %d/%d", r->model,
		    r->done, r->epochs);
		snprintf(job[1], sizeof job[1], "%.100s +%d", job[0], q);
		snprintf(job[2], sizeof job[2], "%.12s %d/%d +%d", r->model,
		    r->done, r->epochs, q);
		if (q > 0)
			snprintf(job[0] + strlen(job[0]), sizeof job[0] -
			    strlen(job[0]), ", %d queued", q);
		else
			job[1][0] = job[2][0] = '\0';
		if (utf8_width(job[0]) + 2 + rw <= room) {
			draw_text_right(w, 0, x + 1, room - rw,
			    color_attr(CR_TAB_ACTIVE), job[0]);
			draw_text_right(w, 0, x + 1, room + 1,
			    color_attr(CR_TITLE), right);
			return;
		}
		for (k = 0; k < 2 && job[k + 1][0] != '\0' &&
		    utf8_width(job[k]) + 1 > room; k++)
			;
		snprintf(right, sizeof right, "%s ", job[k]);
		draw_text_right(w, 0, x + 1, room + 1, color_attr(CR_TAB_ACTIVE),
		    right);
	}
}

static void
draw_key(WINDOW *w, int *x, int cols, const char *keys, const char *hint,
    int gap)
{
	if (*x >= cols - 1)
		return;
	*x += draw_text(w, 0, *x, cols - *x, color_attr(CR_FOOTER_KEY), keys);
	*x += draw_text(w, 0, *x, cols - *x, color_attr(CR_FOOTER), ":");
	*x += draw_text(w, 0, *x, cols - *x, color_attr(CR_FOOTER), hint);
	*x += draw_text(w, 0, *x, cols - *x, color_attr(CR_FOOTER),
	    gap > 1 ? "  " : " ");
}

/* The width of the hints shown[] with gaps of gap blanks. */
static int
footer_width(const struct key_hint *keys, int n, const char *shown, int gap)
{
	int x = 1;

	for (int i = 0; i < n; i++)
		if (shown[i])
			x += utf8_width(keys[i].keys) + 1 +
			    utf8_width(keys[i].hint) + gap;
	return x - gap;
}

void
screen_draw_footer(struct screen *s, const struct key_hint *keys, int n,
    int keep_last)
{
	WINDOW *w = s->foot;
	int cols = getmaxx(w), x = 1, gap = 2;
	char shown[64];

	werase(w);
	draw_fill(w, 0, 0, cols, color_attr(CR_FOOTER));
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++)
		shown[i] = keys[i].hint != NULL;
	/* Narrow: single gaps, then the hints before the last keep_last
	 * go from the right, so that no hint is ever cut. */
	if (footer_width(keys, n, shown, gap) > cols)
		gap = 1;
	for (int i = n - keep_last - 1; i >= 0 &&
	    footer_width(keys, n, shown, gap) > cols; i--)
		shown[i] = 0;
	for (int i = 0; i < n; i++)
		if (shown[i])
			draw_key(w, &x, cols, keys[i].keys, keys[i].hint, gap);
}

void
screen_draw_message(struct screen *s, int is_error, const char *text)
{
	werase(s->msg);
	draw_text(s->msg, 0, 0, getmaxx(s->msg),
	    color_attr(is_error ? CR_ERROR : CR_MESSAGE), text);
}

void
screen_draw_too_small(void)
{
	char msg[64];
	int y = LINES / 2, len;

	werase(stdscr);
	snprintf(msg, sizeof msg, "terminal too small: %dx%d (need %dx%d)",
	    COLS, LINES, SCREEN_MIN_COLS, SCREEN_MIN_LINES);
	len = (int)strlen(msg);
	draw_text(stdscr, y, COLS > len ? (COLS - len) / 2 : 0, COLS, 0, msg);
	wnoutrefresh(stdscr);
}

int
screen_tab_at(const struct screen *s, int x)
{
	for (int i = 0; i < VIEW_COUNT; i++)
		if (x >= s->tab_x[i] && x < s->tab_x[i + 1])
			return i;
	return -1;
}

/* One screen row as UTF-8 (or the locale's bytes), trailing blanks cut:
 * each cell's characters encoded, a wide one (as utf8_width measures it)
 * filling the cells after it. */
static int
dump_row(FILE *f, int y, int cols, cchar_t *cells, char *out)
{
	size_t len = 0, keep = 0;
	int x;

	mvwin_wchnstr(curscr, y, 0, cells, cols);
	for (x = 0; x < cols; x++) {
		wchar_t wch[CCHARW_MAX + 1];
		attr_t attrs;
		short pair;
		mbstate_t st;
		size_t start = len;
		int k, wd;

		if (getcchar(&cells[x], wch, &attrs, &pair, NULL) == ERR ||
		    wch[0] == L'\0')
			wch[0] = L' ', wch[1] = L'\0';
		memset(&st, 0, sizeof st);
		for (k = 0; wch[k] != L'\0' && k < CCHARW_MAX; k++) {
			size_t n = wcrtomb(out + len, wch[k], &st);

			if (n == (size_t)-1)
				out[len++] = '?';
			else
				len += n;
		}
		if (wch[0] != L' ')
			keep = len;
		wd = utf8_width_n(out + start, len - start);
		if (wd > 1)
			x += wd - 1;
	}
	out[keep] = '\n';
	return fwrite(out, 1, keep + 1, f) == keep + 1 ? 0 : -1;
}

int
screen_dump(FILE *f)
{
	cchar_t *cells = calloc((size_t)COLS + 1, sizeof *cells);
	char *out = malloc(((size_t)COLS + 1) * CCHARW_MAX * MB_LEN_MAX + 2);
	int y, rc = 0;

	if (cells == NULL || out == NULL)
		rc = -1;
	for (y = 0; y < LINES && rc == 0; y++)
		rc = dump_row(f, y, COLS, cells, out);
	free(cells);
	free(out);
	return rc;
}
