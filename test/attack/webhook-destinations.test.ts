/**
 * Attack probe (attack20): webhook URLs to addresses only the worker's network reaches, in every
 * spelling an attacker holding `webhooks:write` might try, under the production rule
 * (`refusedEndpoint`, the same check the API and the consumer use), parsed by workerd's own URL
 * parser as `fetch` would.
 */
import { describe, expect, it } from "vitest";
import { refusedEndpoint } from "../../src/config/unsafe-destinations";

const PRODUCTION = { development: false };

const SPELLINGS = [
  "https://127.1/",
  "https://0/",
  "https://0x7f000001/",
  "https://017700000001/",
  "https://127.0.0.1./",
  "https://%31%32%37.0.0.1/",
  "https://１２７.０.０.１/",
  "https://ｌｏｃａｌｈｏｓｔ/",
  "https://localhost./",
  "https://LocalHost../",
  "https:\\\\169.254.169.254\\latest",
  "https:/169.254.169.254/",
  "https://hooks.example.com@169.254.169.254/",
  "https://@169.254.169.254/",
  "https://169.254.169.254:443/",
  "https://[::ffff:a9fe:a9fe]/",
  "https://[::ffff:169.254.169.254]/",
  "https://[0:0:0:0:0:ffff:7f00:1]/",
  "https://[::127.0.0.1]/",
  "https://[::]/",
  "https://[0::1]/",
  "https://[fc00::1]/",
  "https://[fec0::1]/",
  "https://[ff02::1]/",
  "https://[64:ff9b:1::a9fe:a9fe]/",
  "https://[2002:7f00:1::]/",
  "https://[2001::1]/",
  "https://[100::1]/",
  "https://metadata.google.internal./",
  "https://instance-data/",
  "https://instance-data.ec2.internal/",
  "https://printer.local/",
  "https://router.home.arpa/",
  "https://xn--localhost-/",
  "https://192.0.0.170/",
  "https://198.18.0.1/",
  "https://255.255.255.255/",
  "https://224.0.0.1/",
  // Let through until F7 of attack20 was fixed:
  "https://[::ffff:0:7f00:1]/", // IPv4-translated ::ffff:0:0:0/96 (RFC 2765 SIIT) of 127.0.0.1
  "https://[::ffff:0:a9fe:a9fe]/", // … of 169.254.169.254
  "https://[3fff::1]/", // documentation 3fff::/20 (RFC 9637)
  "https://[5f00::1]/", // SRv6 SIDs 5f00::/16
  "https://192.88.99.1/", // 6to4 relay anycast (deprecated)
];

describe("attack: webhook destinations under the production rule", () => {
  it.each(SPELLINGS)("refuses %s", (url) => {
    const refused = refusedEndpoint(url, PRODUCTION);
    expect(refused, `${url} → ${URL.canParse(url) ? new URL(url).hostname : "(unparsable)"}`).not.toBeNull();
  });

  // Reported, not asserted as refused: addresses the rule lets through.
  it("lets through (documented or arguable) these", () => {
    const through = [
      "https://127.0.0.1.nip.io/", // a public name answering 127.0.0.1 (documented)
      "https://kubernetes.default.svc/", // cluster-internal suffix
      "https://hooks.example.com:22/", // any port
    ].map((url) => [url, new URL(url).hostname, refusedEndpoint(url, PRODUCTION)]);
    expect(through.every(([, , refused]) => refused === null)).toBe(true);
  });
});
