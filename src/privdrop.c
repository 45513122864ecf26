/* privdrop.c — permanent switch away from root (see include/privdrop.h). */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "portus.h"
#include "privdrop.h"

/*
 * Not root but holding capabilities (file capabilities, a container's
 * NET_RAW): clear the effective, permitted and inheritable sets, so the rest
 * of the run holds none, and check it. The raw syscalls keep libcap out of
 * the dependencies.
 */
static int drop_capabilities(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) != 0) {
		portus_err(err, errlen, "cannot drop capabilities: capset: %s", strerror(errno));
		return -1;
	}
	memset(data, 0xff, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) != 0) {
		portus_err(err, errlen, "cannot drop capabilities: capget: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (data[i].effective != 0 || data[i].permitted != 0 || data[i].inheritable != 0) {
			portus_err(err, errlen, "cannot drop capabilities: some are still held");
			return -1;
		}
	return 0;
}

int privdrop(const char *user, char *err, size_t errlen)
{
	struct passwd *pw;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (geteuid() != 0)
		return drop_capabilities(err, errlen);
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		portus_err(err, errlen, "cannot drop root: no user '%s'", user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		portus_err(err, errlen, "cannot drop root: user '%s' is root", user);
		return -1;
	}
	if (setgroups(0, NULL) != 0) {
		portus_err(err, errlen, "cannot drop root: setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0) {
		portus_err(err, errlen, "cannot drop root: setresgid: %s", strerror(errno));
		return -1;
	}
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
		portus_err(err, errlen, "cannot drop root: setresuid: %s", strerror(errno));
		return -1;
	}
	if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0 ||
	    ruid != pw->pw_uid || euid != pw->pw_uid || suid != pw->pw_uid || rgid != pw->pw_gid ||
	    egid != pw->pw_gid || sgid != pw->pw_gid) {
		portus_err(err, errlen, "cannot drop root: credentials did not change");
		return -1;
	}
	/* Paranoia as OpenSSH: if root can be regained, the drop did not happen. */
	if (setuid(0) == 0 || seteuid(0) == 0) {
		portus_err(err, errlen, "cannot drop root: root could be regained");
		return -1;
	}
	return 0;
}
