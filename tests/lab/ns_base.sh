# ns_base.sh — sourced by labctl.sh and tls_lab.sh: the settings every lab
# namespace gets, kept in one place.

nsx() { ns=$1; shift; ip netns exec "$ns" "$@"; }

# Common sysctls for a lab namespace: IPv6 off (no stray RS/ND/MLD traffic),
# no reverse-path filter, no forwarding or redirects, loopback up.
ns_base() {
	nsx "$1" sh -c '
		w() { [ -e "/proc/sys/$1" ] && echo "$2" > "/proc/sys/$1" || true; }
		w net/ipv6/conf/all/disable_ipv6 1
		w net/ipv6/conf/default/disable_ipv6 1
		w net/ipv6/conf/lo/disable_ipv6 1
		w net/ipv4/conf/all/rp_filter 0
		w net/ipv4/conf/default/rp_filter 0
		w net/ipv4/ip_forward 0
		w net/ipv4/conf/all/accept_redirects 0
		w net/ipv4/conf/default/accept_redirects 0
		w net/ipv4/conf/all/send_redirects 0
		w net/ipv4/conf/default/send_redirects 0
	'
	ip -n "$1" link set lo up
}
