// Package lab is the acceptance-test lab of Linux host sites: each host is a
// network namespace on a bridge that plays the internet, with a LAN
// namespace behind it that holds the site's CIDR, and optionally a crosslink
// agent process per host, with certificates from a throwaway CA.
//
// Topology (p is a short random prefix such as "xl3fa9", i the host's index):
//
//	root ns      <p>r 198.51.100.1/24, veth to port pr of br0 (the provider's way to the agents)
//	<p>-inet     bridge br0 with ports pr, p0, p1, …: the internet
//	<p>-<h>      eth0 198.51.100.(10+i)/24 (veth to port p<i>); lan0 = .1 of the site's first /24
//	<p>-<h>-lan  eth0 = .2 of that /24, default route via lan0
//
// Only documentation addresses (198.51.100.0/24) are used, and only in
// namespaces the lab creates plus the one root-namespace veth. Because that
// veth's address is the same for every lab, labs serialize through an flock
// on /run/crosslink-lab.lock, held from Start to Close; one test may hold one
// lab at a time (a second Start in the same test would wait for the first).
//
// Everything a lab creates is removed by Close, which Start registers with
// t.Cleanup and which may also be called directly (it is idempotent). A lab
// left behind by a killed test process is reaped by the next Start: names
// matching the lab's prefix pattern belong to no live lab while the lock is
// held. Agents get Pdeathsig, so they die with the test process.
//
// Labs need root; Start skips the test when not root unless TF_ACC is set,
// in which case it fails it.
package lab
