/**
 * Failures a test provokes on purpose are asserted, not printed: stepgate logs them with
 * `console.error` (operators need those lines), and a passing run should not show them.
 */
import { onTestFinished, vi } from "vitest";

/**
 * Captures `console.error` until the test ends and returns the spy to assert on. The worker under
 * test (`SELF`) runs in the test's isolate, so this sees what stepgate logs while answering.
 *
 * @example
 * const errors = expectErrorLogs();
 * expect((await send(`${base}/anything`)).status).toBe(502);
 * expect(errors).toHaveBeenCalledWith("stepgate: origin unreachable", expect.any(String), expect.any(Error));
 */
export function expectErrorLogs() {
  const spy = vi.spyOn(console, "error").mockImplementation(() => {});
  onTestFinished(() => spy.mockRestore());
  return spy;
}
