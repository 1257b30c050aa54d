/** docs/policy.md's reference table is what the policy schema says today. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { POLICY_DOC, withPolicyReference } from "../../scripts/policy-reference";

describe("the policy reference", () => {
  it("is current with the policy schema", () => {
    const written = readFileSync(POLICY_DOC, "utf8");
    // A failure here means a schema field or its .describe() text changed: run `npm run docs:policy`.
    expect(written === withPolicyReference(written), `${POLICY_DOC} is out of date: run \`npm run docs:policy\``).toBe(true);
  });
});
