/**
 * The scheduler (see scheduler.ts): `scheduler(ctx)` is its component factory; framework.ts is the decision.
 */
export { scheduler, Scheduler, SCHEDULER_NAME, wantsScheduling, type SchedulerOptions } from './scheduler.js';
export {
  buildSnapshot,
  fitErrorMessage,
  filterNode,
  schedulePod,
  scoreNodes,
  REASONS,
  type NodeInfo,
  type ScheduleResult,
  type Status,
} from './framework.js';
