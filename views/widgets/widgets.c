/* widgets: text, bars, sliders, tables and charts for the views. */
#include "views/widgets/widgets.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "engine/core/utf8.h"

#include "views/widgets/color.h"

static int use_unicode, use_utf8, use_braille;

void
widgets_init(int unicode, int utf8, int braille)
{
	use_unicode = unicode && utf8;
	use_utf8 = utf8;
	use_braille = use_unicode && braille;
}

int
widgets_unicode(void)
{
	return use_unicode;
}

int
widgets_braille(void)
{
	return use_braille;
}

/* The next character of s as drawn: engine/core/utf8.h's walker, with
 * control and undecodable bytes shown as '?' and a tab as a blank; in a
 * locale that is not UTF-8 every byte above ASCII is one '?'. */
static size_t
next_char(const char *s, wchar_t *wc, int *cols)
{
	unsigned char c = (unsigned char)*s;
	size_t n;

	if (c == '\t' || (c >= 0x80 && !use_utf8)) {
		*wc = c == '\t' ? L' ' : L'?';
		*cols = 1;
		return 1;
	}
	n = utf8_next(s, strnlen(s, MB_LEN_MAX), wc, cols);
	if (*wc == L'\0')
		*wc = L'?';
	return n;
}

/* Is (y, x) inside the window? */
static int
inside(WINDOW *w, int y, int x)
{
	return y >= 0 && x >= 0 && y < getmaxy(w) && x < getmaxx(w);
}

static void
put_wch(WINDOW *w, int y, int x, wchar_t wc, int attr)
{
	cchar_t cc;
	wchar_t s[2] = { wc, L'\0' };

	if (!inside(w, y, x))
		return;
	setcchar(&cc, s, (attr_t)(attr & ~A_COLOR),
	    (short)PAIR_NUMBER(attr), NULL);
	mvwadd_wch(w, y, x, &cc);
}

int
draw_text(WINDOW *w, int y, int x, int width, int attr, const char *s)
{
	wchar_t buf[512];
	unsigned char width_of[512];
	int used = 0, n = 0, cols, cut = 0;
	wchar_t wc;

	if (s == NULL || width <= 0 || y < 0 || y >= getmaxy(w) || x < 0)
		return 0;
	if (x + width > getmaxx(w))
		width = getmaxx(w) - x;
	if (width <= 0)
		return 0;
	while (*s != '\0') {
		size_t len = next_char(s, &wc, &cols);

		if (used + cols > width || n >= (int)(sizeof buf /
		    sizeof buf[0]) - 2) {
			cut = 1;
			break;
		}
		width_of[n] = (unsigned char)cols;
		buf[n++] = wc;
		used += cols;
		s += len;
	}
	if (cut) {
		/* Make room for the mark of the cut. */
		while (n > 0 && used + 1 > width)
			used -= width_of[--n];
		buf[n++] = use_unicode ? L'\x2026' : L'~';
		used++;
	}
	buf[n] = L'\0';
	wattr_on(w, (attr_t)attr, NULL);
	mvwaddnwstr(w, y, x, buf, n);
	wattr_off(w, (attr_t)attr, NULL);
	return used;
}

int
draw_text_right(WINDOW *w, int y, int x, int width, int attr, const char *s)
{
	int tw = utf8_width(s);

	if (tw >= width)
		return draw_text(w, y, x, width, attr, s);
	return draw_text(w, y, x + width - tw, tw, attr, s);
}

int
draw_printf(WINDOW *w, int y, int x, int width, int attr, const char *fmt,
    ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return draw_text(w, y, x, width, attr, buf);
}

void
draw_fill(WINDOW *w, int y, int x, int width, int attr)
{
	int i;

	if (y < 0 || y >= getmaxy(w))
		return;
	wattr_on(w, (attr_t)attr, NULL);
	for (i = 0; i < width && x + i < getmaxx(w); i++)
		if (x + i >= 0)
			mvwaddch(w, y, x + i, ' ');
	wattr_off(w, (attr_t)attr, NULL);
}

void
draw_heading(WINDOW *w, int y, int x, int width, const char *title)
{
	int used = draw_text(w, y, x, width, color_attr(CR_HEADING), title);
	int i;

	for (i = used + 1; i < width; i++)
		put_wch(w, y, x + i, use_unicode ? L'\x2500' : L'-',
		    color_attr(CR_DIM));
}

void
draw_bar(WINDOW *w, int y, int x, int width, double frac, int attr)
{
	/* U+258F..U+2589: 1/8 .. 7/8 left blocks; U+2588 full. */
	static const wchar_t eighths[8] = { L' ', L'\x258f', L'\x258e',
		L'\x258d', L'\x258c', L'\x258b', L'\x258a', L'\x2589' };
	int units, full, i;

	if (width <= 0)
		return;
	if (!(frac > 0))	/* NaN too */
		frac = 0;
	if (frac > 1)
		frac = 1;
	if (use_unicode) {
		units = (int)lround(frac * width * 8);
		full = units / 8;
		for (i = 0; i < full; i++)
			put_wch(w, y, x + i, L'\x2588', attr);
		if (full < width && units % 8 != 0)
			put_wch(w, y, x + full, eighths[units % 8], attr);
		/* A tiny non-zero value still shows. */
		if (units == 0 && frac > 0)
			put_wch(w, y, x, eighths[1], attr);
	} else {
		full = (int)lround(frac * width);
		if (full == 0 && frac > 0)
			full = 1;
		for (i = 0; i < full; i++)
			put_wch(w, y, x + i, L'#', attr);
	}
}

void
draw_slider(WINDOW *w, int y, int x, int width, double value, double min,
    double max, int selected)
{
	int track = width - 2, pos, i;
	int attr = selected ? color_attr(CR_SELECTED) : color_attr(CR_NORMAL);

	if (track < 1)
		return;
	pos = max > min ? (int)lround((value - min) / (max - min) *
	    (track - 1)) : 0;
	if (pos < 0)
		pos = 0;
	if (pos > track - 1)
		pos = track - 1;
	put_wch(w, y, x, L'[', attr);
	for (i = 0; i < track; i++) {
		wchar_t c = i < pos ? (use_unicode ? L'\x2501' : L'=') :
		    (use_unicode ? L'\x2500' : L'-');

		if (i == pos)
			c = use_unicode ? L'\x25cf' : L'O';
		put_wch(w, y, x + 1 + i, c, i <= pos ?
		    color_attr(CR_BAR) | (selected ? (int)A_BOLD : 0) : attr);
	}
	put_wch(w, y, x + 1 + track, L']', attr);
}

/* --- tables -------------------------------------------------------------- */

int
draw_table(WINDOW *w, int y, int x, int h, int width, const rf_table *t,
    const int *cols, int ncols, int first, int selected)
{
	int widths[64], shown[64] = { 0 }, n = 0, i, r, total, line;

	if (t == NULL || h <= 0 || width <= 0)
		return 0;
	if (cols == NULL)
		ncols = t->ncols;
	for (i = 0; i < ncols && n < 64; i++) {
		int c = cols ? cols[i] : i;

		if (c >= 0 && c < t->ncols)
			shown[n++] = c;
	}
	if (first < 0)
		first = 0;
	/* Natural widths over the rows that will be drawn. */
	table_column_widths(t, shown, n, first, h - 1, widths);
	total = 0;
	for (i = 0; i < n; i++)
		total += widths[i] + (i > 0 ? 2 : 0);
	/* Too wide: cut text columns from the right (callers put the
	 * important columns first) down to 8 columns, then drop columns. */
	while (total > width) {
		int victim = -1;

		for (i = n - 1; i >= 0 && victim < 0; i--)
			if (t->types[shown[i]] == COL_TEXT && widths[i] > 8)
				victim = i;
		if (victim >= 0) {
			int cut = total - width;

			if (cut > widths[victim] - 8)
				cut = widths[victim] - 8;
			widths[victim] -= cut;
			total -= cut;
			continue;
		}
		if (n <= 1) {
			widths[0] = width;
			break;
		}
		total -= widths[n - 1] + 2;
		n--;
	}
	line = 0;
	{
		int cx = x;

		for (i = 0; i < n; i++) {
			if (t->types[shown[i]] == COL_TEXT)
				draw_text(w, y, cx, widths[i],
				    color_attr(CR_LABEL), t->names[shown[i]]);
			else
				draw_text_right(w, y, cx, widths[i],
				    color_attr(CR_LABEL), t->names[shown[i]]);
			cx += widths[i] + 2;
		}
		line++;
	}
	for (r = first; r < t->nrows && line < h; r++, line++) {
		int cx = x, attr = color_attr(CR_NORMAL);

		if (r == selected) {
			attr = color_attr(CR_SELECTED);
			draw_fill(w, y + line, x, width, attr);
		}
		for (i = 0; i < n; i++) {
			const char *cell = table_get(t, r, shown[i]);

			if (cell == NULL)
				draw_text_right(w, y + line, cx, widths[i],
				    attr | color_attr(CR_DIM), "-");
			else if (t->types[shown[i]] == COL_TEXT)
				draw_text(w, y + line, cx, widths[i], attr,
				    cell);
			else
				draw_text_right(w, y + line, cx, widths[i],
				    attr, cell);
			cx += widths[i] + 2;
		}
	}
	return line;
}

/* --- charts -------------------------------------------------------------- */

static void
format_axis(char *buf, size_t n, double v)
{
	double a = fabs(v);

	if (a != 0 && (a >= 100000 || a < 0.001))
		snprintf(buf, n, "%.1e", v);
	else if (a >= 100)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.3g", v);
}

/* A dot canvas: width*2 x h*4 for braille, width x h*3 for ASCII. */
struct canvas {
	int pw, ph;		/* points */
	unsigned char *bits;	/* braille: bits per cell; ascii: level+1 */
	unsigned char *owner;	/* series index + 1 per cell, for colour */
	int cw, ch;
};

static void
canvas_plot(struct canvas *c, int px, int py, int series)
{
	int cx, cy, bit;

	if (px < 0 || py < 0 || px >= c->pw || py >= c->ph)
		return;
	if (use_unicode) {
		/* Braille dots: left column 1,2,3,7, right column 4,5,6,8
		 * (Unicode 2800..28FF, dot n = bit n-1). */
		static const unsigned char dots[2][4] = {
			{ 0x01, 0x02, 0x04, 0x40 }, { 0x08, 0x10, 0x20, 0x80 }
		};

		cx = px / 2;
		cy = py / 4;
		bit = dots[px % 2][py % 4];
		c->bits[cy * c->cw + cx] |= (unsigned char)bit;
	} else {
		cx = px;
		cy = py / 3;
		/* Mark every level touched: 1 top, 2 middle, 4 bottom. */
		c->bits[cy * c->cw + cx] |= (unsigned char)(1 << (py % 3));
	}
	c->owner[cy * c->cw + cx] = (unsigned char)(series + 1);
}

static wchar_t
ascii_cell(unsigned char levels)
{
	switch (levels) {
	case 0:
		return L' ';
	case 1:
		return L'\'';
	case 2:
		return L'-';
	case 4:
		return L'.';
	default:
		return L'|';	/* a steep part crosses the cell */
	}
}

/* The value of series s at point column px of pw: with fewer samples than
 * columns, the line between the two nearest samples; with more, the mean of
 * the samples that fall into the column.  0 when there is none (a gap). */
static int
series_at(const struct chart_series *s, int px, int pw, double *out)
{
	double sum = 0;
	int i, i0, i1, cnt = 0;

	if (s->n <= pw) {
		double t, va, vb;

		if (s->n == 1 || pw == 1) {
			*out = s->v[0];
			return isfinite(*out);
		}
		t = (double)px * (s->n - 1) / (pw - 1);
		i0 = (int)floor(t);
		if (i0 >= s->n - 1)
			i0 = s->n - 2;
		va = s->v[i0];
		vb = s->v[i0 + 1];
		if (!isfinite(va) || !isfinite(vb))
			return 0;
		*out = va + (vb - va) * (t - i0);
		return 1;
	}
	i0 = (int)((long)px * s->n / pw);
	i1 = (int)((long)(px + 1) * s->n / pw);
	for (i = i0; i < i1 && i < s->n; i++)
		if (isfinite(s->v[i])) {
			sum += s->v[i];
			cnt++;
		}
	if (cnt == 0)
		return 0;
	*out = sum / cnt;
	return 1;
}

/* The y range of the series (widened when flat) and its labels; 0, -1
 * when there is nothing finite to draw. */
static int
chart_range(const struct chart_series *s, int nseries, double *lo_out,
    double *hi_out, char *top, char *bot, size_t n)
{
	double lo = INFINITY, hi = -INFINITY;

	for (int k = 0; k < nseries; k++)
		for (int i = 0; i < s[k].n; i++)
			if (isfinite(s[k].v[i])) {
				if (s[k].v[i] < lo)
					lo = s[k].v[i];
				if (s[k].v[i] > hi)
					hi = s[k].v[i];
			}
	if (!(lo <= hi))
		return -1;
	if (hi - lo < 1e-12 * (fabs(hi) + 1)) {
		hi += 0.5 * (fabs(hi) + 1e-3);
		lo -= 0.5 * (fabs(lo) + 1e-3);
	}
	format_axis(top, n, hi);
	format_axis(bot, n, lo);
	*lo_out = lo;
	*hi_out = hi;
	return 0;
}

int
chart_label_width(const struct chart_series *s, int nseries)
{
	char top[32], bot[32];
	double lo, hi;

	if (chart_range(s, nseries, &lo, &hi, top, bot, sizeof top) < 0)
		return 0;
	return utf8_width(top) > utf8_width(bot) ? utf8_width(top) :
	    utf8_width(bot);
}

int
draw_chart(WINDOW *w, int y, int x, int h, int width,
    const struct chart_series *s, int nseries, int label_min)
{
	double lo, hi;
	char top[32], bot[32];
	int label_w, pw, i, k;
	struct canvas c;

	if (h < 2 || width < 12 ||
	    chart_range(s, nseries, &lo, &hi, top, bot, sizeof top) < 0)
		return -1;
	label_w = utf8_width(top) > utf8_width(bot) ? utf8_width(top) :
	    utf8_width(bot);
	if (label_w < label_min)
		label_w = label_min;
	draw_text_right(w, y, x, label_w, color_attr(CR_DIM), top);
	draw_text_right(w, y + h - 1, x, label_w, color_attr(CR_DIM), bot);
	for (i = 0; i < h; i++)
		put_wch(w, y + i, x + label_w, use_unicode ? L'\x2502' : L'|',
		    color_attr(CR_DIM));
	c.cw = width - label_w - 1;
	c.ch = h;
	if (c.cw < 2)
		return -1;
	c.pw = use_braille ? c.cw * 2 : c.cw;
	c.ph = use_braille ? h * 4 : h * 3;
	c.bits = calloc((size_t)c.cw * (size_t)c.ch, 1);
	c.owner = calloc((size_t)c.cw * (size_t)c.ch, 1);
	if (c.bits == NULL || c.owner == NULL) {
		free(c.bits);
		free(c.owner);
		return -1;
	}
	pw = c.pw;
	for (k = 0; k < nseries; k++) {
		int prev_py = -1, px, py;

		for (px = 0; px < pw && s[k].n > 0; px++) {
			double val;

			if (!series_at(&s[k], px, pw, &val)) {
				prev_py = -1;
				continue;
			}
			py = (int)lround((hi - val) / (hi - lo) * (c.ph - 1));
			/* Close a vertical gap in this column so a steep
			 * part still reads as one line. */
			if (prev_py >= 0)
				for (i = prev_py < py ? prev_py + 1 : py + 1;
				    i < (prev_py < py ? py : prev_py); i++)
					canvas_plot(&c, px, i, k);
			canvas_plot(&c, px, py, k);
			prev_py = py;
		}
	}
	for (i = 0; i < c.ch; i++) {
		int j;

		for (j = 0; j < c.cw; j++) {
			unsigned char b = c.bits[i * c.cw + j];
			int owner = c.owner[i * c.cw + j];

			if (b == 0)
				continue;
			put_wch(w, y + i, x + label_w + 1 + j, use_braille ?
			    (wchar_t)(0x2800 + b) : ascii_cell(b),
			    owner > 0 ? s[owner - 1].attr : 0);
		}
	}
	free(c.bits);
	free(c.owner);
	return label_w;
}

void
draw_columns(WINDOW *w, int y, int x, int h, int width, const double *v,
    int n, int attr)
{
	/* U+2581..U+2588: lower 1/8 .. full block. */
	static const wchar_t lower[9] = { L' ', L'\x2581', L'\x2582',
		L'\x2583', L'\x2584', L'\x2585', L'\x2586', L'\x2587',
		L'\x2588' };
	double hi = 0;
	int i, col, per;

	if (n <= 0 || h <= 0 || width <= 0)
		return;
	for (i = 0; i < n; i++)
		if (isfinite(v[i]) && v[i] > hi)
			hi = v[i];
	if (hi <= 0)
		return;
	per = width / n > 0 ? width / n : 1;
	for (i = 0, col = 0; i < n && col < width; i++, col += per) {
		double frac = isfinite(v[i]) && v[i] > 0 ? v[i] / hi : 0;
		int units = (int)lround(frac * h * (use_unicode ? 8 : 1));
		int row, k;

		if (units == 0 && frac > 0)
			units = 1;
		for (row = 0; row < h; row++) {
			int cell_units = use_unicode ? units - row * 8 :
			    units - row;
			wchar_t ch;

			if (cell_units <= 0)
				break;
			if (use_unicode)
				ch = lower[cell_units > 8 ? 8 : cell_units];
			else
				ch = L'#';
			for (k = 0; k < per && col + k < width; k++)
				/* Leave a gap between wide columns. */
				if (per < 3 || k < per - 1)
					put_wch(w, y + h - 1 - row, x + col +
					    k, ch, attr);
		}
	}
}

/* --- stacked bars ------------------------------------------------------------ */

void
draw_stacked_bar(WINDOW *w, int y, int x, int width,
    const struct bar_segment *s, int n, double scale)
{
	double cum = 0;
	int end = 0, i, c;

	if (width <= 0 || !(scale > 0))
		return;
	for (i = 0; i < n && end < width; i++) {
		int to;

		if (!(s[i].value > 0))
			continue;
		cum += s[i].value;
		/* Cumulative rounding keeps the total length exact; a
		 * segment that is there gets at least one cell. */
		to = (int)lround(cum / scale * width);
		if (to <= end)
			to = end + 1;
		if (to > width)
			to = width;
		for (c = end; c < to; c++)
			put_wch(w, y, x + c, s[i].fill, s[i].attr);
		end = to;
	}
}

/* --- per-model contribution bars ---------------------------------------- */

/* Colour tells the models apart when there is colour; letters otherwise
 * (and always without block characters). */
static int
contrib_blocks(void)
{
	return use_unicode && (color_attr(CR_MODEL0) & A_COLOR) != 0;
}

void
contrib_letters(const char *const *names, int n, char *out)
{
	int m, k;

	for (m = 0; m < n; m++) {
		const char *s = names[m] ? names[m] : "";
		char c = 0;

		/* The first letter of the name not taken by an earlier
		 * model, else a digit. */
		for (; *s != '\0' && c == 0; s++) {
			char u = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s);

			if (!((u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')))
				continue;
			for (k = 0; k < m && out[k] != u; k++)
				;
			if (k == m)
				c = u;
		}
		out[m] = c ? c : (char)('0' + m % 10);
	}
}

void
draw_contrib_bar(WINDOW *w, int y, int x, int width, const double *contrib,
    const char *letters, int n, double scale)
{
	struct bar_segment seg[2 * 16];
	int m, k = 0, blocks = contrib_blocks();

	if (n > 16)
		n = 16;
	/* What pushes the item up first, then what pulls it down. */
	for (m = 0; m < n; m++)
		if (contrib[m] > 0) {
			seg[k].value = contrib[m];
			seg[k].attr = color_attr(CR_MODEL(m));
			seg[k++].fill = blocks ? L'\x2588' : (wchar_t)letters[m];
		}
	for (m = 0; m < n; m++)
		if (contrib[m] < 0) {
			char c = letters[m];

			seg[k].value = -contrib[m];
			seg[k].attr = color_attr(CR_MODEL(m));
			seg[k++].fill = blocks ? L'\x2591' : (wchar_t)(c >= 'A' &&
			    c <= 'Z' ? c + 32 : c);
		}
	draw_stacked_bar(w, y, x, width, seg, k, scale);
}

int
draw_contrib_legend(WINDOW *w, int y, int x, int width,
    const char *const *names, const char *letters, int n)
{
	int m, used = 0, blocks = contrib_blocks();

	for (m = 0; m < n && used < width; m++) {
		char key[8];

		if (m > 0)
			used += 2;
		if (used >= width)
			break;
		if (blocks) {
			put_wch(w, y, x + used, L'\x2588',
			    color_attr(CR_MODEL(m)));
			used += 2;
		} else {
			snprintf(key, sizeof key, "%c=", letters[m]);
			used += draw_text(w, y, x + used, width - used,
			    color_attr(CR_MODEL(m)), key);
		}
		if (used < width)
			used += draw_text(w, y, x + used, width - used, 0,
			    names[m]);
	}
	/* How a term against the item looks. */
	if (used + 2 < width)
		used += 2 + draw_text(w, y, x + used + 2, width - used - 2,
		    color_attr(CR_DIM), blocks ? "\xe2\x96\x91 against" :
		    "lower case: against");
	return used;
}
