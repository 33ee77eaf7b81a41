/**
 * What a simulated container "writes": no process runs, so its log is made up, and says so. Every instance logs a
 * lifecycle line from the emulator when it starts and when it stops (marked `[kube-emulator]`); well-known images
 * (nginx, busybox, fluentd, redis, httpd, postgres, memcached) add a line or two shaped like their real start-up
 * and shut-down output. Everything is a pure function of the container and the instant, so a restarted controller
 * manager rebuilds the same lines for containers that were already running.
 */
import { parseImage, normalizeImage } from './images.js';

/** A line to write, `offsetUs` microseconds after the lifecycle instant. */
export interface SyntheticLine {
  text: string;
  offsetUs: number;
  stream?: 'stdout' | 'stderr';
}

/** What the content depends on. */
export interface ContainerFacts {
  name: string;
  image: string;
  containerID: string;
  command?: unknown;
  args?: unknown;
  /** Whether it is an init container (which runs to completion). */
  init?: boolean;
}

/** Why an instance stopped. */
export type StopReason = 'deleted' | 'restarted' | 'completed';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function ymd(ms: number, sep: string): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${sep}${pad(d.getUTCMonth() + 1)}${sep}${pad(d.getUTCDate())}`;
}
function hms(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** The family of a well-known image, from the last part of its repository path. */
export function imageFamily(image: string): string | undefined {
  if (!image) return undefined;
  const path = parseImage(image).path;
  const last = path.slice(path.lastIndexOf('/') + 1);
  if (/^fluentd/.test(last) || /^fluent-bit/.test(last))
    return last.startsWith('fluent-bit') ? 'fluent-bit' : 'fluentd';
  for (const f of ['nginx', 'busybox', 'redis', 'httpd', 'postgres', 'memcached', 'pause', 'alpine']) {
    if (last === f || last.startsWith(`${f}-`)) return f;
  }
  return undefined;
}

/** The version an image tag names (`1.25.3`, `v0.14.10` → `0.14.10`), if it looks like one. */
function versionOf(image: string, fallback: string): string {
  const tag = parseImage(image).tag ?? '';
  const m = /^v?(\d+(?:\.\d+){0,2})/.exec(tag);
  return m ? m[1]! : fallback;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** `["sh" "-c" "sleep 3600"]`, as Go's %q prints a []string. */
function goQuotedList(items: string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(' ')}]`;
}

const short = (containerID: string) => containerID.replace(/^[a-z]+:\/\//, '').slice(0, 12);

/** The lines of an instance that starts at `ms`. */
export function startLines(c: ContainerFacts, ms: number): SyntheticLine[] {
  const argv = [...stringList(c.command), ...stringList(c.args)];
  const what = c.init ? 'init container' : 'container';
  const image = c.image ? `image ${normalizeImage(c.image)}, ` : '';
  let first = `[kube-emulator] ${what} "${c.name}" started (simulated, no process runs): ${image}id ${short(c.containerID)}`;
  if (argv.length) first += `, command ${goQuotedList(argv)}`;
  const out: SyntheticLine[] = [{ text: first, offsetUs: 0 }];
  const at = (us: number, text: string, stream?: 'stdout' | 'stderr') => out.push({ text, offsetUs: us, stream });
  const t = ms + 2;
  switch (imageFamily(c.image)) {
    case 'nginx': {
      const v = versionOf(c.image, '1.27.3');
      at(1200, '/docker-entrypoint.sh: Configuration complete; ready for start up');
      at(2400, `${ymd(t, '/')} ${hms(t)} [notice] 1#1: nginx/${v}`, 'stderr');
      at(2600, `${ymd(t, '/')} ${hms(t)} [notice] 1#1: start worker processes`, 'stderr');
      break;
    }
    case 'fluentd': {
      const v = versionOf(c.image, '1.16.2');
      const stamp = `${ymd(t, '-')} ${hms(t)} +0000`;
      at(1500, `${stamp} [info]: parsing config file is succeeded path="/fluentd/etc/fluent.conf"`);
      at(2500, `${stamp} [info]: starting fluentd-${v} pid=7 ruby="3.2.2"`);
      at(3500, `${stamp} [info]: #0 fluentd worker is now running worker=0`);
      break;
    }
    case 'fluent-bit':
      at(1500, `[${ymd(t, '/')} ${hms(t)}] [ info] [fluent bit] version=${versionOf(c.image, '3.1.9')}, pid=1`);
      at(2500, `[${ymd(t, '/')} ${hms(t)}] [ info] [sp] stream processor started`);
      break;
    case 'redis': {
      const d = new Date(t);
      const stamp = `${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${hms(t)}.${pad(d.getUTCMilliseconds(), 3)}`;
      at(1500, `1:C ${stamp} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`);
      at(
        2500,
        `1:C ${stamp} * Redis version=${versionOf(c.image, '7.4.1')}, bits=64, commit=00000000, modified=0, pid=1, just started`,
      );
      at(3500, `1:M ${stamp} * Ready to accept connections tcp`);
      break;
    }
    case 'httpd':
      at(
        1500,
        `[${new Date(t).toUTCString().replace(/GMT$/, '').trim()}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/${versionOf(c.image, '2.4.62')} (Unix) configured -- resuming normal operations`,
        'stderr',
      );
      break;
    case 'postgres':
      at(
        1500,
        `${ymd(t, '-')} ${hms(t)}.000 UTC [1] LOG:  starting PostgreSQL ${versionOf(c.image, '17.2')} on x86_64-pc-linux-gnu`,
      );
      at(2500, `${ymd(t, '-')} ${hms(t)}.000 UTC [1] LOG:  database system is ready to accept connections`);
      break;
    case 'memcached':
      at(1500, 'memcached: listening on 0.0.0.0:11211 (simulated)');
      break;
    case 'busybox':
    case 'alpine':
      // A shell image prints what its command echoes; anything else stays silent, as `sleep` would.
      for (const [i, word] of echoes(argv).entries()) at(1000 + i * 100, word);
      break;
    default:
      break;
  }
  return out;
}

/** What `echo` commands in a `sh -c` script would print (simple words and quoted strings only). */
export function echoes(argv: string[]): string[] {
  if (argv[0] === 'echo' || argv[0] === '/bin/echo') return argv.length > 1 ? [argv.slice(1).join(' ')] : [''];
  const script = argv.length >= 3 && /(^|\/)(ba)?sh$/.test(argv[0]!) && argv[1] === '-c' ? argv[2]! : '';
  const out: string[] = [];
  for (const part of script.split(/;|&&|\n/)) {
    const m = /^\s*echo\s+(.*?)\s*$/.exec(part);
    if (!m) continue;
    const text = m[1]!.replace(/^(['"])(.*)\1$/, '$2');
    if (!/[$`\\|><]/.test(text)) out.push(text);
    if (out.length >= 10) break;
  }
  return out;
}

/** The lines of an instance that stops at `ms`, with its exit code. */
export function stopLines(c: ContainerFacts, ms: number, reason: StopReason, exitCode = 0): SyntheticLine[] {
  const out: SyntheticLine[] = [];
  const at = (us: number, text: string, stream?: 'stdout' | 'stderr') => out.push({ text, offsetUs: us, stream });
  if (reason !== 'completed') {
    switch (imageFamily(c.image)) {
      case 'nginx':
        at(0, `${ymd(ms, '/')} ${hms(ms)} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down`, 'stderr');
        break;
      case 'fluentd':
        at(0, `${ymd(ms, '-')} ${hms(ms)} +0000 [info]: Received graceful stop`);
        break;
      case 'redis':
        at(0, '1:signal-handler Received SIGTERM scheduling shutdown...');
        break;
      default:
        break;
    }
  }
  const why =
    reason === 'deleted'
      ? 'stopped: the pod is being deleted'
      : reason === 'restarted'
        ? 'stopped: its definition changed, it will be restarted'
        : 'completed';
  const what = c.init ? 'init container' : 'container';
  at(out.length ? 1500 : 0, `[kube-emulator] ${what} "${c.name}" ${why} (exit code ${exitCode})`);
  return out;
}
