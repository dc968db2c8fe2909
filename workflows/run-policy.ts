import {
  type ActivityOptions,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  TemporalFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  ReplicationRunInput,
  pageTasksQuery,
  repositoryKey,
  runEndedEvent,
  runFailedType,
  runStatusQuery,
  selectTasks,
  type Artifact,
  type EnumerateArtifactsInput,
  type EnumerateCursor,
  type ExecutionSummary,
  type InPlaceResult,
  type Operation,
  type KeptPage,
  type PageRecord,
  type ReadPrunePageInput,
  type ReplicationActivities,
  type ReplicationTask,
} from '../contract/index.js';
import { destinationRepository, type PolicySnapshot } from '../policies/index.js';
import { batchesInFlight, checkableAtListing, copyPage, listedCheck } from './copy-page.js';
import { summarizeExecution } from './execution-summary.js';
import { pageWorkflowId } from './page-identity.js';
import { patches } from './patches.js';
import { planTasks } from './plan-tasks.js';
import { recordedPatch } from './recorded-patch.js';
import { queueNotifications } from './queue-notifications.js';
import { pageWaitSignal, untilNotRateLimited, type RateLimitWait } from './rate-limit-wait.js';
import { replicationPage, type ReplicationPageResult } from './replication-page.js';
import {
  activityRetry,
  budgetDelayMs,
  defaultRetryBudget,
  isPermanent,
  runActivityRetry,
  whyFailed,
  type RetryBudget,
} from './retry-budget.js';
import { addTallies, pendingTally, stopUnfinished, tallyTasks } from './task-tally.js';

const { runSettings } = proxyLocalActivities<ReplicationActivities>({
  startToCloseTimeout: '10 seconds',
  retry: activityRetry(defaultRetryBudget),
});
// A run opens before it knows its budget: the default one.
const { openRun } = proxyLocalActivities<ReplicationActivities>({
  startToCloseTimeout: '1 minute',
  retry: activityRetry(defaultRetryBudget),
});

/**
 * The run's own activities, retried for about its budget when they fail whole (the store or the
 * source unavailable); runs started before budgets keep the retries they were started with.
 */
function runActivities(budget: RetryBudget | undefined) {
  const retry = runActivityRetry(budget);
  // Short writes to the store, run by the worker that runs the workflow: no task queue round trip.
  const { recordExecution, recordRunResult, recordPageTasks, closeRun } =
    proxyLocalActivities<ReplicationActivities>({ startToCloseTimeout: '1 minute', retry });
  const listing = {
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '60 seconds',
    // A rate limit comes back at once: the run waits for it with a timer, saying until when.
    retry: { ...retry, nonRetryableErrorTypes: ['REGISTRY_RATE_LIMITED'] },
  } satisfies ActivityOptions;
  const { planPrune, planPrunePages } = proxyActivities<ReplicationActivities>(listing);
  // It beats every second (a one-page run's check is made in it): a lost worker is noticed as
  // fast as in a page's check. Only the timeout of what is scheduled changes; histories replay.
  const { enumerateArtifacts } = proxyActivities<ReplicationActivities>({
    ...listing,
    heartbeatTimeout: '20 seconds',
  });
  return {
    recordExecution,
    recordRunResult,
    recordPageTasks,
    closeRun,
    enumerateArtifacts,
    planPrune,
    planPrunePages,
  };
}

/** A page of a prune plan kept in the store, and how many deletions it holds. */
interface PlannedPage extends ReadPrunePageInput {
  count: number;
}

/** Artifacts per page: a page's tasks live in one child workflow's history. */
export const pageSize = 500;
/** Pages copied at once, while the next one is listed. */
export const pagesInFlight = 2;
/** Repositories named in the `RegattaRepository` search attribute, enough to find event runs. */
const maxRepositoriesInSearchAttribute = 20;

/**
 * One execution of one policy: enumerate the source (unless the artifacts are given) and copy
 * every artifact to every destination, page by page. A run of one page (an event, a small
 * policy) copies it itself; a larger one gives each page a child workflow, `pagesInFlight` at a
 * time while it lists the next. A mirror then prunes, within its guardrails. A dry run takes the
 * same path with read-only activities, so its tasks are the plan the next real run carries out.
 */
export async function runPolicy(rawInput: ReplicationRunInput): Promise<ExecutionSummary> {
  const input = ReplicationRunInput.parse(rawInput);
  const { policy } = input;
  const runId = workflowInfo().workflowId;
  // One local activity opens the run and one closes it; runs started before made five.
  const bookends = patched(patches.runBookends);
  const opened = bookends
    ? await openRun({ workflowId: runId, policyId: policy.id, trigger: input.trigger })
    : undefined;
  const budget: RetryBudget | undefined = opened
    ? { ms: opened.settings.retryBudgetMs }
    : patched(patches.retryBudgets)
      ? { ms: (await runSettings()).retryBudgetMs }
      : undefined;
  const {
    recordExecution,
    recordRunResult,
    recordPageTasks,
    closeRun,
    enumerateArtifacts,
    planPrune,
    planPrunePages,
  } = runActivities(budget);
  /** The page the run copied itself, its tasks kept as the run closes (`closeRun`). */
  const pagesToKeep: KeptPage[] = [];
  const pages: PageRecord[] = [];
  const activePages = new Set<string>();
  /** The tasks of the page the run copies itself, when it has one. */
  let ownTasks: ReplicationTask[] = [];
  /** Its result, once kept: until then the run is in progress, though its tasks may all be done. */
  let keptResult: ExecutionSummary | undefined;
  let stopped = false;
  const refusals: string[] = [];
  /** Rate limits being waited out: the run's own (`runId`) and its pages'. */
  const waits = new Map<string, RateLimitWait>();
  const waiting = () =>
    [...waits.values()].reduce<RateLimitWait | undefined>(
      (latest, wait) => (latest && latest.until >= wait.until ? latest : wait),
      undefined,
    );
  const onWait = (wait: RateLimitWait | undefined, page = runId) => {
    if (wait) waits.set(page, wait);
    else waits.delete(page);
    const summary = summarize(false);
    setCurrentDetails(`${summary.statusText}; ${summary.bytes} bytes ${input.dryRun ? 'to copy' : 'copied'}`);
  };
  setHandler(pageWaitSignal, ({ page, wait }) => onWait(wait, page));
  const tallies = () => pages.map((page) => (page.workflowId === runId ? tallyTasks(ownTasks) : page.tally));
  const summarize = (done: boolean) =>
    summarizeExecution(addTallies(tallies()), done, {
      stopped,
      skipReason: input.skipReason,
      refusal: refusals.join('; ') || undefined,
      dryRun: input.dryRun,
      waiting: waiting(),
    });
  setHandler(runStatusQuery, () => {
    const live = tallies();
    return {
      summary: keptResult ?? summarize(false),
      tally: addTallies(live),
      pages: pages.map((page, index) => ({ ...page, tally: live[index]! })),
      activePages: [...activePages],
    };
  });
  setHandler(pageTasksQuery, (request) => selectTasks(ownTasks, request));

  const repositories = new Set<string>();
  // Harbor's `speed` is KiB/s for the whole run, shared by the batches copying at once.
  const bytesPerSecond =
    policy.speed > 0 ? (policy.speed * 1024) / (pagesInFlight * batchesInFlight) : undefined;
  const copyOptions = {
    ...(budget ? { budget } : {}),
    checkUpToDate: !input.artifacts,
    dryRun: input.dryRun,
    ...(input.eventTime ? { eventTime: input.eventTime } : {}),
    ...(bytesPerSecond ? { bytesPerSecond } : {}),
  };

  let nextTaskId = 1;
  /** A page of `taskCount` tasks; its artifacts' repositories, when known here, are searchable. */
  const startPage = (artifacts: Artifact[] | undefined, taskCount: number, own: boolean) => {
    if (artifacts) {
      for (const artifact of artifacts) {
        if (repositories.size < maxRepositoriesInSearchAttribute) repositories.add(artifact.repository);
      }
      upsertSearchAttributes([{ key: repositoryKey, value: [...repositories] }]);
    }
    const page: PageRecord = {
      workflowId: own ? runId : pageWorkflowId(runId, pages.length + 1),
      firstTaskId: nextTaskId,
      taskCount,
      tally: pendingTally(taskCount),
    };
    pages.push(page);
    nextTaskId += taskCount;
    return page;
  };
  const pageDone = (page: PageRecord) => {
    activePages.delete(page.workflowId);
    waits.delete(page.workflowId);
    const summary = summarize(false);
    setCurrentDetails(`${summary.statusText}; ${summary.bytes} bytes ${input.dryRun ? 'to copy' : 'copied'}`);
  };

  /**
   * A page the run copies itself: one activity per batch, no child workflow. `inPlace` is its
   * check made as it was listed, when it was.
   */
  const ownPage = async (artifacts: Artifact[], operation: Operation, inPlace?: InPlaceResult) => {
    const page = startPage(artifacts, artifacts.length * policy.destinations.length, true);
    ownTasks = planTasks(policy, artifacts, page.firstTaskId, operation, (repository) =>
      destinationRepository(repository, policy),
    );
    activePages.add(runId);
    try {
      await copyPage({
        policy,
        artifacts,
        operation,
        tasks: ownTasks,
        ...copyOptions,
        ...(inPlace ? { inPlace: listedCheck(inPlace, ownTasks) } : {}),
        onWait,
      });
    } finally {
      page.tally = tallyTasks(ownTasks);
      const kept = { page: pages.indexOf(page) + 1, firstTaskId: page.firstTaskId, tasks: ownTasks };
      // A mirror prunes after its page, for as long as that takes: its page is kept at once.
      if (bookends && !policy.mirror?.prune) pagesToKeep.push(kept);
      else await CancellationScope.nonCancellable(() => recordPageTasks({ runWorkflowId: runId, ...kept }));
      pageDone(page);
    }
  };

  /**
   * A page in a child workflow, which keeps its tasks; the run keeps its tally. Its artifacts are
   * given, or (a prune plan's page) read by the page itself from the store.
   */
  const childPage = async (
    content: Artifact[] | PlannedPage,
    operation: Operation,
    pagePolicy: PolicySnapshot = policy,
  ) => {
    const artifacts = Array.isArray(content) ? content : undefined;
    const planned = Array.isArray(content) ? undefined : content;
    const size = planned?.count ?? artifacts?.length ?? 0;
    const page = startPage(artifacts, size * pagePolicy.destinations.length, false);
    activePages.add(page.workflowId);
    const pageInput = {
      policy: pagePolicy,
      artifacts: artifacts ?? [],
      ...(planned ? { planned: { planId: planned.planId, page: planned.page } } : {}),
      operation,
      firstTaskId: page.firstTaskId,
      ...copyOptions,
    };
    // Within a budget, a page that failed whole (not its tasks: those it retries itself) runs again.
    let result: ReplicationPageResult | undefined;
    let failingSince: number | undefined;
    for (let attempt = 1; !result; attempt++) {
      try {
        result = await executeChild(replicationPage, { workflowId: page.workflowId, args: [pageInput] });
      } catch (error) {
        failingSince ??= Date.now();
        if (!budget || isCancellation(error) || isPermanent(error) || Date.now() - failingSince >= budget.ms)
          throw error;
        await sleep(budgetDelayMs(attempt));
      }
    }
    page.tally = result.tally;
    pageDone(page);
    if (result.stopped || CancellationScope.current().consideredCancelled)
      throw new CancelledFailure('stopped');
  };

  /** Child pages, `pagesInFlight` at a time; the first failure (or stop) ends the wait. */
  const inFlight = new Set<Promise<void>>();
  const launch = async (
    content: Artifact[] | PlannedPage,
    operation: Operation,
    pagePolicy?: PolicySnapshot,
  ) => {
    const running: Promise<void> = childPage(content, operation, pagePolicy).finally(() =>
      inFlight.delete(running),
    );
    // Awaited by settle() or a race; marked handled so a page ending after the run does not count as unhandled.
    running.catch(() => undefined);
    inFlight.add(running);
    if (inFlight.size >= pagesInFlight) await Promise.race(inFlight);
  };
  const settle = async () => {
    while (inFlight.size > 0) await Promise.race(inFlight);
  };

  // A mirror deletes, per destination, what the source no longer has, unless the guardrails refuse.
  const prune = async () => {
    if (bookends ? await recordedPatch(patches.pagedPrunePlans) : patched(patches.pagedPrunePlans))
      return prunePaged();
    for (const destination of policy.destinations) {
      const plan = await untilNotRateLimited(
        () => planPrune({ policy, destinationRegistryId: destination.registry_id }),
        onWait,
      );
      if (plan.refusal) refusals.push(`${destination.name}: ${plan.refusal}`);
      else if (plan.artifacts.length > 0) {
        const pagePolicy = { ...policy, destinations: [destination] };
        for (let from = 0; from < plan.artifacts.length; from += pageSize)
          await launch(plan.artifacts.slice(from, from + pageSize), 'delete', pagePolicy);
      }
    }
    await settle();
  };

  // The plan stays in the store; each page of it is a child that reads its own deletions.
  const prunePaged = async () => {
    for (const destination of policy.destinations) {
      const plan = await untilNotRateLimited(
        () =>
          planPrunePages({
            policy,
            destinationRegistryId: destination.registry_id,
            runWorkflowId: runId,
            pageSize,
          }),
        onWait,
      );
      if (plan.refusal) refusals.push(`${destination.name}: ${plan.refusal}`);
      const pagePolicy = { ...policy, destinations: [destination] };
      for (let page = 1; page <= plan.pages; page++) {
        const count = Math.min(pageSize, plan.deletions - (page - 1) * pageSize);
        await launch({ planId: plan.planId, page, count }, 'delete', pagePolicy);
      }
    }
    await settle();
  };

  // How the run ended is kept in the store, so a closed run is read without replaying it; then
  // it is told (queued, delivered by a child the run does not wait for).
  const ended = async (summary: ExecutionSummary): Promise<ExecutionSummary> => {
    const event = runEndedEvent(summary);
    let notify: boolean;
    if (bookends) {
      ({ notify } = await CancellationScope.nonCancellable(() =>
        closeRun({ workflowId: runId, summary, pages: pagesToKeep, ...(event ? { event } : {}) }),
      ));
    } else {
      await CancellationScope.nonCancellable(() => recordRunResult({ workflowId: runId, summary }));
      notify = event !== undefined && patched(patches.notifications);
    }
    keptResult = summary;
    if (event && notify) {
      await queueNotifications([
        {
          type: event,
          subject: {
            kind: 'run',
            workflowId: runId,
            policy: { id: policy.id, name: policy.name },
            sourceRegistryId: policy.src_registry_id,
            sites: policy.destinations.map((site) => ({ id: site.registry_id, name: site.name })),
          },
        },
      ]);
    }
    return summary;
  };

  try {
    if (!opened) await recordExecution({ workflowId: runId, policyId: policy.id, trigger: input.trigger });
    if (input.skipReason) {
      return await ended(summarize(true));
    }
    if (input.artifacts) {
      if (input.artifacts.length <= pageSize) await ownPage(input.artifacts, input.operation);
      else {
        for (let from = 0; from < input.artifacts.length; from += pageSize)
          await launch(input.artifacts.slice(from, from + pageSize), input.operation);
        await settle();
      }
    } else {
      const enumerate = (cursor?: EnumerateCursor, check?: EnumerateArtifactsInput['checkIfLast']) =>
        untilNotRateLimited(
          () =>
            enumerateArtifacts({
              policy,
              pageSize,
              ...(cursor ? { cursor } : {}),
              ...(check ? { checkIfLast: check } : {}),
            }),
          onWait,
        );
      // A run of one page has it checked as it is listed, when HEADs can check it.
      const checkIfLast =
        checkableAtListing(policy, input.operation) &&
        (bookends ? await recordedPatch(patches.listedChecks) : patched(patches.listedChecks))
          ? { dryRun: input.dryRun }
          : undefined;
      let page = await enumerate(undefined, checkIfLast);
      if (!page.next) {
        if (page.artifacts.length > 0) await ownPage(page.artifacts, input.operation, page.inPlace);
      } else if (patched(patches.pageChecks)) {
        // The next page is listed while this one starts and waits for its turn.
        for (;;) {
          const next = page.next ? enumerate(page.next) : undefined;
          // Awaited below; marked handled so a page failing first does not leave it unhandled.
          next?.catch(() => undefined);
          if (page.artifacts.length > 0) await launch(page.artifacts, input.operation);
          if (!next) break;
          page = await next;
        }
        await settle();
      } else {
        for (;;) {
          if (page.artifacts.length > 0) await launch(page.artifacts, input.operation);
          if (!page.next) break;
          page = await enumerate(page.next);
        }
        await settle();
      }
      if (policy.mirror?.prune) await prune();
    }
  } catch (error) {
    if (isCancellation(error)) {
      stopped = true;
      // Pages still stopping report what they finished before the run keeps its result.
      await CancellationScope.nonCancellable(() => Promise.allSettled([...inFlight]));
      // A page being copied marks its unfinished tasks Stopped; its tally here may predate that.
      for (const page of pages) page.tally = stopUnfinished(page.tally);
      await ended(summarize(true));
      // Rethrown, the cancellation ends the run as cancelled: Harbor's API and the Temporal UI show it stopped.
      throw error;
    }
    // A failure that ends the run (a listing or a page that failed for good) is kept with its
    // reason: the activity's own words (a registry refusing its catalog says which and what to do).
    if (error instanceof TemporalFailure) {
      let reason: TemporalFailure = error;
      while (!(reason instanceof ApplicationFailure) && reason.cause instanceof TemporalFailure)
        reason = reason.cause;
      // Within a budget the reason says whether it was permanent or the budget was spent.
      const why = budget ? ` (${whyFailed(error, budget)})` : '';
      await ended({
        ...summarize(true),
        status: 'Failed',
        statusText: `run failed${why}: ${reason.message}`,
      });
    }
    throw error;
  }
  const summary = await ended(summarize(true));
  // A failed run fails: Temporal's UI shows it, and an event delivered again after it replicates again.
  if (summary.status === 'Failed') {
    throw ApplicationFailure.create({
      type: runFailedType,
      message: summary.statusText,
      nonRetryable: true,
      details: [summary],
    });
  }
  return summary;
}
