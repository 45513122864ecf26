/*
 * privdrop.h — give up root once the raw socket and the capture are open.
 *
 * As OpenSSH's permanently_set_uid and tcpdump's droproot: supplementary
 * groups cleared, then real/effective/saved gid and uid set to the target
 * user, every call checked, and a final attempt to regain root must fail.
 * Called before any thread parses a packet.
 */
#ifndef PORTUS_PRIVDROP_H
#define PORTUS_PRIVDROP_H

#include <stddef.h>

#define PRIVDROP_DEFAULT_USER "nobody"

/*
 * When running as root, switches permanently to `user` (which also clears
 * every capability). Not root (a normal user with file capabilities such as
 * cap_net_raw, or a container granted NET_RAW): the user stays, but every
 * capability is cleared (effective, permitted, inheritable) and checked.
 * Returns 0, or -1 with err (unknown user, a failed call, root or a
 * capability still held).
 */
int privdrop(const char *user, char *err, size_t errlen);

#endif
