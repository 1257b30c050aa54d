/**
 * Requests an origin could read otherwise than stepgate shows them are refused, through the
 * real worker: the review's reproductions (a JSON body declared as a form, a field in the query
 * and the body, two spellings of one form field, a repeated `_method`) and the other readings
 * the rule closes (byte-order mark, another charset, base64 multipart parts).
 */
import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi } from "../support/step-up";

const policy = aPolicy({
  operations: {
    withdraw: { routes: ["POST /api/withdraw"], maxAge: 0, display: ["amount", "currency", "to"] },
    // Not bound to the request, but it shows fields: what it shows must be read the same way.
    profile: { routes: ["POST /api/profile"], maxAge: 0, bindRequest: false, display: ["email"] },
  },
});

async function enrolledUser(sub: string) {
  const { base } = await aTenant(policy);
  const token = await aSession({ sub });
  await enrollTotpViaApi(base, token);
  return { base, token };
}

const post = (base: string, token: string, path: string, type: string, body: BodyInit) =>
  send(`${base}${path}`, { method: "POST", headers: { Cookie: `portal_session=${token}`, "Content-Type": type }, body });

async function expectRefused(response: Response, reason: RegExp, code = "ambiguous_request") {
  expect(response.status).toBe(400);
  const problem = await response.json<{ code: string; detail: string }>();
  expect(problem.code).toBe(code);
  expect(problem.detail).toMatch(reason);
}

describe("a request the origin could read two ways is refused, never approved as shown", () => {
  it("refuses a JSON body declared as a form that would show amount 10 to ALICE (the review's case)", async () => {
    const { base, token } = await enrolledUser("hana");
    const body = '{"amount":10000,"currency":"USD","to":"MALLORY","x":"&amount=10&currency=USD&to=ALICE&y="}';
    await expectRefused(await post(base, token, "/api/withdraw", "application/x-www-form-urlencoded", body), /form body that is JSON/);
    // The honest request is still challenged, showing what it is.
    const honest = await post(base, token, "/api/withdraw", "application/json", '{"amount":10000,"currency":"USD","to":"MALLORY"}');
    expect(honest.status).toBe(401);
  });

  it("refuses a displayed field in the query beside the body, two spellings of a field, and a repeated _method", async () => {
    const { base, token } = await enrolledUser("ivo");
    const form = "application/x-www-form-urlencoded";
    await expectRefused(await post(base, token, "/api/withdraw?amount=10000", form, "amount=10&currency=USD&to=ALICE"), /also in the query/);
    await expectRefused(await post(base, token, "/api/withdraw", form, "amoun%74=10&amount=10000&currency=USD&to=ALICE"), /sent 2 times/);
    await expectRefused(await post(base, token, "/api/withdraw", form, "amount=10&currency=USD&to=ALICE&to.x=1&to_x=2"), /also sent as/);
    await expectRefused(await post(base, token, "/api/withdraw", form, "amount=10&currency=USD&to=ALICE&to=MALLORY"), /sent 2 times/);
    await expectRefused(await post(base, token, "/api/withdraw", form, "Amount=10000&currency=USD&to=ALICE"), /sent as "Amount"/);
    const repeated = await post(base, token, "/api/withdraw?_method=POST&_method=DELETE", form, "amount=10&currency=USD&to=ALICE");
    await expectRefused(repeated, /more than once/, "ambiguous_method");
  });

  it("refuses a body with a byte-order mark, in another charset, or with base64 multipart parts", async () => {
    const { base, token } = await enrolledUser("jon");
    await expectRefused(await post(base, token, "/api/withdraw", "application/json", '\ufeff{"amount":10}'), /byte-order mark/);
    await expectRefused(await post(base, token, "/api/withdraw", "application/json; charset=utf-16", '{"amount":10}'), /charset utf-16/);
    // Two content types: not a type stepgate can show, so refused before it is read at all.
    const twoTypes = await post(base, token, "/api/withdraw", "application/json, application/x-www-form-urlencoded", '{"amount":10}');
    expect(twoTypes.status).toBe(415);
    const multipart = '--b\r\nContent-Disposition: form-data; name="amount"\r\nContent-Transfer-Encoding: base64\r\n\r\nMTAwMDA=\r\n--b--\r\n';
    await expectRefused(await post(base, token, "/api/withdraw", "multipart/form-data; boundary=b", multipart), /Transfer-Encoding/);
  });

  it("refuses a multipart body whose parts another parser names otherwise (the second review's split)", async () => {
    const { base, token } = await enrolledUser("lea");
    const part = (shown: string, real: string, value: string) =>
      `--B\r\nContent-Disposition: form-data; name="${shown}"\r\nContent-Disposition: form-data; name="${real}"\r\n\r\n${value}\r\n`;
    const split = `${part("amount", "shown_a", "10")}${part("to", "shown_t", "ALICE")}${part("real_a", "amount", "10000")}${part("real_t", "to", "MALLORY")}--B--\r\n`;
    await expectRefused(await post(base, token, "/api/withdraw", "multipart/form-data; boundary=B", split), /two Content-Disposition/);
    const escaped = '--B\r\nContent-Disposition: form-data; name="amo\\unt"\r\n\r\n10\r\n--B--\r\n';
    await expectRefused(await post(base, token, "/api/withdraw", "multipart/form-data; boundary=B", escaped), /Content-Disposition is not/);
    const emptyFilename = '--B\r\nContent-Disposition: form-data; name="amount"; filename=""\r\n\r\n10\r\n--B--\r\n';
    await expectRefused(await post(base, token, "/api/withdraw", "multipart/form-data; boundary=B", emptyFilename), /empty filename/);
    // What a browser sends is still challenged.
    const data = new FormData();
    data.append("amount", "10");
    data.append("currency", "USD");
    data.append("to", "ALICE");
    const browser = await send(`${base}/api/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${token}` }, body: data });
    expect(browser.status).toBe(401);
  });

  it("refuses the same on an operation that shows fields without binding its grant", async () => {
    const { base, token } = await enrolledUser("kim");
    await expectRefused(await post(base, token, "/api/profile", "application/x-www-form-urlencoded", '{"email":"mallory@evil.test"}'), /JSON/);
    const plain = await post(base, token, "/api/profile", "application/x-www-form-urlencoded", "email=kim%40demo.test");
    expect(plain.status).toBe(401);
    expect(await plain.json()).toMatchObject({ code: "step_up_required", operation: "profile" });
  });
});
