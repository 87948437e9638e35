/* placeholder: the body of a screen whose engine part has not landed yet:
 * it says so plainly and names the commands that will feed it. */
#ifndef RF_PLACEHOLDER_H
#define RF_PLACEHOLDER_H

#include "views/view.h"

/* Draw a heading and the lines (NULL-terminated) into win. */
void placeholder_draw(WINDOW *win, const char *heading,
    const char *const *lines);

#endif
