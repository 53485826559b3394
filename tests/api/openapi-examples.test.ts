// Swagger UI's "Try it out" sends the document's examples (#32 item 4): there is one on every request
// body, parameter and response, and each is valid by its own schema — the same document clients
// generate from. (tests/process/swagger-ui.test.ts clicks through them in a real browser.)
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { createTestApp, type TestApp } from '../setup/app.js';

let t: TestApp;
let doc: Record<string, any>;
beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.app.inject('/openapi.json')).json();
});
afterAll(() => t.close());

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ components: doc.components }, 'doc');
  return (schema: object, value: unknown) => {
    // `#/components/…` inside the document's schemas point into the schema registered as `doc`.
    const rooted = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'));
    const validate = ajv.compile(rooted);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

it('every request body, parameter and response has an example, valid by its schema', () => {
  const check = validator();
  // The check itself catches a wrong example.
  const transferBody = doc.paths['/transfers'].post.requestBody.content['application/json'].schema;
  expect(check(transferBody, { from_account_id: 4, to_account_id: 5, amount: '2500', currency: 'usd' })).toHaveLength(2);
  const problems: string[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? []) {
        if (p.example === undefined) problems.push(`${where}: parameter ${p.name} has no example`);
        else for (const e of check(p.schema, p.example)) problems.push(`${where}: parameter ${p.name}: ${e}`);
      }
      const body = op.requestBody?.content?.['application/json'];
      if (body) {
        if (body.example === undefined) problems.push(`${where}: the body has no example`);
        else for (const e of check(body.schema, body.example)) problems.push(`${where}: body ${e}`);
      }
      for (const [status, response] of Object.entries<any>(op.responses)) {
        for (const [type, media] of Object.entries<any>(response.content ?? {})) {
          if (media.example === undefined) problems.push(`${where} ${status} ${type}: no example`);
          else for (const e of check(media.schema, media.example)) problems.push(`${where} ${status}: ${e}`);
        }
      }
    }
  }
  expect(problems).toEqual([]);
});

it("the examples are the README's journey: alice, bob, 2500 cents", () => {
  const transfer = doc.paths['/transfers'].post;
  expect(transfer.requestBody.content['application/json'].example).toEqual({
    from_account_id: 4,
    to_account_id: 5,
    amount: 2500,
    currency: 'USD',
  });
  expect(doc.paths['/users'].post.requestBody.content['application/json'].example.username).toBe('alice');
  expect(doc.paths['/users/login'].post.requestBody.content['application/json'].example).toEqual({
    username: 'alice',
    password: 'alice-secret-1',
  });
});
