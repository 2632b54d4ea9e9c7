// A reply that says `status: "success"` but whose data has another shape (a proxy, another service,
// a broken server) gives a clear prometheus-malformed error naming the problem, never a TypeError.
// A loopback HTTP server plays the server; the real client and the real history code read it.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isHeapscopeError } from '../../../src/core/errors';
import { listContainers, listNamespaces, PromClient, queryRange } from '../../../src/core/prometheus';

describe('prometheus: malformed success replies', function () {
  this.timeout(20_000);
  let server: Server;
  let base: string;
  let reply = '';

  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(reply);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const malformed = (pattern: RegExp) => (error: unknown) =>
    isHeapscopeError(error, 'prometheus-malformed') && pattern.test(error.message);
  const success = (data: unknown) => JSON.stringify({ status: 'success', data });

  it('names what is wrong with a range reply', async () => {
    const client = new PromClient({ url: base });
    const cases: Array<[unknown, RegExp]> = [
      [undefined, /no data/],
      [{ resultType: 'matrix', result: 5 }, /matrix without a result list/],
      [{ resultType: 'matrix', result: [{ metric: {}, values: 5 }] }, /not \[time, "value"\] pairs/],
      [{ resultType: 'matrix', result: [{ values: [] }] }, /without its labels/],
      [{ resultType: 'matrix', result: [{ metric: {}, values: [[1, 2]] }] }, /not \[time, "value"\] pairs/],
      [{ result: [] }, /no resultType/],
    ];
    for (const [data, pattern] of cases) {
      reply = success(data);
      await assert.rejects(queryRange(client, 'up', 0, 600, 60), malformed(pattern), JSON.stringify(data));
    }
  });

  it('names what is wrong with label and series replies', async () => {
    const client = new PromClient({ url: base });
    const range = { start: 0, end: 600 };
    reply = success({ not: 'a list' });
    await assert.rejects(listNamespaces(client, range), malformed(/not a list of names/));
    reply = success([{ container: 5 }]);
    await assert.rejects(
      listContainers(client, 'shop', { name: 'api-0' }, range),
      malformed(/not a list of label sets/),
    );
    reply = 'null';
    await assert.rejects(listNamespaces(client, range), malformed(/not a Prometheus reply/));
  });

  it('still reads a well-formed reply', async () => {
    reply = success({ resultType: 'matrix', result: [{ metric: { pod: 'a' }, values: [[60, '1']] }] });
    const series = await queryRange(new PromClient({ url: base }), 'up', 0, 600, 60);
    assert.equal(series.length, 1);
  });
});
