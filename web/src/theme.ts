// Shared design tokens (CSS custom properties) and base styles for every hostflow component.
import { css } from 'lit';

/**
 * Design tokens on `:host`. Each component includes them, so it renders the same standalone; a page can
 * override any token by setting it on the element (outer styles win over `:host`).
 * Text colours keep at least 4.5:1 contrast on both `--hf-surface` and `--hf-bg`.
 */
export const theme = css`
  :host {
    --hf-bg: #f4f5f7;
    --hf-surface: #ffffff;
    --hf-fg: #1a1d21;
    --hf-muted: #586170;
    --hf-border: #d8dce2;
    --hf-border-strong: #b9bfc8;
    --hf-row-hover: #f2f6fb;
    --hf-accent: #0b5cad;
    --hf-accent-bg: #e8f1fb;
    --hf-ok: #17703a;
    --hf-ok-bg: #e6f4ea;
    --hf-warn: #8a4b00;
    --hf-warn-bg: #fff2dc;
    --hf-bad: #b42318;
    --hf-bad-bg: #fdecea;
    --hf-radius: 8px;
    --hf-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', sans-serif;
    --hf-mono: ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, monospace;
    font-family: var(--hf-font);
    color: var(--hf-fg);
  }

  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0, 0, 0, 0);
    white-space: nowrap;
    border: 0;
  }
`;
