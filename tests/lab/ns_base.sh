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

# IPv6 back on, quietly, in a namespace that gets IPv6 addresses (after
# ns_base, before its interfaces are created: a new interface copies
# conf/default). No duplicate address detection (addresses are also added
# "nodad"), no router solicitations, no router advertisements or SLAAC, no
# forwarding, no redirects. Link-local addresses stay (neighbour discovery may
# use them); the only multicast is ND and the MLD reports of the solicited-node
# groups, to ff02:: on the lab bridge. Those go out when an address is added,
# and their repetition 10 ms later (not up to 1 s), so they are over before
# lab_up returns and do not land in a scan's capture.
ns_ipv6() {
	nsx "$1" sh -c '
		w() { [ -e "/proc/sys/$1" ] && echo "$2" > "/proc/sys/$1" || true; }
		for c in default all lo; do
			w net/ipv6/conf/$c/accept_dad 0
			w net/ipv6/conf/$c/dad_transmits 0
			w net/ipv6/conf/$c/accept_ra 0
			w net/ipv6/conf/$c/autoconf 0
			w net/ipv6/conf/$c/router_solicitations 0
			w net/ipv6/conf/$c/accept_redirects 0
			w net/ipv6/conf/$c/forwarding 0
			w net/ipv6/conf/$c/mldv1_unsolicited_report_interval 10
			w net/ipv6/conf/$c/mldv2_unsolicited_report_interval 10
		done
		w net/ipv6/conf/default/disable_ipv6 0
		w net/ipv6/conf/all/disable_ipv6 0
		w net/ipv6/conf/lo/disable_ipv6 0
	'
}
