/* What every view shares: building DOM from data (text only, never markup), customer text marked as such, times,
   tool results read, and the screen the view shows. */
"use strict";
const UI = (() => {
  const OPEN = "<untrusted>";
  const CLOSE = "</untrusted>";
  const WRAPPED = /<untrusted>([\s\S]*?)<\/untrusted>/g;

  /** An element; `text` goes in as a text node, attributes only from the view's own constants. */
  function el(tag, options, children) {
    const node = document.createElement(tag);
    const o = options || {};
    if (o.className) node.className = o.className;
    if (o.text !== undefined && o.text !== null) node.textContent = String(o.text);
    if (o.title) node.title = String(o.title);
    if (o.attrs) for (const [name, value] of Object.entries(o.attrs)) node.setAttribute(name, value);
    if (o.onClick) node.addEventListener("click", o.onClick);
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function badge() {
    return el("span", { className: "badge-customer", text: "customer", title: "Written by the customer" });
  }

  /** Customer-written text: the badge, then the words in the customer's style (as text). */
  function customer(text, withBadge) {
    const span = el("span", { className: "customer-text" });
    if (withBadge !== false) span.append(badge());
    span.append(document.createTextNode(text));
    return span;
  }

  /** A string from a model-visible result: <untrusted>…</untrusted> parts lose the wrapper and are shown marked as
      the customer's; the rest is plain text. Returns a span. */
  function marked(value) {
    const span = el("span");
    if (value === undefined || value === null) return span;
    const text = String(value);
    let last = 0;
    for (const match of text.matchAll(WRAPPED)) {
      if (match.index > last) span.append(document.createTextNode(text.slice(last, match.index)));
      span.append(customer(match[1]));
      last = match.index + match[0].length;
    }
    if (last < text.length) span.append(document.createTextNode(text.slice(last)));
    return span;
  }

  /** The same string as plain words (for sorting, titles): wrappers removed. */
  function plain(value) {
    if (value === undefined || value === null) return "";
    return String(value).split(OPEN).join("").split(CLOSE).join("");
  }

  function isCustomer(value) {
    return typeof value === "string" && value.includes(OPEN);
  }

  function formatter() {
    const ctx = Bridge.context;
    try {
      return new Intl.DateTimeFormat(ctx.locale || undefined, {
        dateStyle: "medium",
        timeStyle: "short",
        timeZone: ctx.timeZone || undefined,
      });
    } catch (error) {
      return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    }
  }

  function when(iso) {
    const time = Date.parse(iso || "");
    return Number.isNaN(time) ? "" : formatter().format(new Date(time));
  }

  /** How long ago, in the units a person reads: "40 s", "12 min", "2 h 5 min", "3 d 4 h". */
  function since(iso) {
    const time = Date.parse(iso || "");
    if (Number.isNaN(time)) return "";
    const seconds = Math.max(0, Math.round((Date.now() - time) / 1000));
    if (seconds < 60) return seconds + " s";
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return minutes + " min";
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return minutes % 60 ? hours + " h " + (minutes % 60) + " min" : hours + " h";
    const days = Math.floor(hours / 24);
    return hours % 24 ? days + " d " + (hours % 24) + " h" : days + " d";
  }

  /** The text blocks of a CallToolResult, joined. */
  function textOf(result) {
    return ((result && result.content) || [])
      .filter((block) => block && block.type === "text")
      .map((block) => block.text)
      .join("\n");
  }

  /** structuredContent of a successful result; throws the result's own words otherwise. */
  function data(result) {
    if (!result || result.isError) throw new Error(plain(textOf(result)) || "The tool failed.");
    if (!result.structuredContent) throw new Error(plain(textOf(result)) || "The tool returned no data.");
    return result.structuredContent;
  }

  /** A tools/call through the host that returns structuredContent or throws words a person can read. */
  async function call(name, args) {
    return data(await Bridge.callTool(name, args));
  }

  function notice(target, text, kind) {
    target.replaceChildren();
    if (text) target.append(el("div", { className: "notice " + (kind || ""), text, attrs: { role: kind === "error" ? "alert" : "status" } }));
  }

  const root = () => document.getElementById("app");

  /** Replace what the view shows. */
  function show(node) {
    root().replaceChildren(node);
  }

  function loading(text) {
    show(el("p", { className: "muted", text: text || "Loading…" }));
  }

  function failed(error) {
    const box = el("div");
    notice(box, (error && error.message) || String(error), "error");
    show(box);
  }

  /** The link as text to copy, for a host that cannot open links. */
  function copyableLink(url) {
    return el("div", { className: "notice warning" }, [
      document.createTextNode("This host cannot open links. Copy it: "),
      el("span", { className: "copy-link", text: url }),
    ]);
  }

  /** A button that asks the host to open `url` (ui/open-link); without that capability, the link as text. */
  function openLinkButton(url, label, where) {
    if (!/^https?:\/\//i.test(url || "")) return null;
    if (!Bridge.canOpenLinks()) return copyableLink(url);
    const button = el("button", { text: label });
    button.addEventListener("click", async () => {
      try {
        await Bridge.openLink(url);
      } catch (error) {
        where.replaceChildren(copyableLink(url));
      }
    });
    return button;
  }

  return { el, customer, marked, plain, isCustomer, when, since, textOf, data, call, notice, show, loading, failed, openLinkButton };
})();
