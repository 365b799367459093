/**
 * The sandbox page in the browser. The server renders every pane to (escaped) HTML; this script only places
 * it, keeps it live (server-sent events), and turns what the person does (typing, clicking buttons, opening
 * App Home, submitting modals) into requests the server delivers to the app as Slack would. Text the script
 * builds itself always goes through textContent.
 */

interface ChannelInfo {
  id: string;
  name: string;
  kind: "channel" | "private" | "im";
  topic: string;
  latest: string | null;
}

interface State {
  version: number;
  team: string;
  me: { id: string; name: string };
  botName: string;
  channels: ChannelInfo[];
  dm: string;
  pane: { id: string; kind: "channel" | "im" | "home"; html: string | null };
  thread: { ts: string; html: string } | null;
  modal: {
    id: string;
    hash: string;
    title: string;
    submit: string | null;
    close: string;
    html: string;
  } | null;
  commands: Array<{ command: string; description: string; usageHint: string }>;
  shortcuts: Array<{ name: string; callbackId: string }>;
  examples: Array<{ title: string; text: string }>;
  status: { ready: boolean; articles: number; problem?: string };
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
};

const view = {
  channels: $("channels"),
  apps: $("apps"),
  title: $("pane-title"),
  topic: $("pane-topic"),
  tabs: $("app-tabs"),
  banner: $("banner"),
  messages: $("messages"),
  home: $("home"),
  examples: $("examples"),
  composer: $<HTMLTextAreaElement>("composer"),
  hint: $("composer-hint"),
  thread: $("thread"),
  threadMessages: $("thread-messages"),
  threadComposer: $<HTMLTextAreaElement>("thread-composer"),
  threadChannel: $("thread-channel"),
  modalRoot: $("modal-root"),
  menu: $("menu"),
  toast: $("toast"),
};

let state: State | null = null;
let pane = decodeURIComponent(location.hash.slice(1)) || "";
let threadTs: string | null = null;
let shownModal = "";
const seen = new Map<string, string>();

// ------------------------------------------------------------------------------------------- server

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new Error(typeof json.problem === "string" ? json.problem : `HTTP ${res.status}`);
  return json;
}

let refreshing: Promise<void> | null = null;
let again = false;

/** Fetches the state and redraws; calls during a fetch coalesce into one more. */
function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      const params = new URLSearchParams();
      if (pane) params.set("pane", pane);
      if (threadTs) params.set("thread", threadTs);
      const res = await fetch(`/ui/state?${params}`);
      if (res.ok) render((await res.json()) as State);
    } while (again);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function toast(text: string): void {
  view.toast.textContent = text;
  view.toast.hidden = false;
  window.setTimeout(() => {
    view.toast.hidden = true;
  }, 5000);
}

const run = (work: Promise<unknown>) =>
  work.then(
    () => refresh(),
    (error: Error) => toast(error.message),
  );

// ------------------------------------------------------------------------------------------- render

function setHtml(el: HTMLElement, html: string, followNew: boolean): void {
  if (el.dataset.html === html) return;
  const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  el.innerHTML = html;
  el.dataset.html = html;
  if (!followNew || !atBottom) return;
  // Show the newest message from its start: an answer is often taller than the pane.
  const messages = el.querySelectorAll<HTMLElement>(".msg");
  const last = messages[messages.length - 1];
  el.scrollTop = Math.min(el.scrollHeight, last ? last.offsetTop - 8 : el.scrollHeight);
}

function sidebarItem(label: string, prefix: string, id: string, unread: boolean): HTMLLIElement {
  const li = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = `side-item${id === pane ? " active" : ""}${unread ? " unread" : ""}`;
  button.dataset.pane = id;
  const mark = document.createElement("span");
  mark.className = "side-prefix";
  mark.textContent = prefix;
  button.append(mark, document.createTextNode(label));
  li.append(button);
  return li;
}

function render(next: State): void {
  state = next;
  if (!pane) pane = next.pane.id;
  const current = next.pane.id;
  const channel = next.channels.find((c) => c.id === current);
  if (channel?.latest) seen.set(channel.id, channel.latest);

  view.channels.replaceChildren(
    ...next.channels
      .filter((c) => c.kind !== "im")
      .map((c) =>
        sidebarItem(
          c.name,
          c.kind === "private" ? "🔒" : "#",
          c.id,
          c.id !== current && c.latest !== null && c.latest !== (seen.get(c.id) ?? null),
        ),
      ),
  );
  const dm = next.channels.find((c) => c.id === next.dm);
  const appItem = sidebarItem(
    next.botName,
    "◆",
    // An app with a Home tab opens on it; the tabs switch to its Messages.
    pane === next.dm ? next.dm : "home",
    next.dm !== current && pane !== "home" && !!dm?.latest && dm.latest !== (seen.get(next.dm) ?? null),
  );
  const appButton = appItem.querySelector("button");
  if (appButton && (pane === "home" || pane === next.dm)) appButton.classList.add("active");
  view.apps.replaceChildren(appItem);

  const isApp = next.pane.kind === "home" || next.pane.kind === "im";
  view.title.textContent = isApp ? next.botName : `# ${channel?.name ?? ""}`;
  view.topic.textContent = isApp ? "App" : (channel?.topic ?? "");
  view.tabs.hidden = !isApp;
  for (const tab of view.tabs.querySelectorAll<HTMLButtonElement>("[data-tab]")) {
    const active = (tab.dataset.tab === "home") === (next.pane.kind === "home");
    tab.classList.toggle("active", active);
    tab.setAttribute("aria-selected", String(active));
  }

  const { ready, articles, problem } = next.status;
  view.banner.hidden = ready && !problem;
  view.banner.textContent = problem
    ? problem
    : ready
      ? ""
      : `Indexing the knowledge base… (${articles} articles so far). Messages sent now are answered once it is ready.`;

  const home = next.pane.kind === "home";
  view.home.hidden = !home;
  view.messages.hidden = home;
  document.querySelector<HTMLElement>("#composer-form")?.toggleAttribute("hidden", home);
  if (home) {
    setHtml(
      view.home,
      next.pane.html ?? `<p class="empty">Opening ${escapeText(next.botName)}'s Home…</p>`,
      false,
    );
  } else {
    setHtml(
      view.messages,
      next.pane.html || `<p class="empty">No messages yet. Paste an error below, or try an example.</p>`,
      true,
    );
    const name = next.pane.kind === "im" ? next.botName : `#${channel?.name ?? ""}`;
    view.composer.placeholder = `Message ${name}`;
  }

  view.examples.replaceChildren(
    ...(next.examples.length
      ? [Object.assign(document.createElement("span"), { className: "try-label", textContent: "Try:" })]
      : []),
    ...next.examples.map((example) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "try-example";
      button.dataset.example = example.text;
      button.title = `${example.text}\n\n(from “${example.title}”)`;
      button.textContent = example.text;
      return button;
    }),
  );

  if (next.thread && !home) {
    view.thread.hidden = false;
    view.threadChannel.textContent = next.pane.kind === "im" ? next.botName : `#${channel?.name ?? ""}`;
    setHtml(view.threadMessages, next.thread.html, true);
  } else {
    view.thread.hidden = true;
    if (threadTs && !next.thread) threadTs = null;
  }

  renderModal(next.modal);
}

function escapeText(text: string): string {
  const span = document.createElement("span");
  span.textContent = text;
  return span.innerHTML;
}

function renderModal(modal: State["modal"]): void {
  const key = modal ? `${modal.id}:${modal.hash}` : "";
  if (key === shownModal) return;
  shownModal = key;
  if (!modal) {
    view.modalRoot.replaceChildren();
    return;
  }
  // Title, buttons and body are HTML rendered (and escaped) by the server.
  view.modalRoot.innerHTML = `<div class="modal-backdrop"><div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" data-view-id="">
    <header class="modal-header"><h2 id="modal-title">${modal.title}</h2><button type="button" class="modal-x" data-modal-close aria-label="Close">×</button></header>
    <div class="modal-body">${modal.html}</div>
    <div class="modal-problem" hidden></div>
    <footer class="modal-footer"><button type="button" class="bk-button" data-modal-close>${modal.close}</button>${
      modal.submit
        ? `<button type="button" class="bk-button bk-primary" data-modal-submit>${modal.submit}</button>`
        : ""
    }</footer></div></div>`;
  const dialog = view.modalRoot.querySelector<HTMLElement>(".modal");
  if (dialog) dialog.dataset.viewId = modal.id;
  view.modalRoot.querySelector<HTMLElement>("input, select, textarea")?.focus();
}

// ------------------------------------------------------------------------------------------- forms

/** Slack's `view.state.values` from the inputs in a view: block_id → action_id → element state. */
function stateValues(root: HTMLElement): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of root.querySelectorAll<HTMLElement>(".bk-input[data-block-id]")) {
    const blockId = block.dataset.blockId ?? "";
    const entry: Record<string, unknown> = {};
    for (const el of block.querySelectorAll<HTMLElement>("[data-action-id][data-type]")) {
      const actionId = el.dataset.actionId ?? "";
      const type = el.dataset.type ?? "";
      if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio")) {
        const option = el.checked
          ? { text: { type: "plain_text", text: el.dataset.text ?? el.value }, value: el.value }
          : null;
        const previous = (entry[actionId] as Record<string, unknown> | undefined) ?? { type };
        if (type === "checkboxes") {
          const list = (previous.selected_options as unknown[] | undefined) ?? [];
          entry[actionId] = { type, selected_options: option ? [...list, option] : list };
        } else {
          entry[actionId] = option
            ? { type, selected_option: option }
            : { selected_option: null, ...previous };
        }
        continue;
      }
      const value = (el as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value;
      if (type === "static_select" || type === "external_select") {
        const select = el as HTMLSelectElement;
        const text = select.selectedOptions[0]?.textContent ?? "";
        entry[actionId] = {
          type,
          selected_option: value ? { text: { type: "plain_text", text, emoji: true }, value } : null,
        };
      } else if (type === "conversations_select") {
        entry[actionId] = { type, selected_conversation: value || null };
      } else if (type === "channels_select") {
        entry[actionId] = { type, selected_channel: value || null };
      } else if (type === "users_select") {
        entry[actionId] = { type, selected_user: value || null };
      } else {
        entry[actionId] = { type, value: value === "" ? null : value };
      }
    }
    values[blockId] = entry;
  }
  return values;
}

function showErrors(modal: HTMLElement, errors: Record<string, string>): void {
  for (const block of modal.querySelectorAll<HTMLElement>(".bk-input[data-block-id]")) {
    let slot = block.querySelector<HTMLElement>(".bk-error");
    const message = errors[block.dataset.blockId ?? ""];
    if (!message) {
      slot?.remove();
      continue;
    }
    if (!slot) {
      slot = document.createElement("div");
      slot.className = "bk-error";
      block.append(slot);
    }
    slot.textContent = message;
  }
}

async function submitModal(modal: HTMLElement): Promise<void> {
  const viewId = modal.dataset.viewId ?? "";
  const reply = await post("/ui/submit", { viewId, values: stateValues(modal) });
  const problem = modal.querySelector<HTMLElement>(".modal-problem");
  if (reply.ok) return void (await refresh());
  if (reply.errors) showErrors(modal, reply.errors as Record<string, string>);
  if (problem && typeof reply.problem === "string") {
    problem.textContent = reply.problem;
    problem.hidden = false;
  }
}

// ------------------------------------------------------------------------------------------- actions

function open(next: string): void {
  pane = next;
  threadTs = null;
  location.hash = encodeURIComponent(next);
  if (next === "home") void run(post("/ui/home", {}));
  else void refresh();
}

async function send(textarea: HTMLTextAreaElement, inThread: boolean): Promise<void> {
  const text = textarea.value;
  if (!text.trim() || !state) return;
  const channel = state.pane.id;
  textarea.value = "";
  autosize(textarea);
  updateHint();
  try {
    await post("/ui/message", { channel, text, ...(inThread && threadTs ? { threadTs } : {}) });
    await refresh();
  } catch (error) {
    textarea.value = text;
    autosize(textarea);
    toast((error as Error).message);
  }
}

function clickedAction(button: HTMLElement): Record<string, unknown> {
  const body: Record<string, unknown> = {
    actionId: button.dataset.actionId,
    blockId: button.dataset.blockId ?? button.closest<HTMLElement>("[data-block-id]")?.dataset.blockId ?? "",
    type: button.dataset.type ?? "button",
    text: button.textContent ?? "",
  };
  if (button.dataset.value !== undefined) body.value = button.dataset.value;
  const viewRoot = button.closest<HTMLElement>("[data-view-id]");
  const ephemeral = button.closest<HTMLElement>("[data-ephemeral-ts]");
  const message = button.closest<HTMLElement>("[data-ts]");
  if (viewRoot?.dataset.viewId) {
    body.viewId = viewRoot.dataset.viewId;
    const modal = button.closest<HTMLElement>(".modal");
    body.values = stateValues(modal ?? viewRoot);
  } else if (ephemeral) {
    body.channel = ephemeral.dataset.channel;
    body.ephemeralTs = ephemeral.dataset.ephemeralTs;
  } else if (message) {
    body.channel = message.dataset.channel;
    body.messageTs = message.dataset.ts;
  }
  return body;
}

function showShortcuts(anchor: HTMLElement): void {
  if (!state) return;
  const message = anchor.closest<HTMLElement>("[data-ts]");
  if (!message) return;
  const items = state.shortcuts.map((s) => {
    const item = document.createElement("button");
    item.type = "button";
    item.className = "menu-item";
    item.dataset.shortcut = s.callbackId;
    item.dataset.channel = message.dataset.channel ?? "";
    item.dataset.messageTs = message.dataset.ts ?? "";
    const app = document.createElement("span");
    app.className = "menu-app";
    app.textContent = state?.botName ?? "";
    item.append(document.createTextNode(s.name), app);
    return item;
  });
  const title = Object.assign(document.createElement("div"), {
    className: "menu-title",
    textContent: "Message shortcuts",
  });
  view.menu.replaceChildren(title, ...items);
  const box = anchor.getBoundingClientRect();
  view.menu.style.top = `${Math.round(box.bottom + window.scrollY + 4)}px`;
  view.menu.style.left = `${Math.round(Math.max(8, box.right - 260))}px`;
  view.menu.hidden = false;
}

document.addEventListener("click", (event) => {
  const target = event.target as HTMLElement;
  if (!target.closest("#menu") && !target.closest("[data-shortcuts]")) view.menu.hidden = true;

  const paneButton = target.closest<HTMLElement>("[data-pane]");
  if (paneButton?.dataset.pane) return open(paneButton.dataset.pane);
  const tab = target.closest<HTMLElement>("[data-tab]");
  if (tab && state) return open(tab.dataset.tab === "home" ? "home" : state.dm);

  const example = target.closest<HTMLElement>("[data-example]");
  if (example?.dataset.example && state) {
    if (state.pane.kind === "home") pane = state.dm;
    void run(post("/ui/message", { channel: pane || state.pane.id, text: example.dataset.example }));
    return;
  }
  const threadOpener = target.closest<HTMLElement>("[data-open-thread]");
  if (threadOpener?.dataset.openThread) {
    threadTs = threadOpener.dataset.openThread;
    void refresh().then(() => view.threadComposer.focus());
    return;
  }
  if (target.closest("#thread-close")) {
    threadTs = null;
    void refresh();
    return;
  }
  const shortcuts = target.closest<HTMLElement>("[data-shortcuts]");
  if (shortcuts) return showShortcuts(shortcuts);
  const shortcut = target.closest<HTMLElement>("[data-shortcut]");
  if (shortcut) {
    view.menu.hidden = true;
    void run(
      post("/ui/shortcut", {
        callbackId: shortcut.dataset.shortcut,
        channel: shortcut.dataset.channel,
        messageTs: shortcut.dataset.messageTs,
      }),
    );
    return;
  }
  const dismiss = target.closest<HTMLElement>("[data-dismiss]");
  if (dismiss) return void run(post("/ui/dismiss", { ts: dismiss.dataset.dismiss }));

  const modal = target.closest<HTMLElement>(".modal");
  if (modal && target.closest("[data-modal-close]"))
    return void run(post("/ui/close", { viewId: modal.dataset.viewId }));
  if (modal && target.closest("[data-modal-submit]"))
    return void submitModal(modal).catch((e: Error) => toast(e.message));

  const button = target.closest<HTMLElement>("button[data-action-id], a[data-action-id]");
  if (button) {
    if (button.dataset.url) window.open(button.dataset.url, "_blank", "noopener,noreferrer");
    event.preventDefault();
    const buttons = button.closest(".bk-actions")?.querySelectorAll("button") ?? [];
    for (const b of buttons) b.setAttribute("disabled", "");
    void run(post("/ui/action", clickedAction(button))).finally(() => {
      for (const b of buttons) b.removeAttribute("disabled");
    });
  }
});

// A select in a message or App Home acts at once, as in Slack (inside a modal's input block it waits for Save).
document.addEventListener("change", (event) => {
  const select = event.target as HTMLElement;
  if (!(select instanceof HTMLSelectElement) || !select.dataset.actionId || select.closest(".bk-input"))
    return;
  const body = clickedAction(select);
  body.selected = select.value;
  body.text = select.selectedOptions[0]?.textContent ?? "";
  void run(post("/ui/action", body));
});

function autosize(textarea: HTMLTextAreaElement): void {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight, 320)}px`;
}

function updateHint(): void {
  const text = view.composer.value;
  const typed = /^\/(\S*)$/.exec(text.split(/\s/)[0] ?? "");
  const commands = typed && state ? state.commands.filter((c) => c.command.startsWith(`/${typed[1]}`)) : [];
  if (commands.length === 0) {
    view.hint.textContent = "Enter to send · Shift+Enter for a new line · /triage for the slash command";
    return;
  }
  view.hint.textContent = commands.map((c) => `${c.command} ${c.usageHint} — ${c.description}`).join(" · ");
}

for (const [textarea, inThread] of [
  [view.composer, false],
  [view.threadComposer, true],
] as const) {
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void send(textarea, inThread);
    }
  });
  textarea.addEventListener("input", () => {
    autosize(textarea);
    if (!inThread) updateHint();
  });
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  view.menu.hidden = true;
  const modal = view.modalRoot.querySelector<HTMLElement>(".modal");
  if (modal) void run(post("/ui/close", { viewId: modal.dataset.viewId }));
});

window.addEventListener("hashchange", () => {
  const next = decodeURIComponent(location.hash.slice(1));
  if (next && next !== pane) open(next);
});

const events = new EventSource("/ui/events");
events.addEventListener("change", () => void refresh());

if (pane === "home") open("home");
else void refresh();
view.composer.focus();
