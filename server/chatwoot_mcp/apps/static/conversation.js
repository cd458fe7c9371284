/* A conversation: its history as a chat, its state and contact, and the reply composer.
   Customer text is raw here (app_conversation) and goes into the page as text only. The composer's token (from
   app_conversation or app_review_reply `_meta`) lives in this closure, never in the page. */
"use strict";
const Conversation = (() => {
  const { el } = UI;
  const COMPOSER = "chatwoot-mcp/composer";
  const THUMBNAILS = 12;
  const SEND_TIMEOUT_MS = 90000;
  let view = null;
  // The composer's one-time token and the exact text it was issued for: never written into the DOM.
  let secret = null;
  let boundText = null;

  function tokenOf(result) {
    const meta = result && result._meta && result._meta[COMPOSER];
    return meta && typeof meta.token === "string" ? meta.token : null;
  }

  /** Open conversation `id`: app_conversation with the model's `draft` (the token is bound to it). */
  async function open(id, draft, options) {
    const o = options || {};
    if (!o.quiet) UI.loading("Opening conversation #" + id + "…");
    performance.mark("cw:conversation-call");
    let result;
    try {
      result = await Bridge.callTool("app_conversation", draft ? { conversation_id: id, draft } : { conversation_id: id });
      const data = UI.data(result);
      performance.mark("cw:conversation-data");
      secret = tokenOf(result);
      boundText = secret !== null ? (typeof data.draft === "string" ? data.draft : draft || "") : null;
      view = {
        id,
        draft: draft || "",
        data,
        back: o.back,
        backLabel: o.backLabel,
        text: o.text !== undefined ? o.text : typeof data.draft === "string" ? data.draft : draft || "",
      };
      render(o.notice);
    } catch (error) {
      secret = null;
      boundText = null;
      const box = el("div");
      UI.notice(box, error.message || String(error), "error");
      if (o.back) box.prepend(el("button", { text: o.backLabel || "Back", onClick: o.back }));
      if (o.fallback) box.append(summary(o.fallback));
      UI.show(box);
    }
  }

  /** What the opening tool returned (get_conversation's details, strings marked as in the model's result), for a
      host that cannot run app_conversation: read-only, no composer. */
  function summary(detail) {
    const rows = [];
    const add = (term, value) => {
      if (value !== undefined && value !== null && value !== "") rows.push(el("dt", { text: term }), el("dd", {}, [UI.marked(value)]));
    };
    add("Status", detail.status);
    add("Priority", detail.priority);
    add("Contact", detail.contact && detail.contact.name);
    add("Email", detail.contact_email);
    add("Assignee", detail.assignee && detail.assignee.name);
    add("Team", detail.team && detail.team.name);
    add("Labels", (detail.labels || []).join(", "));
    const last = detail.last_message;
    if (last) add("Last message", [last.author, last.content].filter(Boolean).join(": "));
    return el("section", { attrs: { "aria-label": "Conversation summary" } }, [
      el("h1", { text: "Conversation #" + detail.id }),
      el("dl", { className: "card" }, rows),
    ]);
  }

  function reload(notice, text) {
    return open(view.id, view.draft, { back: view.back, backLabel: view.backLabel, text, notice, quiet: true });
  }

  function pill(text, kind) {
    return el("span", { className: "pill " + (kind || ""), text });
  }

  function header(c, data, noticeArea) {
    const bar = el("div", { className: "bar" });
    if (view.back) bar.append(el("button", { text: view.backLabel || "Back", onClick: view.back }));
    bar.append(el("h1", { text: "Conversation #" + c.id }));
    if (c.status) bar.append(pill(c.status, c.status));
    if (c.priority) bar.append(pill(c.priority, c.priority));
    bar.append(el("span", { className: "grow" }));
    const open = UI.openLinkButton(data.link, "Open in Chatwoot", noticeArea);
    if (open) bar.append(open);
    return bar;
  }

  function sidebar(c, contact) {
    const rows = [];
    const add = (term, value) => rows.push(el("dt", { text: term }), el("dd", {}, [value]));
    add("Assignee", c.assignee && c.assignee.name ? UI.marked(c.assignee.name) : el("span", { className: "muted", text: "unassigned" }));
    add("Team", c.team && c.team.name ? UI.marked(c.team.name) : el("span", { className: "muted", text: "none" }));
    add("Labels", (c.labels || []).length ? el("span", {}, c.labels.map((l) => pill(l))) : el("span", { className: "muted", text: "none" }));
    if (c.waiting_since) add("Waiting", el("span", { text: UI.since(c.waiting_since) + " (since " + UI.when(c.waiting_since) + ")" }));
    const card = el("dl", { className: "card", attrs: { "aria-label": "Conversation details" } }, rows);
    const people = [];
    for (const [term, key] of [["Name", "name"], ["Email", "email"], ["Phone", "phone"], ["Company", "company"]]) {
      if (contact && contact[key]) people.push(el("dt", { text: term }), el("dd", {}, [UI.customer(String(contact[key]), false)]));
    }
    const contactCard = el("dl", { className: "card", attrs: { "aria-label": "Contact" } }, [
      el("div", {}, [el("strong", { text: "Contact " }), el("span", { className: "badge-customer", text: "customer", title: "What the customer told Chatwoot about themselves" })]),
      ...people,
    ]);
    return el("aside", {}, [contactCard, el("div", { className: "gap" }), card]);
  }

  function fileNode(message, file, images) {
    const node = el("div", { className: "file" });
    const label = (file.name || "file") + (file.size ? " (" + size(file.size) + ")" : "");
    if (file.kind === "image") {
      const img = el("img", { attrs: { alt: "" } });
      img.hidden = true;
      node.append(img);
      images.push({ img, file });
    }
    node.append(message.from_customer ? UI.customer(label, false) : document.createTextNode(label));
    return node;
  }

  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  const TYPE_WORDS = { private_note: "Private note", activity: "", template: "Template", outgoing: "", incoming: "" };

  function messageNode(m, images) {
    const bubble = el("article", { className: "msg " + (TYPE_WORDS[m.type] !== undefined ? m.type : "outgoing") });
    if (m.type === "activity") {
      bubble.append(el("div", { className: "body", text: m.content || "" }));
      return bubble;
    }
    const meta = el("div", { className: "meta" });
    if (m.from_customer) meta.append(UI.customer(m.author || "Customer"));
    else meta.append(document.createTextNode(m.author || "Agent"));
    if (TYPE_WORDS[m.type]) meta.append(document.createTextNode(" · " + TYPE_WORDS[m.type]));
    if (m.at) meta.append(document.createTextNode(" · " + UI.when(m.at)));
    bubble.append(meta);
    if (m.content) bubble.append(el("div", { className: "body", text: m.content }));
    if ((m.files || []).length) bubble.append(el("div", { className: "files" }, m.files.map((f) => fileNode(m, f, images))));
    return bubble;
  }

  const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp)$/;
  const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

  /** Thumbnails through get_attachment (an image comes back as MCP image content: a data: URL, nothing fetched). */
  async function thumbnails(id, images) {
    for (const { img, file } of images.slice(-THUMBNAILS)) {
      try {
        let source = typeof file.thumbnail === "string" && file.thumbnail.startsWith("data:image/") ? file.thumbnail : null;
        if (!source) {
          const result = await Bridge.callTool("get_attachment", { conversation_id: id, attachment_id: file.id });
          const image = (result.content || []).find((block) => block.type === "image");
          if (!image || !IMAGE_TYPES.test(image.mimeType || "") || !BASE64.test(image.data || "")) continue;
          source = "data:" + image.mimeType + ";base64," + image.data;
        }
        const list = img.closest(".messages");
        const atBottom = list && list.scrollHeight - list.scrollTop - list.clientHeight < 8;
        img.src = source;
        img.hidden = false;
        if (atBottom) img.addEventListener("load", () => (list.scrollTop = list.scrollHeight), { once: true });
      } catch (error) {
        // A thumbnail is a nicety: the file's name and size stay shown.
      }
    }
  }

  function render(initialNotice) {
    const { data } = view;
    const c = data.conversation || {};
    const noticeArea = el("div");
    const images = [];
    const list = el("div", { className: "messages", attrs: { role: "log", "aria-label": "Messages" } });
    const messages = data.messages || [];
    const fragment = document.createDocumentFragment();
    for (const m of messages) fragment.append(messageNode(m, images));
    list.append(fragment);
    if (!messages.length) list.append(el("p", { className: "muted", text: "No messages yet." }));
    const main = el("div", {}, [list, composer(noticeArea)]);
    UI.show(el("section", { attrs: { "aria-label": "Conversation" } }, [
      header(c, data, noticeArea),
      noticeArea,
      el("div", { className: "layout" }, [main, sidebar(c, data.contact)]),
    ]));
    if (initialNotice) UI.notice(noticeArea, initialNotice.text, initialNotice.kind);
    list.scrollTop = list.scrollHeight;
    requestAnimationFrame(() => requestAnimationFrame(() => performance.mark("cw:painted")));
    thumbnails(view.id, images);
  }

  function composer(noticeArea) {
    const area = el("textarea", { attrs: { "aria-label": "Reply to the customer", rows: "4" } });
    area.value = view.text;
    const review = el("div", { className: "review", attrs: { "aria-label": "The exact text that will be sent" } });
    review.hidden = true;
    const reviewNote = el("div", { className: "notice warning", text: "You changed the text. This is exactly what will be sent: check it, then Send again." });
    reviewNote.hidden = true;
    const send = el("button", { className: "primary", text: "Send" });
    const edit = el("button", { text: "Edit" });
    edit.hidden = true;
    const save = el("button", { text: "Save as Chatwoot draft" });
    const note = el("button", { text: "Add private note" });
    let reviewing = false;
    const all = [send, edit, save, note];
    const busy = (on) => all.forEach((b) => (b.disabled = on));
    const say = (text, kind) => UI.notice(noticeArea, text, kind);
    const reloadButton = (text) => el("button", { text: "Reload the conversation", onClick: () => reload(null, text) });

    function leaveReview() {
      reviewing = false;
      area.hidden = false;
      area.readOnly = false;
      review.hidden = true;
      reviewNote.hidden = true;
      edit.hidden = true;
      send.textContent = "Send";
    }

    async function startReview(text) {
      const token = secret;
      secret = null;
      boundText = null;
      busy(true);
      let result;
      try {
        result = await Bridge.callTool("app_review_reply", { conversation_id: view.id, content: text, token });
      } catch (error) {
        busy(false);
        say("Could not prepare the reply for sending: " + error.message, "error");
        noticeArea.append(reloadButton(text));
        return;
      }
      busy(false);
      const fresh = tokenOf(result);
      if (result.isError || !fresh) {
        say("Not ready to send: " + (UI.plain(UI.textOf(result)) || "the server gave no token."), "error");
        noticeArea.append(reloadButton(text));
        return;
      }
      secret = fresh;
      boundText = text;
      reviewing = true;
      area.hidden = true;
      review.textContent = text;
      review.hidden = false;
      reviewNote.hidden = false;
      edit.hidden = false;
      send.textContent = "Send this text";
      say("", "");
      send.focus();
    }

    async function sendNow(text) {
      const token = secret;
      secret = null;
      boundText = null;
      busy(true);
      let result;
      try {
        result = await Bridge.callTool("app_send_reply", { conversation_id: view.id, content: text, token }, SEND_TIMEOUT_MS);
      } catch (error) {
        leaveReview();
        send.disabled = true;
        save.disabled = false;
        note.disabled = false;
        const what = error.timeout ? "The host did not answer in time" : "The call failed (" + error.message + ")";
        say(what + ": the reply may have been sent. Reload the conversation and check before sending again.", "warning");
        noticeArea.append(reloadButton(text));
        return;
      }
      const data = result.structuredContent || {};
      const words = UI.plain(UI.textOf(result));
      if (!result.isError && data.status === "sent" && data.message_id) {
        view.draft = ""; // sent: the model's draft is spent, the next token is for an empty composer
        reload({ text: "Sent" + (data.message_id ? " (message " + data.message_id + ")" : "") + ".", kind: "success" }, "");
        return;
      }
      leaveReview();
      busy(false);
      send.disabled = true;
      if (data.status === "unknown" || /may have been/i.test(words)) {
        say((words || "The reply may have been sent.") + " Reload and check before sending again.", "warning");
      } else {
        say(words || "Not sent: the server refused the reply.", "error");
      }
      noticeArea.append(reloadButton(text));
    }

    send.addEventListener("click", () => {
      const text = reviewing ? boundText : area.value;
      if (!text || !text.trim()) return say("Write a reply first.", "warning");
      if (secret === null) return say("This reply cannot be sent from here now: reload the conversation first.", "warning");
      if (reviewing || text === boundText) sendNow(text);
      else startReview(text);
    });
    edit.addEventListener("click", () => {
      // The reviewed token stays bound to the reviewed text: a changed text is reviewed again.
      leaveReview();
      area.focus();
    });

    async function write(tool, label, done) {
      const text = reviewing ? boundText : area.value;
      if (!text || !text.trim()) return say("Write something first.", "warning");
      busy(true);
      try {
        const result = await Bridge.callTool(tool, { conversation_id: view.id, content: text });
        const words = UI.plain(UI.textOf(result));
        if (result.isError) {
          busy(false);
          say(label + " failed: " + words, "error");
          return;
        }
        done(words);
      } catch (error) {
        busy(false);
        say(label + ": " + (error.timeout ? "no answer in time, it may have been saved. " : "") + error.message, "error");
      }
    }
    save.addEventListener("click", () =>
      write("save_draft", "Saving the draft", (words) => {
        busy(false);
        send.disabled = secret === null;
        say(words || "Saved as a Chatwoot draft.", "success");
      }),
    );
    note.addEventListener("click", () =>
      write("add_private_note", "Adding the note", (words) => reload({ text: words || "Private note added.", kind: "success" }, "")),
    );
    send.disabled = secret === null;
    const why = secret === null ? el("div", { className: "muted", text: "Send is not available here" + (view.data.why_not ? ": " + view.data.why_not : ".") }) : null;
    return el("div", { className: "composer" }, [
      area,
      why,
      reviewNote,
      review,
      el("div", { className: "bar" }, [send, edit, el("span", { className: "grow" }), save, note]),
    ]);
  }

  function boot() {
    let args = {};
    Bridge.on("ui/notifications/tool-input", (params) => {
      args = (params && params.arguments) || {};
    });
    Bridge.on("ui/notifications/tool-result", (result) => {
      performance.mark("cw:tool-result");
      if (result && result.isError) return UI.failed(new Error(UI.plain(UI.textOf(result)) || "The tool failed."));
      const structured = (result && result.structuredContent) || {};
      // The server's own number first; the model's argument may be "#123" or the conversation's link.
      const ref = structured.id || structured.conversation_id || args.conversation_id;
      const id = typeof ref === "number" ? ref : Number((String(ref || "").match(/(\d+)\D*$/) || [])[1]);
      if (!Number.isInteger(id) || id <= 0) return UI.failed(new Error("No conversation to show."));
      const fallback = typeof structured.id === "number" && structured.status ? structured : null;
      open(id, typeof args.draft === "string" ? args.draft : "", { fallback });
    });
    Bridge.on("ui/notifications/tool-cancelled", (params) => UI.failed(new Error("The tool call was cancelled" + (params.reason ? ": " + params.reason : "."))));
    UI.loading("Waiting for the conversation…");
    Bridge.start({ name: "chatwoot-conversation", version: "1" }).catch(UI.failed);
  }

  return { open, boot };
})();
