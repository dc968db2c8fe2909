/** A run's pages are child workflows named after it: `<run>/page-<n>`, from 1. */
export function pageWorkflowId(runWorkflowId: string, page: number): string {
  return `${runWorkflowId}/page-${page}`;
}

/** The run and page number of a page's workflow id. */
export function pageOfWorkflowId(workflowId: string): { runWorkflowId: string; page: number } {
  const match = /^(.*)\/page-(\d+)$/.exec(workflowId);
  if (!match) throw new TypeError(`${workflowId} is not a page of a run`);
  return { runWorkflowId: match[1]!, page: Number(match[2]) };
}
