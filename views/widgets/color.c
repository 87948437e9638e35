/* color: the colour-scheme table and its setup. */
#include "views/widgets/color.h"
#include "views/view.h"

struct color_spec {
	short fg, bg;		/* -1: the terminal's own colour */
	int attr;
};

/* Foreground colours only where we can, so light and dark backgrounds both
 * read well (use_default_colors keeps the terminal's background). */
static const struct color_spec scheme_default[CR_COUNT] = {
	[CR_NORMAL] = { -1, -1, A_NORMAL },
	[CR_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_BOLD },
	[CR_TAB] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
	[CR_TAB_ACTIVE] = { COLOR_BLACK, COLOR_CYAN, A_BOLD },
	[CR_FOOTER] = { -1, -1, A_REVERSE },
	[CR_FOOTER_KEY] = { COLOR_CYAN, -1, A_REVERSE | A_BOLD },
	[CR_HEADING] = { COLOR_CYAN, -1, A_BOLD },
	[CR_LABEL] = { -1, -1, A_BOLD },
	[CR_DIM] = { -1, -1, A_DIM },
	[CR_ERROR] = { COLOR_RED, -1, A_BOLD },
	[CR_MESSAGE] = { -1, -1, A_NORMAL },
	[CR_PROMPT] = { COLOR_YELLOW, -1, A_BOLD },
	[CR_COMMAND] = { COLOR_YELLOW, -1, A_BOLD },
	[CR_SELECTED] = { -1, -1, A_REVERSE },
	[CR_BAR] = { COLOR_GREEN, -1, A_NORMAL },
	[CR_BAR_PV] = { COLOR_BLUE, -1, A_BOLD },
	[CR_BAR_FAV] = { COLOR_MAGENTA, -1, A_NORMAL },
	[CR_BAR_CART] = { COLOR_YELLOW, -1, A_NORMAL },
	[CR_BAR_BUY] = { COLOR_GREEN, -1, A_BOLD },
	[CR_CHART_LOSS] = { COLOR_CYAN, -1, A_NORMAL },
	[CR_CHART_METRIC] = { COLOR_GREEN, -1, A_NORMAL },
	[CR_BORDER] = { COLOR_BLUE, -1, A_NORMAL },
	[CR_MODEL0] = { COLOR_CYAN, -1, A_NORMAL },
	[CR_MODEL1] = { COLOR_MAGENTA, -1, A_NORMAL },
	[CR_MODEL2] = { COLOR_YELLOW, -1, A_NORMAL },
	[CR_MODEL3] = { COLOR_GREEN, -1, A_NORMAL },
	[CR_MODEL4] = { COLOR_RED, -1, A_NORMAL },
	[CR_MODEL5] = { COLOR_BLUE, -1, A_BOLD },
};

static const struct color_spec scheme_mono[CR_COUNT] = {
	[CR_NORMAL] = { -1, -1, A_NORMAL },
	[CR_TITLE] = { -1, -1, A_REVERSE },
	[CR_TAB] = { -1, -1, A_REVERSE },
	[CR_TAB_ACTIVE] = { -1, -1, A_BOLD | A_UNDERLINE },
	[CR_FOOTER] = { -1, -1, A_REVERSE },
	[CR_FOOTER_KEY] = { -1, -1, A_REVERSE | A_BOLD },
	[CR_HEADING] = { -1, -1, A_BOLD | A_UNDERLINE },
	[CR_LABEL] = { -1, -1, A_BOLD },
	[CR_DIM] = { -1, -1, A_NORMAL },
	[CR_ERROR] = { -1, -1, A_BOLD },
	[CR_MESSAGE] = { -1, -1, A_NORMAL },
	[CR_PROMPT] = { -1, -1, A_BOLD },
	[CR_COMMAND] = { -1, -1, A_BOLD },
	[CR_SELECTED] = { -1, -1, A_REVERSE },
	[CR_BAR] = { -1, -1, A_NORMAL },
	[CR_BAR_PV] = { -1, -1, A_NORMAL },
	[CR_BAR_FAV] = { -1, -1, A_NORMAL },
	[CR_BAR_CART] = { -1, -1, A_NORMAL },
	[CR_BAR_BUY] = { -1, -1, A_BOLD },
	[CR_CHART_LOSS] = { -1, -1, A_NORMAL },
	[CR_CHART_METRIC] = { -1, -1, A_BOLD },
	[CR_BORDER] = { -1, -1, A_NORMAL },
	/* Without colour the stacked bars tell models apart by their
	 * fill characters (views/widgets.c). */
	[CR_MODEL0] = { -1, -1, A_NORMAL },
	[CR_MODEL1] = { -1, -1, A_NORMAL },
	[CR_MODEL2] = { -1, -1, A_NORMAL },
	[CR_MODEL3] = { -1, -1, A_NORMAL },
	[CR_MODEL4] = { -1, -1, A_NORMAL },
	[CR_MODEL5] = { -1, -1, A_NORMAL },
};

static int role_attr[CR_COUNT];

enum color_scheme
color_init(int want_color)
{
	const struct color_spec *s = scheme_default;
	enum color_scheme scheme = SCHEME_DEFAULT;
	int i, default_bg = 0;

	if (!want_color || !has_colors() || start_color() == ERR) {
		s = scheme_mono;
		scheme = SCHEME_MONOCHROME;
	} else {
		default_bg = use_default_colors() == OK;
	}
	for (i = 0; i < CR_COUNT; i++) {
		short fg = s[i].fg, bg = s[i].bg;

		role_attr[i] = s[i].attr;
		if (scheme == SCHEME_MONOCHROME || (fg < 0 && bg < 0))
			continue;
		if (!default_bg) {
			/* No default colours: white on black is the usual
			 * terminal, and the safe guess. */
			if (fg < 0)
				fg = COLOR_WHITE;
			if (bg < 0)
				bg = COLOR_BLACK;
		}
		/* Pair i+1: pairs fit in 8-colour terminals (64 pairs). */
		if (i + 1 < COLOR_PAIRS && init_pair((short)(i + 1), fg, bg) ==
		    OK)
			role_attr[i] |= (int)COLOR_PAIR(i + 1);
	}
	return scheme;
}

int
color_attr(enum color_role role)
{
	return role >= 0 && role < CR_COUNT ? role_attr[role] : 0;
}
