// Package aws is the driver for AWS sites: it creates, observes, updates and
// deletes the EC2 objects the plan compiler asks of an AWS site (a virtual
// private gateway or a transit gateway, its VPC attachment and route
// propagation, and per peer a customer gateway and a VPN connection with two
// tunnels), through aws-sdk-go-v2's EC2 client.
//
// Why it is shaped this way:
//   - Ownership lives in the cloud: every object is tagged at creation with
//     the mesh and its plan key, so Observe rebuilds the plan's view from tag
//     filters alone and a crashed apply leaves nothing unaccounted for.
//   - None of EC2's create calls used here takes a client token, so a create
//     whose reply was lost must not be re-sent blindly: creates retry only
//     refusals (throttling), and on an unknown outcome the driver looks the
//     object up by its key tag before creating again.
//   - Every call of a region's client, waiter polls and SDK retries included,
//     passes one client-side token bucket, so a large apply paces itself
//     instead of provoking EC2's per-account throttling.
//   - Pre-shared keys come from driver.Secrets at call time and are never
//     stored, logged or put into errors.
package aws
