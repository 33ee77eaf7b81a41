/** Raw HTTP/1.1 exchanges for tests of what Node's parser and the connection handling answer. */
import assert from 'node:assert/strict';
import net from 'node:net';

/** Sends raw bytes on a new connection; resolves with everything the server wrote before it closed. */
export function rawExchange(url: string, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('error', () => {}); // a reset after the answer is fine: the answer is what is checked
    s.on('close', () => resolve(out));
    s.setTimeout(timeoutMs, () => {
      s.destroy();
      reject(new Error(`the server kept the connection open; it wrote: ${out.slice(0, 300)}`));
    });
    s.write(bytes);
  });
}

/** Splits a raw HTTP/1.1 response into its status code, headers and JSON body. */
export function parseRaw(raw: string): { code: number; headers: Record<string, string>; body: any } {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `not an HTTP response: ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)![1]);
  return { code, headers, body: JSON.parse(raw.slice(end + 4)) };
}
