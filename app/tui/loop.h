/* loop: the TUI's wait: the keyboard, any number of registered wake-up
 * file descriptors (a training job's pipe), resizes and Ctrl-C, polled
 * together with no timeout when idle, so an idle screen costs nothing.
 * It owns the registration that work beside the screen uses
 * (app/events.h) and knows nothing of commands or screens: the TUI asks
 * it what happened (a redraw asked for, the data changed, Ctrl-C). */
#ifndef RF_LOOP_H
#define RF_LOOP_H

#include "app/events.h"

#define LOOP_MAX_FDS 16

/* Catch Ctrl-C (the handler only sets flags: cbreak keeps it a signal so
 * that a long command can be stopped); loop_stop() puts the old handler
 * back and forgets every fd. */
void loop_start(void);
void loop_stop(void);

/* The registration the TUI lends the commands (cmd_ctx.events). */
const struct app_events *loop_events(void);

/* Call cb(ud) whenever fd becomes readable (the callback drains it).
 * -1 when the list is full. */
int loop_add_fd(int fd, void (*cb)(void *), void *ud);
void loop_remove_fd(int fd);

/* Wait until the keyboard (key_fd, or -1 for none) is readable, an extra
 * fd fired (its callback has run), a signal arrived, or timeout_ms passed
 * (-1: no timeout).  Returns 1 when keys are waiting, 0 otherwise. */
int loop_wait(int key_fd, int timeout_ms);
/* Are any extra fds readable right now?  (Runs their callbacks.)  The
 * script driver reads its next line only when nothing is pending. */
int loop_poll_extra(void);

/* A redraw was asked for (through loop_events()) and not yet done. */
int loop_redraw_asked(void);
void loop_redraw_done(void);
/* Did the data change outside a command since the last call? */
int loop_take_changed(void);

/* Ctrl-C since the last loop_clear_interrupt(); the flag a running
 * command polls to stop (cmd_ctx.cancel) is set with it. */
int loop_interrupted(void);
void loop_clear_interrupt(void);
const volatile int *loop_cancel_flag(void);

#endif
