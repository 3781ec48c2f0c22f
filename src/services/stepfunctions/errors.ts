/** An error raised inside an execution (`States.*` or a task's own), handled by Retry/Catch. */
export class StatesError extends Error {
  constructor(readonly error: string, readonly causeText: string) {
    super(`${error}: ${causeText}`);
  }
}

/** The execution was stopped (StopExecution) or timed out: unwind without catching. */
export class ExecutionStop extends Error {
  constructor(readonly reason: "ABORTED" | "TIMED_OUT") {
    super(reason);
  }
}
