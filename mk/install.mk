# install.mk — make install / make uninstall (included by the Makefile).
#
#   make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage] [SETCAP=1]
#   make uninstall (same variables)
#
# Installs the binary, the man page portus(1), bash and zsh completion, the
# JSON Schemas of every record, and the documentation with the contrib/ kit.
# Every directory can be set on its own (BINDIR, MANDIR, ...). The binary
# needs no installed data (the exclude and top-ports lists are built in).
# SETCAP=1 gives the installed binary cap_net_raw (setcap, libcap2-bin) so
# that users who may run it scan without root; without it, install says how.

PREFIX      ?= /usr/local
EXEC_PREFIX ?= $(PREFIX)
BINDIR      ?= $(EXEC_PREFIX)/bin
DATAROOTDIR ?= $(PREFIX)/share
DATADIR     ?= $(DATAROOTDIR)
MANDIR      ?= $(DATAROOTDIR)/man
MAN1DIR     ?= $(MANDIR)/man1
DOCDIR      ?= $(DATAROOTDIR)/doc/portus
SCHEMADIR   ?= $(DATADIR)/portus/schemas
BASHCOMPDIR ?= $(DATAROOTDIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATAROOTDIR)/zsh/site-functions
INSTALL     ?= install
SETCAP      ?= 0

# The kit as it is in the source tree (no editor backups or caches).
INSTALL_CONTRIB := $(shell find contrib -type f ! -name '*~' ! -name '*.pyc' ! -name '.*' 2>/dev/null | LC_ALL=C sort)
INSTALL_SCHEMAS := $(sort $(wildcard data/schemas/*.schema.json))
INSTALL_DOCS    := README.md $(sort $(wildcard docs/*.md))

.PHONY: install uninstall check-install

install: portus
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR) $(DESTDIR)$(SCHEMADIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 0755 $(BUILD)/portus $(DESTDIR)$(BINDIR)/portus
	$(INSTALL) -m 0644 man/portus.1 $(DESTDIR)$(MAN1DIR)/portus.1
	$(INSTALL) -m 0644 completions/portus.bash $(DESTDIR)$(BASHCOMPDIR)/portus
	$(INSTALL) -m 0644 completions/_portus $(DESTDIR)$(ZSHCOMPDIR)/_portus
	$(INSTALL) -m 0644 $(INSTALL_SCHEMAS) $(DESTDIR)$(SCHEMADIR)/
	$(INSTALL) -m 0644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/
	@for f in $(INSTALL_CONTRIB); do \
		mode=0644; [ -x "$$f" ] && mode=0755; \
		echo "$(INSTALL) -D -m $$mode $$f $(DESTDIR)$(DOCDIR)/$$f"; \
		$(INSTALL) -D -m $$mode "$$f" "$(DESTDIR)$(DOCDIR)/$$f" || exit 1; \
	done
ifeq ($(SETCAP),1)
	@command -v setcap >/dev/null || { echo "install: SETCAP=1 needs setcap (apt-get install libcap2-bin)" >&2; exit 1; }
	setcap cap_net_raw+ep $(DESTDIR)$(BINDIR)/portus
	@echo "install: gave $(DESTDIR)$(BINDIR)/portus the capability cap_net_raw+ep: whoever may run it can scan;" \
		"restrict it to a group (chgrp GROUP $(BINDIR)/portus; chmod 0750 $(BINDIR)/portus; see PRIVILEGES in portus(1))"
else
	@echo "install: $(DESTDIR)$(BINDIR)/portus has no capability: run it as root, or let users scan without root:" \
		"setcap cap_net_raw+ep $(BINDIR)/portus (make install SETCAP=1 does it; see PRIVILEGES in portus(1))"
endif

# Removes what install installed (the same lists, read from this tree), and
# the directories that are portus's own; shared ones (bin, man1, ...) stay.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/portus $(DESTDIR)$(MAN1DIR)/portus.1 \
		$(DESTDIR)$(BASHCOMPDIR)/portus $(DESTDIR)$(ZSHCOMPDIR)/_portus
	rm -f $(addprefix $(DESTDIR)$(SCHEMADIR)/,$(notdir $(INSTALL_SCHEMAS)))
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INSTALL_DOCS)) $(INSTALL_CONTRIB))
	-find $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR)/portus -depth -type d -empty -delete 2>/dev/null
	@left=$$(find $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR)/portus 2>/dev/null); \
		[ -z "$$left" ] || echo "uninstall: left (not installed by portus): $$left"

# The install, man page and completion tests (root: network namespaces).
check-install: portus
	@sh tests/integration/run-all.sh test_install test_manpage test_completion
