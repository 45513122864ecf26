#!/usr/bin/env zsh
# zsh_complete.zsh FPATH_DIR LINE...
#
# Prints, one per line, every match zsh's completion system offers at the end
# of each LINE (with compinit and the _portus of FPATH_DIR), then a line
# "--" after each LINE's matches. An interactive zsh runs in a pseudo-terminal
# (zsh/zpty); its compadd is wrapped to print the matches each completer adds
# ("HIT:" lines), and the completion widget ends by printing "<EOC>".
emulate -L zsh
zmodload zsh/zpty || exit 2
local dir=$1
shift
zpty portus_z zsh -f -i || exit 2
zpty -w portus_z "PS1='' PROMPT='' RPROMPT='' HISTFILE=/dev/null TERM=dumb"
zpty -w portus_z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w portus_z "zstyle ':completion:*' list-grouped no; zstyle ':completion:*' menu no"
zpty -w portus_z 'compadd () {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
	typeset -a __hits
	builtin compadd -A __hits "$@"
	local r=$?
	local h
	for h in $__hits; do print -r -- "HIT:${PREFIX%%[^/]#}$h"; done
	builtin compadd "$@"
	return r
}'
zpty -w portus_z 'portus_done () { print -r -- "<EOC>"; }'
zpty -w portus_z 'comppostfuncs=(portus_done); zstyle ":completion:*" insert-tab false'
zpty -w portus_z 'portus_wrap () { comppostfuncs=(portus_done); zle complete-word; }; zle -N portus_wrap; bindkey "^I" portus_wrap'
zpty -w portus_z 'print -r -- "<READY>"'
local out
zpty -r -m portus_z out '*<READY>*' || exit 3
local line
for line in "$@"; do
	zpty -w -n portus_z "$line"$'\t'
	out=
	zpty -r -m portus_z out '*<EOC>*' || { print -u2 "no completion for: $line"; exit 3; }
	print -r -- "$out" | tr -d '\r' | sed -n 's/.*HIT://p' | sort -u
	print -r -- "--"
	# Clear the line for the next one.
	zpty -w -n portus_z $'\C-u'
done
zpty -d portus_z
