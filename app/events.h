/* events: what the TUI's event loop (app/tui/loop.c) lends the commands
 * (app/cmd), so that work beside the screen, a training job, reaches the
 * loop through a registration the loop owns instead of a call back into
 * the TUI.  Batch mode has no loop: cmd_ctx.events is NULL there. */
#ifndef RF_EVENTS_H
#define RF_EVENTS_H

struct app_events {
	/* Call cb(cb_ud) on the loop's thread whenever fd is readable (the
	 * callback drains it).  -1 when the loop's list is full. */
	int (*watch)(void *ud, int fd, void (*cb)(void *), void *cb_ud);
	void (*unwatch)(void *ud, int fd);
	/* Redraw the current screen soon (at most 10 times a second). */
	void (*redraw)(void *ud);
	/* The workbench changed outside a command (a background job
	 * finished): every screen reloads before it is drawn again. */
	void (*changed)(void *ud);
	void *ud;
};

#endif
