// A consumer of the generated Go module, as a user's would be: it takes the module by path, so the tests judge
// generated/go as it is on disk, with no module proxy.
module dms-smartconnect-models/tests

go 1.19

require dms-smartconnect-models v0.0.0

replace dms-smartconnect-models => ../../generated/go
