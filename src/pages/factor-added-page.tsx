/**
 * @module
 * Confirmation that another factor was added (backup codes are only issued with the first).
 */
import type { FC } from "hono/jsx";
import { Layout, type Branding } from "./layout";

/**
 * @example
 * <FactorAddedPage branding={…} continueTo="/" />
 */
export const FactorAddedPage: FC<{ branding: Branding; continueTo: string }> = ({ branding, continueTo }) => (
  <Layout branding={branding} title="Factor added">
    <div class="card">
      <p role="status">You can now use it to confirm it's you.</p>
    </div>
    <p>
      <a href={continueTo}>Continue</a>
    </p>
  </Layout>
);
