/* loop: the TUI's wait: the keyboard plus any number of wake-up file
 * descriptors (the training thread's pipe), polled together with no
 * timeout when idle, so an idle screen costs nothing. */
#ifndef RF_LOOP_H
#define RF_LOOP_H

#define LOOP_MAX_FDS 16

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

#endif
