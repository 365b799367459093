/** Slack-like styles for every class the Block Kit renderer emits. All selectors start with `.bk-`. */
export const BLOCK_KIT_CSS = `
.bk-block, .bk-text {
  font-family: Lato, "Slack-Lato", -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px;
  line-height: 1.46668;
  color: #1d1c1d;
  overflow-wrap: anywhere;
}
.bk-block { margin: 4px 0; }
.bk-block:first-child { margin-top: 0; }
.bk-block a { color: #1264a3; text-decoration: none; }
.bk-block a:hover, .bk-text a:hover { text-decoration: underline; }
.bk-text a { color: #1264a3; text-decoration: none; }

/* Inline formatting */
.bk-code {
  font-family: Monaco, Menlo, Consolas, "Courier New", monospace;
  font-size: 12px;
  line-height: 1.5;
  color: #e01e5a;
  background: #f8f8f8;
  border: 1px solid #dddddd;
  border-radius: 3px;
  padding: 2px 3px 1px;
  white-space: pre-wrap;
}
.bk-pre {
  font-family: Monaco, Menlo, Consolas, "Courier New", monospace;
  font-size: 12px;
  line-height: 1.5;
  color: #1d1c1d;
  background: #f8f8f8;
  border: 1px solid #dddddd;
  border-radius: 4px;
  padding: 8px;
  margin: 4px 0;
  white-space: pre-wrap;
  word-break: break-word;
  overflow-x: auto;
}
.bk-pre .bk-code { color: inherit; background: none; border: 0; padding: 0; }
.bk-quote {
  margin: 4px 0;
  padding: 0 0 0 12px;
  border-left: 4px solid #dddddd;
  color: #1d1c1d;
}
.bk-mention, .bk-channel {
  color: #1264a3;
  background: rgba(29, 155, 209, 0.1);
  border-radius: 3px;
  padding: 0 2px 1px;
  font-weight: 400;
}
.bk-unsupported {
  display: inline-block;
  color: #616061;
  font-size: 13px;
  font-style: italic;
  background: #f8f8f8;
  border: 1px dashed #dddddd;
  border-radius: 4px;
  padding: 2px 6px;
}

/* header, divider, section, context, image */
.bk-block.bk-header { font-size: 18px; font-weight: 900; line-height: 1.33; margin: 8px 0 4px; }
.bk-block.bk-divider { margin: 8px 0; }
hr.bk-divider { border: 0; border-top: 1px solid #dddddd; height: 0; margin: 0; }
.bk-section-body { display: flex; align-items: flex-start; gap: 12px; }
.bk-section-main { flex: 1 1 auto; min-width: 0; }
.bk-accessory { flex: 0 0 auto; }
.bk-accessory-image { display: block; width: 88px; height: 88px; object-fit: cover; border-radius: 4px; }
.bk-fields { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px 16px; margin-top: 4px; }
.bk-text + .bk-fields { margin-top: 8px; }
.bk-section-field { min-width: 0; }
.bk-block.bk-context {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 4px 8px;
  font-size: 13px;
  line-height: 1.38463;
  color: #616061;
}
.bk-context-item .bk-code { font-size: 11px; }
.bk-context-image { width: 20px; height: 20px; border-radius: 4px; object-fit: cover; vertical-align: middle; }
.bk-image-title { font-size: 15px; color: #1d1c1d; margin-bottom: 4px; }
.bk-image-img { display: block; max-width: 360px; max-height: 360px; border-radius: 8px; border: 1px solid rgba(29, 28, 29, 0.13); }

/* Buttons, overflow menus and selects */
.bk-block.bk-actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 8px 0; }
.bk-button {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  box-sizing: border-box;
  height: 28px;
  min-width: 56px;
  padding: 0 12px;
  font: inherit;
  font-size: 13px;
  font-weight: 700;
  color: #1d1c1d;
  background: #ffffff;
  border: 1px solid rgba(29, 28, 29, 0.3);
  border-radius: 4px;
  cursor: pointer;
  white-space: nowrap;
  list-style: none;
}
.bk-button:hover { background: #f8f8f8; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.08); }
.bk-button:disabled { opacity: 0.5; cursor: default; }
.bk-button.bk-primary { color: #ffffff; background: #007a5a; border-color: #007a5a; }
.bk-button.bk-primary:hover { background: #148567; }
.bk-button.bk-danger { color: #e01e5a; border-color: #e01e5a; }
.bk-button.bk-danger:hover { color: #ffffff; background: #e01e5a; }
.bk-overflow { position: relative; display: inline-block; }
.bk-overflow-toggle { min-width: 28px; padding: 0 6px; font-size: 16px; }
.bk-overflow-toggle::-webkit-details-marker { display: none; }
.bk-overflow-menu {
  position: absolute;
  right: 0;
  z-index: 10;
  display: flex;
  flex-direction: column;
  min-width: 180px;
  margin-top: 4px;
  padding: 8px 0;
  background: #ffffff;
  border: 1px solid rgba(29, 28, 29, 0.13);
  border-radius: 6px;
  box-shadow: 0 4px 12px rgba(0, 0, 0, 0.12);
}
.bk-overflow-option {
  font: inherit;
  font-size: 15px;
  text-align: left;
  color: #1d1c1d;
  background: none;
  border: 0;
  padding: 4px 24px;
  cursor: pointer;
}
.bk-overflow-option:hover { color: #ffffff; background: #1264a3; }
.bk-select {
  box-sizing: border-box;
  height: 28px;
  max-width: 100%;
  padding: 0 8px;
  font: inherit;
  font-size: 13px;
  color: #1d1c1d;
  background: #ffffff;
  border: 1px solid rgba(29, 28, 29, 0.3);
  border-radius: 4px;
}
.bk-select[multiple] { height: auto; padding: 4px; }

/* Input blocks (modals) */
.bk-block.bk-input { margin: 16px 0; }
.bk-label { display: block; font-weight: 700; margin-bottom: 8px; }
.bk-optional { font-weight: 400; color: #616061; }
.bk-field {
  display: block;
  box-sizing: border-box;
  width: 100%;
  height: 40px;
  padding: 0 12px;
  font: inherit;
  font-size: 15px;
  color: #1d1c1d;
  background: #ffffff;
  border: 1px solid rgba(29, 28, 29, 0.3);
  border-radius: 4px;
}
.bk-field:focus { outline: none; border-color: #1264a3; box-shadow: 0 0 0 1px #1264a3, 0 0 0 5px rgba(29, 155, 209, 0.3); }
.bk-textarea { height: auto; min-height: 88px; padding: 8px 12px; resize: vertical; }
.bk-select.bk-field { height: 40px; font-size: 15px; }
.bk-select.bk-field[multiple] { height: auto; }
.bk-checkboxes, .bk-radio_buttons { padding: 2px 0; }
.bk-options { display: flex; flex-direction: column; gap: 8px; }
.bk-option { display: flex; align-items: flex-start; gap: 8px; cursor: pointer; }
.bk-option input { margin: 4px 0 0; accent-color: #1264a3; }
.bk-option-text { flex: 1 1 auto; min-width: 0; }
.bk-option-desc { font-size: 13px; color: #616061; }
.bk-hint { font-size: 13px; color: #616061; margin-top: 6px; }
.bk-error { font-size: 13px; color: #e01e5a; margin-top: 6px; }
.bk-input:has(.bk-error) .bk-field { border-color: #e01e5a; }

/* Message text without blocks, rich_text and markdown */
.bk-message-text { margin: 0; }
.bk-block.bk-rich_text, .bk-block.bk-markdown { margin: 0; }
.bk-rt-section { min-height: 1em; }
.bk-rt-list { margin: 0; padding-left: 28px; }
.bk-rt-list li { margin: 0; }
ul.bk-rt-indent-1, ul.bk-rt-indent-4, ul.bk-rt-indent-7 { list-style-type: circle; }
ul.bk-rt-indent-2, ul.bk-rt-indent-5, ul.bk-rt-indent-8 { list-style-type: square; }
.bk-rt-indent-1 { margin-left: 28px; }
.bk-rt-indent-2 { margin-left: 56px; }
.bk-rt-indent-3 { margin-left: 84px; }
.bk-rt-indent-4 { margin-left: 112px; }
.bk-rt-indent-5 { margin-left: 140px; }
.bk-rt-indent-6 { margin-left: 168px; }
.bk-rt-indent-7 { margin-left: 196px; }
.bk-rt-indent-8 { margin-left: 224px; }
.bk-md-heading { font-weight: 700; font-size: 17px; margin: 8px 0 4px; }
`;
