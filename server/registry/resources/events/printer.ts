// Table columns of events.
import { column, NAME_DESCRIPTION } from '../../../printers/columns.js';
import { parseTimestamp, translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/**
 * An Event in either wire shape: core/v1 (`involvedObject`, `message`, `source`, `firstTimestamp`, ...) or
 * events.k8s.io/v1 (`regarding`, `note`, `deprecatedSource`, `deprecatedFirstTimestamp`, ...).
 */
export interface EventLike extends KubeObjectLike {
  type?: string;
  reason?: string;
  message?: string;
  note?: string;
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  regarding?: { kind?: string; name?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
  deprecatedSource?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingController?: string;
  reportingInstance?: string;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  eventTime?: string | null;
  count?: number;
  deprecatedCount?: number;
  series?: { count?: number; lastObservedTime?: string | null } | null;
}

/** `component[, host]`, falling back to the reporting controller / instance when the source is empty. */
function eventSource(e: EventLike): string {
  const source = e.source ?? e.deprecatedSource ?? {};
  const component = source.component || e.reportingComponent || e.reportingController || '';
  const host = source.host || e.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

/** Events: Last Seen, Type, Reason, Object, Message; wide Subobject, Source, First Seen, Count, Name. */
export const eventPrinter: Printer<EventLike> = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column(
      'Reason',
      'string',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'string', 'The object that this event is about.'),
    column(
      'Subobject',
      'string',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid ' +
        'JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object ' +
        'reference is to a container within a pod, this would take on a value like: "spec.containers{name}" ' +
        '(where "name" refers to the name of the container that triggered the event) or if no container name is ' +
        'specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have ' +
        'some well-defined way of referencing a part of an object.',
      1,
    ),
    column(
      'Source',
      'string',
      'The component reporting this event. Should be a short machine understandable string.',
      1,
    ),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column(
      'First Seen',
      'string',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      1,
    ),
    column('Count', 'string', 'The number of times this event has occurred.', 1),
    column('Name', 'string', NAME_DESCRIPTION, 1, 'name'),
  ],
  cells(e, now) {
    const first = e.firstTimestamp ?? e.deprecatedFirstTimestamp;
    const last = e.lastTimestamp ?? e.deprecatedLastTimestamp;
    const firstSeen =
      parseTimestamp(first) !== undefined
        ? translateTimestampSince(first, now)
        : translateTimestampSince(e.eventTime, now);
    let lastSeen = parseTimestamp(last) !== undefined ? translateTimestampSince(last, now) : firstSeen;
    let count = e.count ?? e.deprecatedCount ?? 0;
    if (e.series) {
      lastSeen = translateTimestampSince(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events of the new API carry no count
    }
    const ref = e.involvedObject ?? e.regarding ?? {};
    const kind = (ref.kind ?? '').toLowerCase();
    return [
      lastSeen,
      e.type ?? '',
      e.reason ?? '',
      ref.name ? `${kind}/${ref.name}` : kind,
      ref.fieldPath ?? '',
      eventSource(e),
      (e.message ?? e.note ?? '').trim(),
      firstSeen,
      count,
      e.metadata?.name ?? '',
    ];
  },
};
