// scheduled_tasks.action as osquery writes it: for each exec action
// "<WorkingDirectory> <Path> <Arguments>", both spaces always there (a task
// with no working directory starts with one, one with no arguments ends with
// one), joined with ','; COM-handler actions are left out and variables are
// not expanded (osquery/tables/system/windows/scheduled_tasks.cpp). The
// vendor-task catalog, the scenarios and the replay corpus all build their
// actions here, so none can drift from the shape osquery prints.

/** One exec action: working directory, program, arguments. */
export type ExecAction = readonly [directory: string, program: string, args: string];

export function osqueryTaskAction(...actions: readonly ExecAction[]): string {
  return actions.map(([directory, program, args]) => `${directory} ${program} ${args}`).join(',');
}
