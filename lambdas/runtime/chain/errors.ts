/**
 * A rerun of a task whose own dependencies have not all succeeded for the run: it would run on
 * missing inputs. Rerun it once they have (or rerun them first).
 */
export class RerunRefusedError extends Error {
  constructor(
    /** The task whose rerun was refused. */
    readonly task: string,
    /** The run the rerun was requested for. */
    readonly runId: string,
    /** The dependencies that have not succeeded, with their state (`waiting` when never started). */
    readonly notSucceeded: ReadonlyArray<{ task: string; state: string }>,
  ) {
    super(`cannot rerun "${task}" for run ${runId}: its dependencies have not all succeeded (${notSucceeded.map((d) => `${d.task}: ${d.state}`).join(', ')}); rerun "${task}" once they have, or rerun them first`);
    this.name = 'RerunRefusedError';
  }
}
