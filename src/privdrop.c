/* privdrop.c — permanent switch away from root (see include/privdrop.h). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "portus.h"
#include "privdrop.h"

int privdrop(const char *user, char *err, size_t errlen)
{
	struct passwd *pw;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (geteuid() != 0)
		return 0;
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
	    ruid != pw->pw_uid || euid != pw->pw_uid || suid != pw->pw_uid ||
	    rgid != pw->pw_gid || egid != pw->pw_gid || sgid != pw->pw_gid) {
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
