import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * `/livez`, `/readyz` and `/healthz` as kube-apiserver serves them: named checks, `ok` when all pass (`?verbose`
 * lists them: `[+]ping ok` … `livez check passed`), 500 naming the failed ones (`[-]storage failed: reason
 * withheld` … `readyz check failed`), `?exclude=<name>` (repeatable) to skip one, and `/<path>/<name>` for a single
 * check (`ok`, or 500 with the reason).
 */
export interface HealthCheck {
  name: string;
  /** Resolves when healthy; rejects (or throws) with the reason otherwise. */
  check(): void | Promise<void>;
}

export interface HealthChecks {
  livez: HealthCheck[];
  readyz: HealthCheck[];
  healthz: HealthCheck[];
}

/** A check that passes once `done()` says so: a post-start hook that has run. */
export function postStartHook(name: string, done: () => boolean): HealthCheck {
  return {
    name: `poststarthook/${name}`,
    check() {
      if (!done()) throw new Error('not finished');
    },
  };
}

const TEXT = 'text/plain; charset=utf-8';

async function run(check: HealthCheck): Promise<Error | undefined> {
  try {
    await check.check();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function queryValues(req: FastifyRequest, name: string): string[] | undefined {
  const v = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).map(String);
}

/**
 * `onFirstReady` runs once, just after the first `/readyz` that passed was answered: what the server's first
 * writes would otherwise load (clients that waited for readiness write next) is loaded then.
 */
export function registerHealthChecks(app: FastifyInstance, checks: HealthChecks, onFirstReady?: () => void): void {
  let firstReady = onFirstReady;
  for (const [name, list] of Object.entries(checks) as [keyof HealthChecks, HealthCheck[]][]) {
    app.get(`/${name}`, async (req, reply) => {
      const answer = await root(req, reply, name, list);
      if (name === 'readyz' && firstReady && reply.statusCode === 200) {
        setImmediate(firstReady);
        firstReady = undefined;
      }
      return answer;
    });
    for (const check of list) {
      app.get(`/${name}/${check.name}`, async (_req, reply) => {
        const err = await run(check);
        reply.header('X-Content-Type-Options', 'nosniff').type(TEXT);
        if (err) return reply.code(500).send(`internal server error: ${err.message}\n`);
        return reply.send('ok');
      });
    }
  }
}

async function root(req: FastifyRequest, reply: FastifyReply, name: string, list: HealthCheck[]) {
  const excluded = new Set(queryValues(req, 'exclude') ?? []);
  let out = '';
  const failed: string[] = [];
  const results = await Promise.all(list.map((c) => (excluded.has(c.name) ? undefined : run(c))));
  list.forEach((c, i) => {
    if (excluded.delete(c.name)) {
      out += `[+]${c.name} excluded: ok\n`;
      return;
    }
    const err = results[i];
    if (err) {
      out += `[-]${c.name} failed: reason withheld\n`;
      failed.push(`${c.name}: ${err.message}`);
    } else {
      out += `[+]${c.name} ok\n`;
    }
  });
  if (excluded.size > 0) {
    const names = [...excluded]
      .sort()
      .map((n) => JSON.stringify(n))
      .join(',');
    out += `warn: some health checks cannot be excluded: no matches for ${names}\n`;
  }
  reply.header('X-Content-Type-Options', 'nosniff').type(TEXT);
  if (failed.length > 0) {
    req.log.info({ failed }, `${name} check failed`);
    return reply.code(500).send(`${out}${name} check failed\n`);
  }
  if (queryValues(req, 'verbose') === undefined) return reply.send('ok');
  return reply.send(`${out}${name} check passed\n`);
}
