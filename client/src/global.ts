/**
 * @module
 * The script tag's build (`/__stepgate/client.js`): the client as `window.stepgate`.
 */
import { StepUpError, configure, fetch, install, resume } from "./index.js";

declare global {
  interface Window {
    /** stepgate's client: `stepgate.fetch(input, init, { mode })`, `install`, `resume`, `configure`, `StepUpError`. */
    stepgate: { fetch: typeof fetch; install: typeof install; resume: typeof resume; configure: typeof configure; StepUpError: typeof StepUpError };
  }
}

window.stepgate = { fetch, install, resume, configure, StepUpError };
