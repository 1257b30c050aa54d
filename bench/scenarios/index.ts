/**
 * The scenarios of `npm run bench`, in the table's order. A new row is a module in this folder
 * exporting a `Scenario` (see ./scenario.ts), listed here.
 */
import { bundle } from "./bundle";
import { challengePage } from "./challenge-page";
import { coldStart } from "./cold-start";
import { directory } from "./directory";
import { manyUsers } from "./many-users";
import { passkeyVerify } from "./passkey-verify";
import type { Scenario } from "./scenario";
import { soak } from "./soak";
import { throughput } from "./throughput";
import { verify } from "./verify";
import { webhookDeliveries } from "./webhook-deliveries";

export const scenarios: Scenario[] = [...throughput, verify, directory, coldStart, bundle, manyUsers, webhookDeliveries, soak, passkeyVerify, challengePage];
