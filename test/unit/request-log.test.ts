import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import client from 'prom-client';
import { RequestLog, requestDurationHistogram } from '../../src/http/request-log';

describe('RequestLog (the access line and latency of every request)', () => {
  it('logs one line per request — id, method, url, status, time, no header — at error level for a 5xx, none for probes', async () => {
    const lines: Record<string, any>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const registry = new client.Registry();
    const requests = new RequestLog(pino({ level: 'info' }, sink), requestDurationHistogram(registry));
    const server = http.createServer((req, res) => {
      requests.track(req, res);
      res.statusCode = req.url === '/boom' ? 503 : 200;
      res.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ok = await fetch(`${url}/graphql?x=1`, { headers: { authorization: 'Bearer secret', 'x-request-id': 'r-1' } });
      expect(ok.headers.get('x-request-id')).toBe('r-1');
      await fetch(`${url}/boom`);
      await fetch(`${url}/healthz`);
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({
        level: 30,
        msg: 'request completed',
        req: { id: 'r-1', method: 'GET', url: '/graphql?x=1' },
        res: { statusCode: 200 },
      });
      expect(typeof lines[0].responseTime).toBe('number');
      expect(JSON.stringify(lines)).not.toContain('secret');
      expect(lines[1]).toMatchObject({ level: 50, msg: 'request errored', res: { statusCode: 503 } });
      expect(lines[1].req.id).toMatch(/^[0-9a-f-]{36}$/);
      const metrics = await registry.metrics();
      expect(metrics).toContain('http_request_duration_seconds_count{method="GET",route="/graphql",status="200"} 1');
      expect(metrics).toContain('route="other",status="503"');
    } finally {
      server.close();
    }
  });
});
