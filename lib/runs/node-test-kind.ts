/** `runs.sourceKind` of a node test (a run of one node with given upstream values, lib/runs/node-test.ts). */
export const NODE_TEST_KIND = "node_test";
