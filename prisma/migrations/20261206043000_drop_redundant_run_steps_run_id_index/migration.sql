-- run_steps had an index on "runId" beside the unique index on ("runId", "nodeId", "iteration"),
-- whose first column serves every lookup by run (a run's steps, the foreign key's cascade) as well.
-- Every step row written paid for both.
DROP INDEX "run_steps_runId_idx";
