/* color: the one colour-scheme table (htop's ColorScheme): every drawn
 * element names a role; a scheme maps roles to curses attributes.  The
 * monochrome scheme uses bold, reverse and underline only. */
#ifndef RF_COLOR_H
#define RF_COLOR_H

enum color_role {
	CR_NORMAL,
	CR_TITLE,		/* the header bar */
	CR_TAB,			/* a screen's tab in the header */
	CR_TAB_ACTIVE,		/* the current screen's tab */
	CR_FOOTER,		/* the key bar */
	CR_FOOTER_KEY,		/* a key in the key bar */
	CR_HEADING,		/* a section title in a view */
	CR_LABEL,		/* a field name */
	CR_DIM,			/* secondary text */
	CR_ERROR,
	CR_MESSAGE,
	CR_PROMPT,
	CR_COMMAND,		/* an echoed command in the log */
	CR_SELECTED,		/* the selected row */
	CR_BAR,			/* bars and charts, generic */
	CR_BAR_PV, CR_BAR_FAV, CR_BAR_CART, CR_BAR_BUY,
	CR_CHART_LOSS, CR_CHART_METRIC,
	CR_BORDER,
	/* one colour per model of a fusion (model m: CR_MODEL0 + m % 6) */
	CR_MODEL0, CR_MODEL1, CR_MODEL2, CR_MODEL3, CR_MODEL4, CR_MODEL5,
	CR_COUNT
};

enum color_scheme {
	SCHEME_DEFAULT,		/* 8 colours on the terminal's own background */
	SCHEME_MONOCHROME
};

/* Call after initscr/newterm.  want_color 0 (-C, NO_COLOR) or a terminal
 * without colours selects MONOCHROME.  Returns the scheme used. */
enum color_scheme color_init(int want_color);
/* The curses attributes (colour pair included) of a role. */
int color_attr(enum color_role role);
#define CR_MODEL_COUNT 6
/* The role of model m of a fusion. */
#define CR_MODEL(m) ((enum color_role)(CR_MODEL0 + (m) % CR_MODEL_COUNT))

#endif
