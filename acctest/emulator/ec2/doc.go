// Package ec2 is the EC2 Query protocol front-end of the crosslink cloud
// emulator: aws-sdk-go-v2's ec2.Client, pointed at Handler with
// BaseEndpoint, creates and describes customer gateways, virtual private
// gateways, VPN connections, transit gateways and their attachments, and
// reads seeded VPCs, subnets and route tables.
//
// Why: the AWS driver must be tested against something that answers like
// EC2 — the same XML, error codes, states that take time and rules that
// refuse (a PSK that starts with '0', a reserved inside /30, deleting a
// gateway that is still attached) — without an AWS account. The package
// is a thin translator: resources, clocked states, idempotency, filters
// and pagination live in the shared store package; tunnel status comes
// from the fabric, so DescribeVpnConnections reports a tunnel UP only when
// its peer in another emulated cloud was configured to match.
//
// Resources are scoped by region, taken from the SigV4 credential scope of
// each request; an object in another region is invisible.
package ec2
