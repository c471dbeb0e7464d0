/**
 * Tables on a narrow screen (a phone, 390 px): instead of a table wider than the screen with most columns out of
 * sight, each row becomes a card and each cell a line with its column's name before it. CSS only: the name comes
 * from the cell's data-label (layout.ts table() writes it). The header row is hidden from sight only, and the
 * table element keeps its display: changing that drops the table's semantics for screen readers in some browsers.
 */
export const STACKED_TABLE_STYLES = `
@media (max-width: 40rem) {
  .lk-page { padding: 1rem 0.75rem; }
  .lk-panel { padding: 1rem; }
  .lk-table-wrap { overflow-x: visible; }
  .lk-stack thead tr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .lk-stack tbody tr { display: block; border: 1px solid var(--lk-line); border-radius: var(--lk-radius); margin: 0 0 0.75rem; padding: 0.25rem 0; }
  .lk-stack tbody tr:hover { background: none; }
  /* The label sits in the cell's left padding, so the value keeps its own flow (a link and a badge stay inline). */
  .lk-stack tbody td { display: block; position: relative; min-height: 1.75rem; border-bottom: none; padding: 0.3rem 0.75rem 0.3rem 9.5rem; overflow-wrap: anywhere; }
  .lk-stack tbody td::before { content: attr(data-label); position: absolute; left: 0.75rem; top: 0.4rem; width: 8.25rem; font-size: 0.8125rem; font-weight: 600; color: var(--lk-muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .lk-stack tbody td.lk-cell-actions { padding: 0.5rem 0.75rem 0.3rem; }
  .lk-stack tbody td.lk-cell-actions::before { content: none; }
  .lk-stack time { white-space: normal; }
}
`;
