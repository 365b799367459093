/** The sandbox page's static shell and styles; `client/main.ts` fills it from `/ui/state`. */
import { BLOCK_KIT_CSS } from "../render/block-kit-css.js";

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

const PAGE_CSS = `
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; overflow: hidden; }
body { font: 15px/1.46 Lato, "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d1c1d; background: #fff; }
button { font: inherit; }
[hidden] { display: none !important; }
.app { display: grid; grid-template-columns: 240px minmax(0, 1fr) auto; height: 100vh; }
.sidebar { background: #3f0e40; color: #cfc3cf; display: flex; flex-direction: column; overflow-y: auto; }
.team { color: #fff; font-weight: 900; font-size: 18px; padding: 14px 16px; border-bottom: 1px solid #5d2c5d; }
.sandbox-tag { font-size: 11px; font-weight: 700; background: #ecb22e; color: #1d1c1d; border-radius: 4px; padding: 1px 6px; margin-left: 6px; vertical-align: middle; }
.section-label { padding: 16px 16px 4px; font-size: 13px; font-weight: 700; }
.sidebar ul { list-style: none; margin: 0; padding: 0 8px; }
.side-item { width: 100%; text-align: left; background: none; border: 0; color: inherit; padding: 4px 10px; border-radius: 6px; cursor: pointer; display: flex; gap: 8px; }
.side-item:hover { background: #350d36; }
.side-item.active { background: #1164a3; color: #fff; }
.side-item.unread { color: #fff; font-weight: 900; }
.side-prefix { width: 16px; text-align: center; opacity: .8; }
.sidebar-foot { margin-top: auto; padding: 16px; font-size: 12px; line-height: 1.4; color: #b9a8b9; }
.channel { display: flex; flex-direction: column; min-width: 0; min-height: 0; height: 100vh; }
.channel-header { padding: 10px 20px 0; border-bottom: 1px solid #ddd; min-height: 50px; }
.channel-header h1 { font-size: 18px; font-weight: 900; margin: 0; }
#pane-topic { color: #616061; font-size: 13px; padding-bottom: 8px; }
.tabs { display: flex; gap: 16px; }
.tab { background: none; border: 0; border-bottom: 2px solid transparent; padding: 6px 2px; cursor: pointer; color: #616061; font-weight: 700; }
.tab.active { color: #1d1c1d; border-bottom-color: #1264a3; }
.banner { background: #fef6e4; border-bottom: 1px solid #ecb22e; padding: 8px 20px; font-size: 14px; }
.messages { flex: 1; min-height: 0; overflow-y: auto; padding: 12px 0; position: relative; }
.home { flex: 1; min-height: 0; overflow-y: auto; padding: 20px 28px; }
.empty { color: #616061; padding: 0 20px; }
.msg { display: grid; grid-template-columns: 36px minmax(0, 1fr) auto; gap: 8px; padding: 8px 20px; position: relative; }
.msg:hover { background: #f8f8f8; }
.msg.ephemeral { background: #f4f8fb; }
.avatar { width: 36px; height: 36px; border-radius: 6px; color: #fff; display: grid; place-items: center; font-weight: 700; font-size: 16px; }
.msg-meta { display: flex; align-items: baseline; gap: 6px; }
.msg-author { font-weight: 900; }
.app-badge { font-size: 10px; font-weight: 700; color: #616061; background: #e8e8e8; border-radius: 2px; padding: 0 3px; }
.msg-meta time { color: #616061; font-size: 12px; }
.msg-content { overflow-wrap: anywhere; }
.edited { color: #616061; font-size: 13px; }
.ephemeral-note { grid-column: 1 / -1; color: #616061; font-size: 12px; margin-bottom: -2px; }
.link { background: none; border: 0; padding: 0; color: #1264a3; cursor: pointer; font-size: inherit; }
.msg-tools { visibility: hidden; display: flex; gap: 2px; align-items: start; }
.msg:hover .msg-tools, .msg:focus-within .msg-tools { visibility: visible; }
.msg-tool { background: #fff; border: 1px solid #ddd; border-radius: 6px; cursor: pointer; padding: 0 8px; line-height: 26px; font-size: 13px; color: #454245; }
.replies { background: none; border: 0; padding: 2px 0; color: #1264a3; font-weight: 700; font-size: 13px; cursor: pointer; }
.replies:hover { text-decoration: underline; }
.reactions { display: flex; gap: 4px; margin-top: 4px; }
.reaction { border: 1px solid #1264a3; background: #e8f5fa; border-radius: 12px; padding: 0 8px; font-size: 13px; }
.reaction-count { color: #1264a3; font-weight: 700; }
.composer { padding: 0 20px 16px; }
.try { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 6px 0; }
.try-label { font-size: 13px; font-weight: 700; color: #616061; }
.try-example { font-size: 13px; background: #fff; border: 1px solid #ccc; border-radius: 14px; padding: 2px 10px; cursor: pointer; max-width: 320px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.try-example:hover { background: #f8f8f8; border-color: #999; }
.composer textarea { width: 100%; resize: none; border: 1px solid #bbb; border-radius: 8px; padding: 10px 12px; font: inherit; min-height: 44px; max-height: 320px; }
.composer textarea:focus { outline: none; border-color: #1264a3; box-shadow: 0 0 0 1px #1264a3; }
.composer-hint { font-size: 12px; color: #616061; margin-top: 4px; }
.thread { width: 440px; height: 100vh; min-height: 0; display: flex; flex-direction: column; border-left: 1px solid #ddd; }
.thread header { display: flex; align-items: baseline; gap: 8px; padding: 12px 16px; border-bottom: 1px solid #ddd; }
.thread h2 { font-size: 18px; margin: 0; }
#thread-channel { color: #616061; font-size: 13px; flex: 1; }
#thread-close { background: none; border: 0; font-size: 22px; cursor: pointer; line-height: 1; }
.thread .composer { padding-top: 8px; }
.thread-divider { display: flex; align-items: center; gap: 8px; color: #616061; font-size: 13px; padding: 4px 20px; }
.thread-divider::after { content: ""; flex: 1; border-top: 1px solid #ddd; }
.modal-backdrop { position: fixed; inset: 0; background: rgba(0,0,0,.45); display: grid; place-items: center; z-index: 10; }
.modal { background: #fff; width: min(520px, 94vw); max-height: 90vh; border-radius: 8px; display: flex; flex-direction: column; box-shadow: 0 18px 48px rgba(0,0,0,.35); }
.modal-header { display: flex; justify-content: space-between; align-items: center; padding: 16px 24px; border-bottom: 1px solid #ddd; }
.modal-header h2 { margin: 0; font-size: 20px; font-weight: 900; }
.modal-x { background: none; border: 0; font-size: 24px; cursor: pointer; }
.modal-body { overflow-y: auto; padding: 16px 24px; }
.modal-problem { color: #e01e5a; padding: 0 24px 8px; }
.modal-footer { display: flex; justify-content: flex-end; gap: 8px; padding: 14px 24px; border-top: 1px solid #ddd; }
.menu { position: absolute; z-index: 20; width: 260px; background: #fff; border: 1px solid #ddd; border-radius: 8px; box-shadow: 0 8px 24px rgba(0,0,0,.2); padding: 6px 0; }
.menu-title { font-size: 12px; color: #616061; padding: 4px 14px; }
.menu-item { display: flex; justify-content: space-between; width: 100%; background: none; border: 0; padding: 6px 14px; cursor: pointer; text-align: left; }
.menu-item:hover { background: #1264a3; color: #fff; }
.menu-app { font-size: 12px; opacity: .7; }
.toast { position: fixed; bottom: 20px; left: 50%; transform: translateX(-50%); background: #1d1c1d; color: #fff; padding: 10px 16px; border-radius: 8px; z-index: 30; max-width: 80vw; }
`;

export function pageHtml(teamName: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>kb-triage sandbox · ${esc(teamName)}</title>
<style>${PAGE_CSS}${BLOCK_KIT_CSS}</style>
</head>
<body>
<div class="app">
  <nav class="sidebar" aria-label="Workspace">
    <div class="team">${esc(teamName)}<span class="sandbox-tag">sandbox</span></div>
    <div class="section-label">Channels</div>
    <ul id="channels"></ul>
    <div class="section-label">Apps</div>
    <ul id="apps"></ul>
    <div class="sidebar-foot">A local Slack emulator driving the real kb-triage app. Nothing leaves this machine; everything resets when you stop <code>npm start</code>.</div>
  </nav>
  <main class="channel">
    <header class="channel-header">
      <h1 id="pane-title"></h1>
      <div id="pane-topic"></div>
      <div class="tabs" id="app-tabs" role="tablist" hidden>
        <button type="button" class="tab" role="tab" data-tab="home">Home</button>
        <button type="button" class="tab" role="tab" data-tab="messages">Messages</button>
      </div>
    </header>
    <div class="banner" id="banner" role="status" hidden></div>
    <div class="messages" id="messages" role="log" aria-live="polite"></div>
    <div class="home" id="home" hidden></div>
    <div class="composer" id="composer-form">
      <textarea id="composer" rows="1" aria-label="Message" placeholder="Message"></textarea>
      <div class="try" id="examples"></div>
      <div class="composer-hint" id="composer-hint">Enter to send · Shift+Enter for a new line · /triage for the slash command</div>
    </div>
  </main>
  <aside class="thread" id="thread" aria-label="Thread" hidden>
    <header><h2>Thread</h2><span id="thread-channel"></span><button type="button" id="thread-close" aria-label="Close thread">×</button></header>
    <div class="messages" id="thread-messages" role="log"></div>
    <div class="composer"><textarea id="thread-composer" rows="1" aria-label="Reply" placeholder="Reply…"></textarea></div>
  </aside>
</div>
<div id="modal-root"></div>
<div id="menu" class="menu" role="menu" hidden></div>
<div id="toast" class="toast" role="alert" hidden></div>
<script src="/sandbox.js"></script>
</body>
</html>`;
}
