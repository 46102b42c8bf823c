// The machine has two cores and one dockerd: collections run one after another, so that load tests and
// timings of one collection are not disturbed by another's.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
