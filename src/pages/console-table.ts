/**
 * @module
 * The console's tables of records (the activity, a version's changes): full width on a desk,
 * scrolled sideways inside their card on a phone, codes and ids wrapped anywhere.
 */

export const CONSOLE_TABLE_CSS = `
.scroll{overflow-x:auto}
table.records{width:100%;border-collapse:collapse;font-size:.9rem}
table.records th,table.records td{text-align:start;vertical-align:top;padding:.4rem .5rem;border-top:1px solid var(--border)}
table.records thead th{border-top:0}
table.records code{font-size:.85rem;word-break:break-all;direction:ltr;unicode-bidi:isolate}
table.records pre{white-space:pre-wrap;word-break:break-all;margin:.25rem 0}
nav.paging{display:flex;flex-wrap:wrap;gap:1rem;margin-top:1rem}
`;
