/* widgets: the drawing pieces every view shares: clipped UTF-8 text, bars,
 * sliders, result tables, a line chart in braille cells (2 x 4 dots per
 * cell, as htop's graph meters) with an ASCII fallback, and a column chart.
 * All of them clip to the rectangle they are given and to the window. */
#ifndef RF_WIDGETS_H
#define RF_WIDGETS_H

#include "engine/core/table.h"
#include "views/view.h"

/* unicode: block and line characters allowed; utf8: the locale decodes
 * UTF-8 text (titles stay readable under -U, and are masked otherwise);
 * braille: the terminal's font has the braille cells the charts plot with
 * (not the Linux console's, nor a VT's): else the charts are ASCII. */
void widgets_init(int unicode, int utf8, int braille);
int widgets_unicode(void);
int widgets_braille(void);

/* Widths of text: engine/core/utf8.h (utf8_width), as drawn here. */
/* Draw s at (y, x) in at most width columns; a cut is marked with '~' (or
 * an ellipsis).  Returns the columns used. */
int draw_text(WINDOW *w, int y, int x, int width, int attr, const char *s);
/* Right-aligned in width columns. */
int draw_text_right(WINDOW *w, int y, int x, int width, int attr,
    const char *s);
/* printf into draw_text. */
int draw_printf(WINDOW *w, int y, int x, int width, int attr,
    const char *fmt, ...) RF_PRINTF(6, 7);
/* width blanks. */
void draw_fill(WINDOW *w, int y, int x, int width, int attr);
/* A section title: "Title" then a rule to the width. */
void draw_heading(WINDOW *w, int y, int x, int width, const char *title);

/* A horizontal bar of frac (0..1) of width cells: eighth blocks, or '#'. */
void draw_bar(WINDOW *w, int y, int x, int width, double frac, int attr);
/* A slider "[----o-----]" for value in [min, max]. */
void draw_slider(WINDOW *w, int y, int x, int width, double value,
    double min, double max, int selected);

/* Draw the rows [first, first+h-1) of t below a header line, the columns
 * listed in cols (all when cols is NULL); selected is a row index or -1.
 * Numbers right-aligned, wide text columns cut.  Returns lines used. */
int draw_table(WINDOW *w, int y, int x, int h, int width, const rf_table *t,
    const int *cols, int ncols, int first, int selected);

/* One part of a stacked bar: value (>= 0; others are skipped) in the
 * units of the scale, drawn with fill (a block or a letter) in attr. */
struct bar_segment {
	double value;
	int attr;
	wchar_t fill;
};
/* The segments side by side from x; scale is the value of the full width.
 * Each present segment gets at least one cell while room is left. */
void draw_stacked_bar(WINDOW *w, int y, int x, int width,
    const struct bar_segment *s, int n, double scale);

/* Per-model contribution bars (the Fusion and User screens): model m
 * drawn in its colour (CR_MODEL(m)) with blocks, or with its letter
 * without colour or blocks; negative contributions after the positive
 * ones, light-shaded or in lower case.  scale: the |sum| of a full bar.
 * contrib_letters() picks one distinct letter per model name. */
void contrib_letters(const char *const *names, int n, char *out);
void draw_contrib_bar(WINDOW *w, int y, int x, int width,
    const double *contrib, const char *letters, int n, double scale);
/* "█ NAME  █ NAME" in colour, or "A=NAME  B=NAME".  Returns columns used. */
int draw_contrib_legend(WINDOW *w, int y, int x, int width,
    const char *const *names, const char *letters, int n);

/* One series of a line chart: n values, NAN for a gap. */
struct chart_series {
	const double *v;
	int n;
	int attr;
};
/* A line chart in h x width cells, y labels in the first columns (at
 * least label_min of them: charts stacked line up), the y range fitted
 * to the data.  Braille gives 2 x 4 points per cell.  Returns the width
 * of the labels (the axis is the column after them), -1 when nothing
 * was drawn. */
int draw_chart(WINDOW *w, int y, int x, int h, int width,
    const struct chart_series *s, int nseries, int label_min);
/* The width of the y labels draw_chart() would give the series. */
int chart_label_width(const struct chart_series *s, int nseries);
/* A column chart: n values side by side (one column per value, or more
 * when the width allows), growing up from the bottom row. */
void draw_columns(WINDOW *w, int y, int x, int h, int width,
    const double *v, int n, int attr);

#endif
