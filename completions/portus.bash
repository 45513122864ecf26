# bash completion for portus(1): options, their enumerated values, files
# where a file is expected, and the subcommands merge, diff and report.
# Installed as share/bash-completion/completions/portus (loaded on demand by
# bash-completion) or sourced directly; needs nothing from bash-completion.
# tests/integration/test_completion.sh keeps the lists below equal to what
# "portus [CMD] --help" prints.

_portus_scan_flags='-4 -6 --allow-no-exclude --hec-insecure --open --tls --tls-versions
	--tls-ciphers --tls-pem --no-banner --no-status --help -h --version -V'
_portus_scan_valued='-p --ports --top-ports -iL --input-list --resolve-timeout
	--resolve-retries --resolve-concurrency --exclude --exclude-file --rate --send-threads
	--seed --shard --shard-from-env --resume --retries --wait --interface -e --source-ip -S
	--source-port --gateway-mac --router-mac -oJ --output-json -oL --output-list -oX
	--output-xml -oG --output-grepable --format --hec-url --hec-token --hec-index --syslog
	--tls-ports --sni-file --tls-timeout --tls-concurrency --tls-per-host --ca-file'
_portus_merge_flags='--allow-partial --help -h'
_portus_merge_valued='-o --output'
_portus_diff_flags='--help -h'
_portus_diff_valued='--expiry-days --format -o --output'
_portus_report_flags='--help -h'
_portus_report_valued='-o --output --top --title'

# Fills COMPREPLY with the words of $1 that start with $2.
_portus_words() {
	local IFS=$' \t\n'
	COMPREPLY=($(compgen -W "$1" -- "$2"))
}

_portus_files() {
	local IFS=$'\n'
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -- "$1"))
}

# The value of option $1 (of command $2) being completed as $3. Returns 1 when
# $1 takes no value.
_portus_value() {
	local opt=$1 cmd=$2 cur=$3
	case $cmd:$opt in
	scan:-iL | scan:--input-list | scan:--exclude-file | scan:--resume | scan:--sni-file | \
		scan:--ca-file | scan:-oJ | scan:--output-json | scan:-oL | scan:--output-list | \
		scan:-oX | scan:--output-xml | scan:-oG | scan:--output-grepable | \
		merge:-o | merge:--output | diff:-o | diff:--output | report:-o | report:--output)
		_portus_files "$cur" ;;
	scan:--format) _portus_words 'json ecs splunk-hec cef' "$cur" ;;
	diff:--format) _portus_words 'json ecs' "$cur" ;;
	scan:--syslog)
		compopt -o nospace 2>/dev/null
		_portus_words 'udp:// tcp://' "$cur" ;;
	scan:--hec-url)
		compopt -o nospace 2>/dev/null
		_portus_words 'https:// http://' "$cur" ;;
	scan:--interface | scan:-e)
		_portus_words "$(command ls /sys/class/net 2>/dev/null)" "$cur" ;;
	scan:--shard-from-env)
		compopt -o nospace 2>/dev/null
		_portus_words 'JOB_COMPLETION_INDEX/ SLURM_ARRAY_TASK_ID/' "$cur" ;;
	scan:--top-ports) _portus_words '10 100 1000' "$cur" ;;
	*)
		local valued
		eval "valued=\$_portus_${cmd}_valued"
		case " ${valued//[$'\t\n']/ } " in
		*" $opt "*) COMPREPLY=() ;; # a number, a list, a name: nothing to offer
		*) return 1 ;;
		esac
		;;
	esac
	return 0
}

_portus() {
	local cur=${COMP_WORDS[COMP_CWORD]} opt= cmd=scan start=1
	COMPREPLY=()
	# COMP_WORDBREAKS splits --name=value into "--name" "=" "value".
	if [[ $cur == = ]]; then
		cur=
		opt=${COMP_WORDS[COMP_CWORD - 1]}
	elif ((COMP_CWORD > 1)) && [[ ${COMP_WORDS[COMP_CWORD - 1]} == = ]]; then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif ((COMP_CWORD > 0)); then
		opt=${COMP_WORDS[COMP_CWORD - 1]}
	fi
	case ${COMP_WORDS[1]:-} in
	merge | diff | report) cmd=${COMP_WORDS[1]}; start=2 ;;
	esac
	if ((COMP_CWORD > start)) && _portus_value "$opt" "$cmd" "$cur"; then
		return 0
	fi
	if [[ $cur == -* ]]; then
		local flags valued
		eval "flags=\$_portus_${cmd}_flags valued=\$_portus_${cmd}_valued"
		_portus_words "$flags $valued" "$cur"
		return 0
	fi
	if ((COMP_CWORD == 1)); then
		_portus_words 'merge diff report' "$cur"
		return 0
	fi
	# Operands: result files for the subcommands; targets (nothing to offer) for a scan.
	[[ $cmd != scan ]] && _portus_files "$cur"
	return 0
}
complete -F _portus portus
